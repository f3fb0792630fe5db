"""``python -m bench [--tickets N] [--requests R]``: gateway latency, statements and throughput.

Seeds (once) a database with N tickets (default 1,000,000 over 180 days), starts the gateway in
its own process and prints, per scenario and role: p50/p95/p99 latency through HTTP, SQL
statements per request, and requests per second with 8 concurrent clients.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

import sql
from bench.harness import GatewayProcess, first_user, prepare_database, throughput, time_api, token
from gateway.settings import load_settings


@dataclass(frozen=True)
class Scenario:
    name: str
    role: str
    query: str
    variables: dict[str, Any]


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
]


async def run(tickets: int, days: int, requests: int, seconds: float) -> None:
    settings = load_settings()
    dsn = await prepare_database(settings, tickets, days)
    tokens = {
        role: token(settings, await first_user(dsn, sql.load("first_user_of_role"), role), role)
        for role in {s.role for s in SCENARIOS}
    }
    print(f"\nData set: {tickets:,} tickets over {days} days. Requests per scenario: {requests}.")
    header = f"{'scenario':<34} {'role':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(header + f" {'SQL/req':>8} {'req/s (8 clients)':>18}")
    print("-" * (len(header) + 28))
    with GatewayProcess(dsn, settings) as gw:
        async with httpx.AsyncClient(timeout=120) as client:
            for sc in SCENARIOS:
                tok = tokens[sc.role]
                timing, stmts = await time_api(
                    client, gw.url, tok, sc.query, sc.variables, requests
                )
                rps = await throughput(client, gw.url, tok, sc.query, sc.variables, seconds, 8)
                print(
                    f"{sc.name:<34} {sc.role:<10} {timing.p50:>8.1f} {timing.p95:>8.1f}"
                    f" {timing.p99:>8.1f} {stmts:>8} {rps:>18.1f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(run(args.tickets, args.days, args.requests, args.seconds))


if __name__ == "__main__":
    main()
