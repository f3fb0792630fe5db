"""``python -m bench [--tickets N] [--requests R]``: gateway latency, statements and throughput.

Seeds (once) a database with N tickets (default 1,000,000 over 180 days), starts the gateway in
its own process and prints, per scenario and role: p50/p95/p99 latency through HTTP, SQL
statements per request, requests per second with 8 concurrent clients, and for the dashboard
scenarios the p50 of the same SQL run directly (role and claims set as the gateway does), so
the API's overhead over its own SQL is visible.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

import sql
from bench.harness import (
    BENCH_END,
    GatewayProcess,
    first_user,
    prepare_database,
    throughput,
    time_api,
    time_sql,
    token,
)
from gateway.auth import Principal
from gateway.settings import load_settings


@dataclass(frozen=True)
class Scenario:
    name: str
    role: str
    query: str
    variables: dict[str, Any]
    #: named queries (with their arguments) the gateway runs for it, to time them directly
    sql: tuple[tuple[str, tuple[Any, ...]], ...] = ()


WEEK = {"from": (BENCH_END - timedelta(days=7)).isoformat(), "to": BENCH_END.isoformat()}
WEEK_ARGS = (BENCH_END - timedelta(days=7), BENCH_END, BENCH_END - timedelta(days=14), None, None)
#: kpi_dashboard's arguments: the week's and the request's clock (after BENCH_END).
DASHBOARD_ARGS = (*WEEK_ARGS, BENCH_END)
#: Stands for the benchmark team's id in a scenario's SQL arguments (known only at run time).
TEAM_ID = "<team>"
TEAM_SQL = (
    ("kpi_agents", (*WEEK_ARGS[:3], TEAM_ID)),
    ("kpi_dashboard", (*WEEK_ARGS[:3], TEAM_ID, None, BENCH_END)),
)

DASHBOARD = """
query($from: DateTime!, $to: DateTime!) { dashboard(from: $from, to: $to) {
  kpis { name value n ciLow ciHigh target status trend }
  backlog { open unassigned unanswered ageUnder1h ageOver3d }
  distributions { dimension buckets { key tickets share } } } }
"""

TEAM = """
query($from: DateTime!, $to: DateTime!, $team: ID!) {
  teamPerformance(teamId: $team, from: $from, to: $to) {
    agents { name kpis { name value n status } }
    topPerformers { name score } mostImproved { name improvement }
    coachingOpportunities { name kpi pAdjusted } } }
"""


MONTH = {"from": (BENCH_END - timedelta(days=30)).isoformat(), "to": BENCH_END.isoformat()}
SERIES = """
query($kpi: String!, $g: Granularity!, $from: DateTime!, $to: DateTime!) {
  timeSeries(kpi: $kpi, granularity: $g, from: $from, to: $to, timezone: "Europe/Paris") {
    localLabel n value ciLow ciHigh } }
"""


def _series(kpi: str, query: str, granularity: str, role: str) -> Scenario:
    window = WEEK if granularity == "HOUR" else MONTH
    args = (BENCH_END - timedelta(days=7 if granularity == "HOUR" else 30), BENCH_END,
            granularity.lower(), "Europe/Paris", None, None, None)  # fmt: skip
    return Scenario(
        f"series {kpi} ({'7 d, hourly' if granularity == 'HOUR' else '30 d, daily'})",
        role,
        SERIES,
        {**window, "kpi": kpi, "g": granularity},
        ((query, args),),
    )


TICKET_PAGE = """
query($n: Int!) { tickets(first: $n) { totalCount nodes { id subject status priority
  agent { displayName team { name } } customer { vipTier } category { path }
  interactions(last: 3) { authorType createdAt } survey { csatRating } } } }
"""

SCENARIOS = [
    Scenario("ticket page (50, relations)", "manager", TICKET_PAGE, {"n": 50}),
    Scenario("ticket page (50, relations)", "agent", TICKET_PAGE, {"n": 50}),
    Scenario("ticket page (50, relations)", "team_lead", TICKET_PAGE, {"n": 50}),
    Scenario("ticket page (500, relations)", "manager", TICKET_PAGE, {"n": 500}),
    Scenario(
        "open VIP tickets with live SLA",
        "manager",
        "{ tickets(first: 100, filter: {status: [NEW, OPEN, PENDING],"
        " vipTier: [PLATINUM, DIAMOND]}) { nodes { id sla { breached"
        " targets { state businessMinutesRemaining } } } } }",
        {},
    ),
    Scenario("executive dashboard (7 days)", "executive", DASHBOARD, WEEK,
             (("kpi_dashboard", DASHBOARD_ARGS),)),
    Scenario("executive dashboard (7 days)", "agent", DASHBOARD, WEEK,
             (("kpi_dashboard", DASHBOARD_ARGS),)),
    Scenario("executive dashboard (7 days)", "team_lead", DASHBOARD, WEEK,
             (("kpi_dashboard", DASHBOARD_ARGS),)),
    Scenario("team performance (7 days)", "executive", TEAM, WEEK, TEAM_SQL),
    Scenario("team performance (7 days)", "agent", TEAM, WEEK, TEAM_SQL),
    _series("fcr", "series_kpi_tickets", "DAY", "executive"),
    _series("sla_compliance", "series_kpi_sla", "DAY", "executive"),
    _series("csat", "series_kpi_surveys", "HOUR", "executive"),
    _series("backlog", "series_kpi_backlog", "HOUR", "executive"),
    _series("fcr", "series_kpi_tickets", "DAY", "agent"),
    Scenario("volume forecast (42 d hourly, +7 d)", "executive",
             "query($a: DateTime!) { volumeForecast(granularity: HOUR, asOf: $a)"
             " { buckets { mean lo95 hi95 } } }", {"a": BENCH_END.isoformat()}),
    Scenario("staffing plan (phone, +7 d)", "manager",
             "query($a: DateTime!) { staffingPlan(queue: PHONE, asOf: $a)"
             " { hours { need { agents } needHigh { agents } } } }", {"a": BENCH_END.isoformat()}),
]  # fmt: skip


async def run(tickets: int, days: int, requests: int, seconds: float, only: str = "") -> None:
    settings = load_settings()
    dsn = await prepare_database(settings, tickets, days)
    users = {
        role: await first_user(dsn, sql.load("first_user_of_role"), role)
        for role in {s.role for s in SCENARIOS} | {"team_lead"}
    }
    tokens = {role: token(settings, user, role) for role, user in users.items()}
    team = await first_user(dsn, sql.load("bench_team_of_user"), str(users["team_lead"]))
    print(f"\nData set: {tickets:,} tickets over {days} days. Requests per scenario: {requests}.")
    header = f"{'scenario':<34} {'role':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(header + f" {'SQL/req':>8} {'req/s (8 clients)':>18} {'SQL p50 ms':>11} {'API/SQL':>8}")
    print("-" * (len(header) + 48))
    with GatewayProcess(dsn, settings) as gw:
        async with httpx.AsyncClient(timeout=120) as client:
            for sc in (s for s in SCENARIOS if only in s.name):
                tok = tokens[sc.role]
                variables = dict(sc.variables)
                if "$team" in sc.query:
                    variables["team"] = str(team)
                timing, stmts = await time_api(client, gw.url, tok, sc.query, variables, requests)
                rps = await throughput(client, gw.url, tok, sc.query, variables, seconds, 8)
                direct = ""
                if sc.sql:
                    claims = {"sub": str(users[sc.role]), "role": "authenticated",
                              "app_role": sc.role}  # fmt: skip
                    principal = Principal(users[sc.role], "authenticated", sc.role, claims, None)
                    statements = [
                        (sql.load(name), tuple(team if a == TEAM_ID else a for a in args))
                        for name, args in sc.sql
                    ]
                    sql_t = await time_sql(
                        dsn, principal, sql.load("session_setup"), statements, requests
                    )
                    direct = f" {sql_t.p50:>11.1f} {timing.p50 / sql_t.p50:>8.2f}"
                print(
                    f"{sc.name:<34} {sc.role:<10} {timing.p50:>8.1f} {timing.p95:>8.1f}"
                    f" {timing.p99:>8.1f} {stmts:>8} {rps:>18.1f}{direct}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = parser.parse_args()
    asyncio.run(run(args.tickets, args.days, args.requests, args.seconds, args.only))


if __name__ == "__main__":
    main()
