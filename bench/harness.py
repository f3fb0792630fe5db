"""Benchmark plumbing: a database at a fixed size, a gateway in its own process, timers.

The gateway runs as a separate ``support-gateway serve`` process so the load generator does not
share its event loop or GIL. Latencies are wall-clock per request, measured by an httpx client
on loopback; SQL times are the same statements run directly over asyncpg inside the same kind
of transaction the gateway opens (role and claims set), so "API ÷ SQL" is the gateway's overhead.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from gateway.auth import Principal, mint_token
from gateway.embedded import EmbeddedPostgres, free_port
from gateway.migrate import migrate
from gateway.settings import Settings
from synthetic import database_is_empty, seed_database

#: A benchmark drives many requests from one token and many sockets at once: the per-principal
#: rate and concurrency limits and the unauthenticated-socket cap are out of its way.
BENCH_LIMITS = (
    "default.concurrency=100000,default.burst=100000000,default.rate_per_second=100000000"
)

#: The fixed end of the benchmark data set, so every run measures the same rows.
BENCH_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Timing:
    """Latency summary in milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> Timing:
        xs = sorted(samples_ms)

        def pct(p: float) -> float:
            k = (len(xs) - 1) * p
            lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
            return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

        return cls(len(xs), pct(0.5), pct(0.95), pct(0.99), statistics.fmean(xs))


async def prepare_database(settings: Settings, tickets: int, days: int) -> str:
    """A migrated database with ``tickets`` seeded tickets (reused across runs)."""
    if settings.database_url:
        dsn = settings.database_url
    else:
        folder = settings.data_dir / f"bench-{tickets}"
        folder.mkdir(parents=True, exist_ok=True)
        dsn = EmbeddedPostgres(folder, throwaway=True).start()
    await migrate(dsn)
    if await database_is_empty(dsn):
        print(f"seeding {tickets:,} tickets over {days} days (once) …", flush=True)
        summary = await seed_database(dsn, tickets=tickets, days=days, seed=42, end=BENCH_END)
        print(f"seeded in {summary.elapsed_seconds:.1f}s", flush=True)
    return dsn


class GatewayProcess:
    """``support-gateway serve`` on a free loopback port, in its own process.

    Use as a context manager, or ``start()`` / ``close()``. The process logs to a temporary
    file (a pipe nobody reads would fill up and stall it).
    """

    def __init__(
        self,
        dsn: str,
        settings: Settings,
        *,
        pool_max: int = 8,
        workers: int = 1,
        limits: str = BENCH_LIMITS,
    ) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "GATEWAY_PORT": str(self.port),
            "SUPABASE_JWT_SECRET": settings.jwt_secret,
            "GATEWAY_POOL_MAX": str(pool_max),
            "GATEWAY_LIMITS": limits,
            "GATEWAY_WS_MAX_UNAUTHENTICATED": "100000",
            "GATEWAY_LOG_FORMAT": "text",
            # no insights training in the background of latency benches (bench.insights times it)
            "INSIGHTS_PREDICT_HOURS": "off",
            # no access line per request, like the peer's disableQueryLog (bench/postgraphile)
            "GATEWAY_ACCESS_LOG": "off",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: Any = None

    def start(self) -> GatewayProcess:
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gw-", suffix=".log")  # noqa: SIM115
        exe = Path(sys.executable).parent / "support-gateway"
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--workers", str(self.workers)],
            env=self._env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30 * self.workers
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.close()  # not left running behind a failed benchmark
        raise RuntimeError("gateway did not start")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)  # uvicorn lets running requests finish first
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self.log is not None:
            self.log.close()

    def __enter__(self) -> GatewayProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stats(self) -> dict[str, Any]:
        """The realtime hub's counters (an overloaded gateway may take a while to answer)."""
        body: dict[str, Any] = httpx.get(self.url + "/realtime/stats", timeout=120).json()
        return body


async def first_user(dsn: str, query: str, role: str) -> Any:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(query, role)
    finally:
        await conn.close()
    assert row is not None, f"no seeded user with role {role}"
    return row["id"]


def token(settings: Settings, user_id: Any, role: str) -> str:
    return mint_token(settings.jwt_secret, user_id=user_id, app_role=role, ttl_seconds=3600)


async def time_api(
    client: httpx.AsyncClient, url: str, tok: str, query: str, variables: dict[str, Any], n: int
) -> tuple[Timing, int]:
    """Sequential requests: latency percentiles and SQL statements per request."""
    samples: list[float] = []
    statements = 0
    headers = {"Authorization": f"Bearer {tok}"}
    for i in range(n + 3):
        t0 = time.perf_counter()
        resp = await client.post(
            url + "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        elapsed = (time.perf_counter() - t0) * 1000
        body = resp.json()
        if "errors" in body:
            raise RuntimeError(f"benchmark query failed: {body['errors']}")
        statements = body.get("extensions", {}).get("sqlStatements", 0)
        if i >= 3:  # warm-up
            samples.append(elapsed)
    return Timing.of(samples), statements


async def throughput(
    client: httpx.AsyncClient,
    url: str,
    tok: str,
    query: str,
    variables: dict[str, Any],
    seconds: float,
    concurrency: int,
) -> float:
    """Requests per second with ``concurrency`` clients for ``seconds``."""
    deadline = time.perf_counter() + seconds
    done = 0
    headers = {"Authorization": f"Bearer {tok}"}

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            resp = await client.post(
                url + "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            resp.raise_for_status()
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - start)


async def time_sql(
    dsn: str,
    principal: Principal,
    setup: str,
    statements: Sequence[tuple[str, Sequence[Any]]],
    n: int,
) -> Timing:
    """The same SQL the gateway runs, straight over asyncpg, in a role-scoped transaction."""
    conn = await asyncpg.connect(dsn)
    samples: list[float] = []
    try:
        for i in range(n + 3):
            t0 = time.perf_counter()
            async with conn.transaction(readonly=True):
                await conn.execute(setup, principal.role, principal.claims_json(), "15000")
                for text, args in statements:
                    await conn.fetch(text, *args)
            if i >= 3:
                samples.append((time.perf_counter() - t0) * 1000)
    finally:
        await conn.close()
    return Timing.of(samples)


def family(pid: int) -> list[int]:
    """``pid`` and its child processes (``serve --workers N``: the workers)."""
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def process_stats(pid: int) -> tuple[float, float]:
    """CPU seconds and resident MiB of process ``pid`` (from /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().split(")")[-1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return cpu, rss / 1024


Runner = Callable[[], Awaitable[None]]
