"""``python -m bench.statistics [--requests R]``: the statistics fields at 1M tickets.

Uses the database of ``python -m bench`` (``DATABASE_URL``, or the embedded ``.data/bench-N``,
seeded once). Per field and role it prints the p50/p95 latency through HTTP of *cold* requests
(every request a different window, shifted by a minute, so the statistics cache never answers:
the SQL plus the Python work) and of *warm* ones (the same request again: a cache hit costs the
session setup and the data-version statement), and the SQL statements per request.

Reference in the same run, as a ratio: the field's own aggregates as raw SQL (the named queries
it runs, straight over asyncpg in a transaction with the caller's role and claims, for the same
windows as the cold requests): ``API/SQL`` is the cold p50 over that SQL's p50, so what the
gateway adds (Python models, GraphQL) shows whatever the machine's load. For rootCause also the
previous design (five ``analytics.survey_stats`` statements per window pair, one per dimension,
and the lifecycle statement before the status history): ``new/old`` is the current statements'
SQL p50 over the previous ones'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

import sql
from bench.harness import BENCH_END, GatewayProcess, Timing, first_user, prepare_database, token
from gateway.settings import load_settings

WEEK, MONTH = timedelta(days=7), timedelta(days=30)
TZ = "Europe/Paris"
QUERIES = Path(__file__).parent / "queries"
DIMS = ["category", "channel", "team", "priority", "vip_tier"]  # rootCause's csat defaults

#: (named query, arguments from (window start, window end)) a field runs; None = agent id.
Statement = tuple[str, Callable[[datetime, datetime], tuple[Any, ...]]]


def _series(source: str, granularity: str, days: int | None = None,
            group: str | None = None) -> Statement:  # fmt: skip
    def args(start: datetime, end: datetime) -> tuple[Any, ...]:
        lo = end - timedelta(days=days) if days else start
        return (lo, end, granularity, TZ, group, None, None)

    return (f"series_kpi_{source}", args)


def _holidays(days: int) -> Statement:
    return ("stats_calendar_holidays",
            lambda s, e: ((e - timedelta(days=days)).date(), (e + WEEK).date(), TZ))  # fmt: skip


def _compare(s: datetime, e: datetime) -> tuple[datetime, datetime, datetime, datetime]:
    return (s, e, s - (e - s), s)


#: The raw SQL of each field (same aggregates, same span), by field name.
REFERENCE: dict[str, list[Statement]] = {
    "reference: timeSeries": [_series("tickets", "hour")],
    "trend csat": [_series("surveys", "day"), _series("surveys", "day", group="team")],
    "seasonality": [_series("tickets", "hour")],
    "anomalies volume": [_series("tickets", "hour")],
    "anomalies csat": [_series("surveys", "day", group="team")],
    "correlations": [_series("tickets", "day"), _series("surveys", "day")],
    "benchmark": [("stats_benchmark_agents", lambda s, e: (s, e))],
    "rootCause": [("stats_segments_surveys_all", lambda s, e: (*_compare(s, e), DIMS, None, None)),
                  ("stats_lifecycle_stages", lambda s, e: (*_compare(s, e), None, None))],
    "kpiForecast": [_series("surveys", "day", days=56), _holidays(56)],
    "volumeForecast hourly": [_series("tickets", "hour", days=42), _holidays(42)],
    "volumeForecast daily": [_series("tickets", "day", days=42, group="channel"),
                             _holidays(42)],
    "trend fcr": [_series("tickets", "day")],
}  # fmt: skip
#: rootCause before this session's work: one survey_stats statement per dimension, and the
#: lifecycle statement before the status history (bench/queries).
PREVIOUS: list[tuple[str, Callable[[datetime, datetime], tuple[Any, ...]]]] = [
    *[(sql.load("stats_segments_surveys"),
       lambda s, e, d=d: (*_compare(s, e), d, None, None)) for d in DIMS],
    ((QUERIES / "stats_lifecycle_stages_before.sql").read_text("utf-8"),
     lambda s, e: (*_compare(s, e), None, None)),
]  # fmt: skip

FIELDS: list[tuple[str, str, str, timedelta]] = [
    ("reference: timeSeries volume (30 d hourly)", "executive",
     "timeSeries(kpi: \"ticket_volume\", granularity: HOUR, window: {from: $from, to: $to})"
     " { n }", MONTH),
    ("trend csat (30 d daily, by team)", "executive",
     "trend(kpi: \"csat\", granularity: DAY, seasonal: true, groupBy: TEAM,"
     " window: {from: $from, to: $to})"
     " { overall { slope pValue direction changePoint { localLabel } } groups { slope } }", MONTH),
    ("seasonality volume (28 d)", "executive",
     "seasonality(window: {from: $from, to: $to}) { heatmap { value } weekly { value ciLow }"
     " components { name strength } }", timedelta(days=28)),
    ("anomalies volume (30 d hourly)", "executive",
     "anomalies(kpi: \"ticket_volume\", granularity: HOUR, window: {from: $from, to: $to})"
     " { anomalies { localLabel observed expected score severity } }", MONTH),
    ("anomalies csat (30 d daily, by team)", "executive",
     "anomalies(kpi: \"csat\", granularity: DAY, groupBy: TEAM, window: {from: $from, to: $to})"
     " { anomalies { localLabel groupLabel score } }", MONTH),
    ("correlations 4 KPIs (90 d daily, lag 3)", "executive",
     "correlations(kpis: [\"first_response_time_mean\", \"csat\", \"fcr\", \"ticket_volume\"],"
     " maxLag: 3, window: {from: $from, to: $to}) { pairs { spearman pearson } lagged { rho } }",
     timedelta(days=90)),
    ("benchmark agent (30 d)", "executive",
     "benchmark(agentId: $agent, window: {from: $from, to: $to})"
     " { kpis { name team { percentile pValue }"
     " organisation { percentile } } }", MONTH),
    ("rootCause csat (7 d vs previous)", "executive",
     "rootCause(kpi: \"csat\", window: {from: $from, to: $to}) { change dimensions { dimension"
     " drivers { key contribution } } bottlenecks { stage growthHours } }", WEEK),
    ("kpiForecast csat (56 d, +7 d)", "executive",
     "kpiForecast(kpi: \"csat\", asOf: $to) { model { name backtest { mase } } buckets { mean } }",
     timedelta(0)),
    ("volumeForecast hourly (42 d, +7 d)", "executive",
     "volumeForecast(granularity: HOUR, asOf: $to) { model { name backtest { mase wape } } }",
     timedelta(0)),
    ("volumeForecast daily chat (42 d)", "executive",
     "volumeForecast(granularity: DAY, channel: CHAT, asOf: $to) { model { name } }",
     timedelta(0)),
    ("trend fcr (30 d daily)", "agent",
     "trend(kpi: \"fcr\", window: {from: $from, to: $to}) { overall { slope pValue } }", MONTH),
    ("anomalies volume (30 d hourly)", "agent",
     "anomalies(kpi: \"ticket_volume\", granularity: HOUR, window: {from: $from, to: $to})"
     " { anomalies { score } }", MONTH),
]  # fmt: skip


def _document(body: str) -> str:
    names = [
        v for v in ("$from: DateTime!", "$to: DateTime!", "$agent: ID") if v.split(":")[0] in body
    ]
    return f"query({', '.join(names)}) {{ {body} }}"


async def _post(client: httpx.AsyncClient, url: str, tok: str, query: str,
                variables: dict[str, Any]) -> tuple[float, int]:  # fmt: skip
    t0 = time.perf_counter()
    resp = await client.post(url + "/graphql", json={"query": query, "variables": variables},
                             headers={"Authorization": f"Bearer {tok}"})  # fmt: skip
    elapsed = (time.perf_counter() - t0) * 1000
    body = resp.json()
    if "errors" in body:
        raise RuntimeError(f"benchmark query failed: {body['errors']}")
    return elapsed, int(body.get("extensions", {}).get("sqlStatements", 0))


def _window(end: datetime, length: timedelta) -> dict[str, Any]:
    return {"from": (end - length).isoformat(), "to": end.isoformat()}


def _reference(name: str) -> list[tuple[str, Callable[[datetime, datetime], tuple[Any, ...]]]]:
    for key, statements in REFERENCE.items():
        if name.startswith(key):
            return [(sql.load(q), f) for q, f in statements]
    return []


async def _time_sql(conn: asyncpg.Connection, role: str, user: Any, windows: list[tuple[
        datetime, datetime]], statements: list[tuple[str, Callable[..., tuple[Any, ...]]]],
        ) -> Timing:  # fmt: skip
    """``statements`` per window in a read-only transaction as ``role`` (the gateway's setup)."""
    claims = json.dumps({"sub": str(user), "role": "authenticated", "app_role": role})
    samples = []
    for i, (start, end) in enumerate([windows[0], *windows]):
        t0 = time.perf_counter()
        async with conn.transaction(readonly=True):
            await conn.execute(sql.load("session_setup"), "authenticated", claims, "60000")
            for text, args in statements:
                await conn.fetch(text, *args(start, end))
        if i:  # the first run warms the connection (plans, caches), as the API's first request
            samples.append((time.perf_counter() - t0) * 1000)
    return Timing.of(samples)


async def run(tickets: int, days: int, requests: int, only: str) -> None:
    settings = load_settings()
    dsn = await prepare_database(settings, tickets, days)
    users = {r: await first_user(dsn, sql.load("first_user_of_role"), r)
             for r in ("executive", "agent")}  # fmt: skip
    tokens = {r: token(settings, u, r) for r, u in users.items()}
    agent = await first_user(dsn, sql.load("stats_bench_agent"), str(users["agent"]))
    print(f"\nStatistics fields: {tickets:,} tickets over {days} days; {requests} cold and "
          f"{requests} warm requests each.")  # fmt: skip
    head = f"{'field':<42} {'role':<10} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9}"
    print(head + f" {'SQL/req':>8} {'SQL p50':>8} {'API/SQL':>8}")
    print("-" * (len(head) + 27))
    conn = await asyncpg.connect(dsn)
    with GatewayProcess(dsn, settings) as gw:
        async with httpx.AsyncClient(timeout=300) as client:
            for name, role, body, length in FIELDS:
                if only not in name:
                    continue
                query = _document(body)
                cold, stmts, windows = [], 0, []
                for i in range(requests + 1):
                    end = BENCH_END - timedelta(minutes=i + 1)
                    if i:
                        windows.append((end - length if length else end - MONTH, end))
                    variables = {**_window(end, length), "agent": str(agent)}
                    variables = {k: v for k, v in variables.items() if f"${k}" in query}
                    ms, stmts = await _post(client, gw.url, tokens[role], query, variables)
                    if i:  # the first request warms the process (imports, plans)
                        cold.append(ms)
                warm = [
                    (await _post(client, gw.url, tokens[role], query, variables))[0]
                    for _ in range(requests)
                ]
                c, w = Timing.of(cold), Timing.of(warm)
                ref, extra = _reference(name), ""
                if ref:
                    r = await _time_sql(conn, role, users[role], windows, ref)
                    extra = f" {r.p50:>8.1f} {c.p50 / r.p50:>8.2f}"
                print(f"{name:<42} {role:<10} {c.p50:>9.1f} {c.p95:>9.1f} {w.p50:>9.1f}"
                      f" {stmts:>8}{extra}")  # fmt: skip
                if name.startswith("rootCause") and ref:
                    old = await _time_sql(conn, role, users[role], windows, PREVIOUS)
                    print(f"{'  previous design, SQL only':<42} {role:<10} {old.p50:>9.1f}"
                          f"{'':>29} new/old {r.p50 / old.p50:.2f}")  # fmt: skip
    await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--only", default="", help="run the fields whose name contains this")
    args = parser.parse_args()
    asyncio.run(run(args.tickets, args.days, args.requests, args.only))


if __name__ == "__main__":
    main()
