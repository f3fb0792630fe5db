"""``python -m bench.peer``: the gateway side by side with PostGraphile v4, and under load.

On the benchmark database (1,000,000 tickets; ``DATABASE_URL`` or the embedded one) it prints:

1. **side by side**: the same response shape,
   ``tickets(first: 100) { nodes { id subject agent { displayName } } }`` (PostGraphile:
   ``allSupportTickets`` aliased to it), under the same manager's rights with RLS on (PostGraphile
   in library mode with ``pgSettings`` setting ``role`` and ``request.jwt.claims``), 16
   connections: requests per second of each and the ratio, for ``serve`` with one process and
   with ``--workers 2``;
2. **200 clients**: a light query's p50/p99 with 200 concurrent clients;
3. **light beside heavy**: a light query's p99 alone, then while heavy analytics (an hourly
   83-day backlog series by agent, and hourly forecasts) run beside it;
4. **soak**: gateway RSS at the start and end of ``--soak-seconds`` (default 600) of mixed load.

PostGraphile is installed from npm under ``bench/postgraphile`` (``npm ci``; package-lock
committed, node_modules not). The load generator is this process (httpx, asyncio), separate from
both servers; on a 2-core machine it competes with them for CPU, equally for both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

import sql
from bench.harness import (
    BENCH_END,
    GatewayProcess,
    Timing,
    family,
    first_user,
    prepare_database,
    process_stats,
    token,
)
from gateway.embedded import free_port
from gateway.settings import Settings, load_settings

GATEWAY_SHAPE = "{ tickets(first: 100) { nodes { id subject agent { displayName } } } }"
PEER_SHAPE = (
    "{ tickets: allSupportTickets(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC]) {"
    " nodes { id subject agent: agentByAssignedAgentId { displayName } } } }"
)
LIGHT = "{ tickets(first: 10) { nodes { id subject } } }"
HEAVY: list[tuple[str, str, dict[str, Any]]] = [
    (
        "backlog, hourly, 83 days, by agent",
        'query($from: DateTime!, $to: DateTime!) { timeSeries(kpi: "backlog", granularity: HOUR,'
        " from: $from, to: $to, groupBy: AGENT) { n } }",
        {
            "from": (BENCH_END - timedelta(days=83)).isoformat(),
            "to": BENCH_END.isoformat(),
        },
    ),
    (
        "volumeForecast, hourly, with backtest",
        "{ volumeForecast(granularity: HOUR, historyDays: 42, horizonDays: 7, backtest: true)"
        " { method } }",
        {},
    ),
]
PEER_DIR = Path(__file__).parent / "postgraphile"
#: Interleaved rounds of the side-by-side comparison.
ROUNDS = 4


class PeerProcess:
    """``node bench/postgraphile/server.js`` on a free loopback port."""

    def __init__(self, dsn: str, settings: Settings, pool_max: int = 8) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "PORT": str(self.port),
            "SUPABASE_JWT_SECRET": settings.jwt_secret,
            "POOL_MAX": str(pool_max),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PeerProcess:
        if not (PEER_DIR / "node_modules").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-pg-", suffix=".log")
        self.proc = subprocess.Popen(
            ["node", "server.js"],
            cwd=PEER_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.post(self.url + "/graphql", json={"query": "{ __typename }"}, timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("postgraphile did not start")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        self.log.close()


async def load(
    url: str,
    tok: str,
    query: str,
    *,
    clients: int,
    seconds: float,
    variables: dict[str, Any] | None = None,
    samples_out: list[float] | None = None,
) -> tuple[float, Timing, int]:
    """``clients`` concurrent loops for ``seconds``: req/s, latency, failed requests (the
    latencies in ms are also appended to ``samples_out``)."""
    headers = {"Authorization": f"Bearer {tok}"}
    body = {"query": query, "variables": variables or {}}
    samples: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        await client.post(url + "/graphql", json=body, headers=headers)  # warm-up
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                resp = await client.post(url + "/graphql", json=body, headers=headers)
                samples.append((time.perf_counter() - t0) * 1000)
                if resp.status_code != 200 or "errors" in resp.json():
                    failures += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    if samples_out is not None:
        samples_out.extend(samples)
    return len(samples) / elapsed, Timing.of(samples), failures


def rss(pid: int) -> float:
    return sum(process_stats(p)[1] for p in family(pid))


def line(label: str, rate: float, timing: Timing, failures: int) -> str:
    return (
        f"  {label:<44} {rate:8.1f} req/s   p50 {timing.p50:7.1f} ms   p99 {timing.p99:8.1f} ms"
        f"   failed {failures}"
    )


async def side_by_side(dsn: str, settings: Settings, tok: str, seconds: float) -> None:
    """The three servers run at once and are loaded in turn, ``ROUNDS`` short rounds each, so a
    change in the machine's load (shared cores) affects them alike."""
    print(
        "side by side: tickets(first: 100) { nodes { id subject agent { displayName } } },"
        f" manager, RLS on, 16 connections, {ROUNDS} interleaved rounds",
        flush=True,
    )
    with (
        PeerProcess(dsn, settings) as peer,
        GatewayProcess(dsn, settings, workers=1) as one,
        GatewayProcess(dsn, settings, workers=2) as two,
    ):
        targets = [
            ("PostGraphile v4 (library mode)", peer.url, PEER_SHAPE),
            ("gateway, serve --workers 1", one.url, GATEWAY_SHAPE),
            ("gateway, serve --workers 2", two.url, GATEWAY_SHAPE),
        ]
        results: dict[str, list[tuple[float, Timing, int]]] = {t[0]: [] for t in targets}
        latencies: dict[str, list[float]] = {t[0]: [] for t in targets}
        for _ in range(ROUNDS):
            for label, url, query in targets:
                results[label].append(
                    await load(
                        url,
                        tok,
                        query,
                        clients=16,
                        seconds=seconds / ROUNDS,
                        samples_out=latencies[label],
                    )
                )
    rates = {label: sum(r[0] for r in rs) / len(rs) for label, rs in results.items()}
    peer_rate = rates[targets[0][0]]
    for label, rs in results.items():
        timing = Timing.of(latencies[label])
        failed = sum(r[2] for r in rs)
        ratio = "" if label == targets[0][0] else f"   ratio {rates[label] / peer_rate:.2f}"
        print(line(label, rates[label], timing, failed) + ratio, flush=True)


async def under_load(dsn: str, settings: Settings, tok: str, seconds: float, soak: float) -> None:
    with GatewayProcess(dsn, settings) as gw:
        rss_start = rss(gw.pid)
        rate, timing, failed = await load(gw.url, tok, LIGHT, clients=200, seconds=seconds)
        print(line("light query, 200 clients", rate, timing, failed), flush=True)
        alone = await load(gw.url, tok, LIGHT, clients=4, seconds=seconds)
        print(line("light query, 4 clients, alone", *alone), flush=True)
        heavy = [
            asyncio.ensure_future(load(gw.url, tok, q, clients=1, seconds=seconds, variables=v))
            for _, q, v in HEAVY
        ]
        beside = await load(gw.url, tok, LIGHT, clients=4, seconds=seconds)
        done = await asyncio.gather(*heavy)
        print(line("light query, 4 clients, beside heavy analytics", *beside), flush=True)
        for (label, _, _), (h_rate, h_t, h_f) in zip(HEAVY, done, strict=True):
            print(line("  heavy: " + label, h_rate, h_t, h_f), flush=True)
        if soak > 0:
            mixed = [
                load(gw.url, tok, GATEWAY_SHAPE, clients=8, seconds=soak),
                load(gw.url, tok, LIGHT, clients=8, seconds=soak),
                *(load(gw.url, tok, q, clients=1, seconds=soak, variables=v) for _, q, v in HEAVY),
            ]
            results = await asyncio.gather(*mixed)
            total = sum(r[0] for r in results) * soak
            print(
                f"  soak {soak:.0f} s, {total:,.0f} requests: gateway RSS "
                f"{rss_start:.0f} MiB at start, {rss(gw.pid):.0f} MiB at end",
                flush=True,
            )


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--soak-seconds", type=float, default=600.0)
    parser.add_argument("--only", choices=["side", "load"], default=None)
    args = parser.parse_args()
    settings = load_settings()
    dsn = await prepare_database(settings, args.tickets, 180)
    user = await first_user(dsn, sql.load("first_user_of_role"), "manager")
    tok = token(settings, user, "manager")
    if args.only in (None, "side"):
        await side_by_side(dsn, settings, tok, args.seconds)
    if args.only in (None, "load"):
        await under_load(dsn, settings, tok, args.seconds, args.soak_seconds)


if __name__ == "__main__":
    asyncio.run(main())
