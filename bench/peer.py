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
4. **soak**: gateway RSS fresh, after a warm-up pass of every scenario, at each tenth of
   ``--soak-seconds`` (default 600) of mixed load (ticket pages, light queries, the executive's
   heavy series) and at the end.

PostGraphile is installed from npm under ``bench/postgraphile`` (``npm ci``; package-lock
committed, node_modules not). The load generator is ``wrk`` (Debian's ``apt-get install wrk``;
``bench/wrk_post.lua`` posts the body with the token and counts failures), the same for both
servers, in its own process: a Python client (httpx, asyncio) with 16 connections was itself the
bottleneck (it capped PostGraphile at ~60 requests/s on this machine, where wrk measures ~1,000).
Without ``wrk`` on the PATH the httpx client is used and the output says so. Each line also gives
the server's CPU time per request (user + system of its processes, from /proc, over the same
interval): the figure that decides throughput when the two cores are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

import sql
from bench.harness import (
    BENCH_END,
    BENCH_LIMITS,
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


@dataclass(frozen=True)
class Run:
    """One load run: requests per second, latency percentiles (ms), failed requests, and the
    server's CPU milliseconds per request (None when not measured)."""

    rate: float
    p50: float
    p99: float
    failed: int
    requests: int
    cpu_ms: float | None = None


WRK = shutil.which("wrk")
WRK_SCRIPT = Path(__file__).parent / "wrk_post.lua"
_RESULT = re.compile(r"RESULT requests=(\d+) seconds=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+)"
                     r" failed=(\d+) socket_errors=(\d+)")  # fmt: skip


def server_cpu(pid: int | None) -> float:
    """CPU seconds used so far by ``pid`` and its children (0 when not given)."""
    return sum(process_stats(p)[0] for p in family(pid)) if pid is not None else 0.0


def _wrk(url: str, tok: str, body: dict[str, Any], clients: int, seconds: float) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(body, f)
        f.flush()
        out = subprocess.run(
            [str(WRK), "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s",
             "--timeout", "120s", "-s", str(WRK_SCRIPT), url + "/graphql"],
            env={**os.environ, "WRK_BODY_FILE": f.name, "WRK_TOKEN": tok},
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    found = _RESULT.search(out)
    if found is None:
        raise RuntimeError(f"wrk printed no result: {out[-500:]}")
    n, secs, p50, p99, failed, socket_errors = found.groups()
    requests = int(n)
    return Run(requests / float(secs), float(p50), float(p99), int(failed) + int(socket_errors),
               requests)  # fmt: skip


async def _httpx(url: str, tok: str, body: dict[str, Any], clients: int, seconds: float) -> Run:
    headers = {"Authorization": f"Bearer {tok}"}
    samples: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
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
    timing = Timing.of(samples)
    return Run(len(samples) / elapsed, timing.p50, timing.p99, failures, len(samples))


async def load(
    url: str,
    tok: str,
    query: str,
    *,
    clients: int,
    seconds: float,
    variables: dict[str, Any] | None = None,
    pid: int | None = None,
    generator: str = "wrk",
) -> Run:
    """``clients`` concurrent connections for ``seconds`` (wrk when available, else httpx), and
    the CPU time per request of server process ``pid`` over the run."""
    body = {"query": query, "variables": variables or {}}
    async with httpx.AsyncClient(timeout=120) as warm:  # warm-up: document cache, connections
        await warm.post(url + "/graphql", json=body, headers={"Authorization": f"Bearer {tok}"})
    cpu0 = server_cpu(pid)
    if generator == "wrk" and WRK is not None:
        run = await asyncio.to_thread(_wrk, url, tok, body, clients, seconds)
    else:
        run = await _httpx(url, tok, body, clients, seconds)
    if pid is None or run.requests == 0:
        return run
    cpu_ms = (server_cpu(pid) - cpu0) * 1000 / run.requests
    return Run(run.rate, run.p50, run.p99, run.failed, run.requests, cpu_ms)


def rss(pid: int) -> float:
    return sum(process_stats(p)[1] for p in family(pid))


def line(label: str, run: Run) -> str:
    cpu = f"   CPU {run.cpu_ms:5.2f} ms/req" if run.cpu_ms is not None else ""
    return (
        f"  {label:<46} {run.rate:8.1f} req/s   p50 {run.p50:7.1f} ms   p99 {run.p99:8.1f} ms"
        f"   failed {run.failed}{cpu}"
    )


def combined(runs: list[Run]) -> Run:
    """Rounds of one server: mean rate and p50, the worst round's p99, failures and requests
    summed, CPU per request over all of them."""
    requests = sum(r.requests for r in runs)
    cpu = [r.cpu_ms * r.requests for r in runs if r.cpu_ms is not None]
    return Run(
        sum(r.rate for r in runs) / len(runs),
        sum(r.p50 for r in runs) / len(runs),
        max(r.p99 for r in runs),
        sum(r.failed for r in runs),
        requests,
        sum(cpu) / requests if cpu and requests else None,
    )


async def side_by_side(dsn: str, settings: Settings, tok: str, seconds: float) -> None:
    """The three servers run at once and are loaded in turn, ``ROUNDS`` short rounds each, so a
    change in the machine's load (shared cores) affects them alike."""
    print(
        "side by side: tickets(first: 100) { nodes { id subject agent { displayName } } },"
        f" manager, RLS on, 16 connections, {ROUNDS} interleaved rounds, load generator "
        f"{'wrk' if WRK else 'httpx (wrk not found)'}; p99 of the worst round",
        flush=True,
    )
    with (
        PeerProcess(dsn, settings) as peer,
        GatewayProcess(dsn, settings, workers=1) as one,
        GatewayProcess(dsn, settings, workers=2) as two,
    ):
        assert peer.proc is not None
        targets = [
            ("PostGraphile v4 (library mode)", peer.url, PEER_SHAPE, peer.proc.pid),
            ("gateway, serve --workers 1", one.url, GATEWAY_SHAPE, one.pid),
            ("gateway, serve --workers 2", two.url, GATEWAY_SHAPE, two.pid),
        ]
        results: dict[str, list[Run]] = {t[0]: [] for t in targets}
        for _ in range(ROUNDS):
            for label, url, query, pid in targets:
                results[label].append(
                    await load(url, tok, query, clients=16, seconds=seconds / ROUNDS, pid=pid)
                )
    summary = {label: combined(runs) for label, runs in results.items()}
    peer_run = summary[targets[0][0]]
    for label, run in summary.items():
        ratio = "" if label == targets[0][0] else f"   ratio {run.rate / peer_run.rate:.2f}"
        print(line(label, run) + ratio, flush=True)


#: The executive's cost budget in the load scenario, raised so the heavy analytics run.
HEAVY_BUDGET = "executive.cost=1000000"


async def under_load(
    dsn: str, settings: Settings, tok: str, heavy_tok: str, seconds: float, soak: float
) -> None:
    """The light query under 200 clients, then alone and beside heavy analytics (run with an
    executive token whose cost budget is raised; the manager's default budget refuses them)."""
    limits = f"{BENCH_LIMITS},{HEAVY_BUDGET}"
    with GatewayProcess(dsn, settings, limits=limits) as gw:
        rss_start = rss(gw.pid)
        crowd = await load(gw.url, tok, LIGHT, clients=200, seconds=seconds, pid=gw.pid)
        print(line("light query, 200 clients", crowd), flush=True)
        alone = await load(gw.url, tok, LIGHT, clients=4, seconds=seconds, pid=gw.pid)
        print(line("light query, 4 clients, alone", alone), flush=True)
        heavy = [
            asyncio.ensure_future(
                load(
                    gw.url, heavy_tok, q, clients=1, seconds=seconds, variables=v, generator="httpx"
                )
            )
            for _, q, v in HEAVY
        ]
        await asyncio.sleep(1.0)  # the heavy requests are running
        beside = await load(gw.url, tok, LIGHT, clients=4, seconds=seconds)
        done = await asyncio.gather(*heavy)
        print(line("light, 4 clients, beside heavy (executive)", beside), flush=True)
        for (label, _, _), run in zip(HEAVY, done, strict=True):
            print(line("  heavy: " + label, run), flush=True)
        refused = await load(
            gw.url, tok, HEAVY[0][1], clients=1, seconds=2, variables=HEAVY[0][2], generator="httpx"
        )
        print(
            f"  {'heavy backlog as manager (default cost budget)':<46} refused {refused.failed}"
            f" of {refused.requests} (LIMIT_EXCEEDED cost)   p50 {refused.p50:7.1f} ms"
            f"   p99 {refused.p99:8.1f} ms",
            flush=True,
        )
        if soak > 0:
            mixed = [
                load(gw.url, tok, GATEWAY_SHAPE, clients=8, seconds=soak),
                load(gw.url, tok, LIGHT, clients=8, seconds=soak),
                *(
                    load(
                        gw.url,
                        heavy_tok,
                        q,
                        clients=1,
                        seconds=soak,
                        variables=v,
                        generator="httpx",
                    )
                    for _, q, v in HEAVY
                ),
            ]
            # warm-up: every scenario of the soak has run in this process (the heavy ones did)
            await load(gw.url, tok, GATEWAY_SHAPE, clients=8, seconds=seconds)
            soak_start = rss(gw.pid)

            async def sampled() -> list[float]:  # RSS at each tenth of the soak
                samples = []
                for _ in range(10):
                    await asyncio.sleep(soak / 10)
                    samples.append(rss(gw.pid))
                return samples

            samples, *runs = await asyncio.gather(sampled(), *mixed)
            total = sum(r.requests for r in runs)
            print(
                f"  soak {soak:.0f} s, {total:,.0f} requests: gateway RSS {rss_start:.0f} MiB"
                f" fresh, {soak_start:.0f} after a warm-up pass of every scenario, then every"
                f" {soak / 10:.0f} s: {' '.join(f'{x:.0f}' for x in samples)};"
                f" end {rss(gw.pid):.0f}; load average {os.getloadavg()[0]:.1f}",
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
    executive = await first_user(dsn, sql.load("first_user_of_role"), "executive")
    heavy_tok = token(settings, executive, "executive")
    if args.only in (None, "side"):
        await side_by_side(dsn, settings, tok, args.seconds)
    if args.only in (None, "load"):
        await under_load(dsn, settings, tok, heavy_tok, args.seconds, args.soak_seconds)


if __name__ == "__main__":
    asyncio.run(main())
