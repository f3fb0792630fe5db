"""``python -m bench.privacy``: partition lookups and the retention run's locks at 1M tickets.

The retention part deletes and archives data: run it on a copy of the benchmark database
(``DATABASE_URL``; e.g. ``createdb -T postgres bench_privacy``). The database is migrated first.

Partition lookups
    The latest 3 interactions of 50 tickets (a ticket page's ``interactions(last: 3)``), under a
    manager's role and claims as the gateway runs it, for 20 random pages and the newest page:
    *before* — the layout and query of migration 20261202006300 (months created three ahead, the
    statement planned at every call as the gateway's sessions do, no bound: every monthly
    partition probed) — and *after* — migration 20261203003100 (months one ahead,
    ``app.latest_interactions``: one generic plan per connection, the ticket's created_at as
    lower bound so earlier months are pruned at run time), in alternating rounds so the
    machine's load hits both alike. Prints the median per page and the ratio.

Retention locks
    A retention run with a policy that archives the oldest months of interactions, deletes older
    message bodies and anonymises older tickets, while a writer (an interaction on a recent
    ticket, and an update of a ticket the run is anonymising, every 20 ms), a reader (a simple
    query every 20 ms) and a sampler (``pg_stat_activity``/``pg_locks`` every 20 ms: sessions
    waiting for a lock the run's backend holds) run beside it. Prints every step's transaction
    duration (each step holds its locks at most that long; ``lock_timeout`` 500 ms), the longest
    lock wait the sampler saw, and the writer's and reader's latency during the run beside the
    same measured alone just before it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

import sql
from bench.harness import first_user
from gateway.auth import Principal
from gateway.migrate import migrate
from gateway.privacy.retention import run_retention
from gateway.settings import RETENTION_DEFAULTS, load_settings

QUERIES = Path(__file__).parent / "queries"
PAGE = 50


def _q(name: str) -> str:
    return (QUERIES / f"{name}.sql").read_text("utf-8")


def _pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))] if s else float("nan")


async def _pages(conn: asyncpg.Connection, n: int) -> list[list[int]]:
    row = await conn.fetchrow(_q("privacy_ticket_range"))
    rng = random.Random(42)
    pages = [rng.sample(range(int(row["lo"]), int(row["hi"]) + 1), PAGE) for _ in range(n)]
    return [*pages, list(await conn.fetchval(_q("privacy_newest_tickets")))]


async def _time_pages(
    conn: asyncpg.Connection, principal: Principal, query: str, pages: list[list[int]]
) -> list[float]:
    out = []
    for page in pages:
        t0 = time.perf_counter()
        async with conn.transaction(readonly=True):
            await conn.execute(
                sql.load("session_setup"), principal.role, principal.claims_json(), "15000"
            )
            await conn.fetch(query, page, 3)
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def lookups(dsn: str, principal: Principal, rounds: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        pages = await _pages(conn, 20)
        old, new = _q("privacy_lookup_unbounded"), sql.load("interactions_latest_by_tickets")
        # every page read once by both first: the rounds compare warm lookups
        await _time_pages(conn, principal, old, pages)
        await _time_pages(conn, principal, new, pages)
        times: dict[str, list[list[float]]] = {"before": [], "after": []}
        counts = {}
        for _ in range(rounds):
            await conn.fetchval(_q("privacy_layout_before"))
            counts["before"] = await conn.fetchval(_q("privacy_partition_count"))
            times["before"].append(await _time_pages(conn, principal, old, pages))
            await conn.fetchval(_q("privacy_layout_after"))
            counts["after"] = await conn.fetchval(_q("privacy_partition_count"))
            times["after"].append(await _time_pages(conn, principal, new, pages))
    finally:
        await conn.close()
    print(
        f"latest 3 interactions of {PAGE} tickets ({rounds} alternating rounds, warm, manager, "
        "RLS on; before: months three ahead, planned per call, no bound; after: one ahead, "
        "app.latest_interactions: generic plan, ticket bound)"
    )
    for label, pick in (("20 random pages", slice(0, -1)), ("newest page   ", slice(-1, None))):
        b = [x for r in times["before"] for x in r[pick]]
        a = [x for r in times["after"] for x in r[pick]]
        mb, ma = statistics.median(b), statistics.median(a)
        print(
            f"  {label}  before ({counts['before']} partitions) median {mb:6.2f} ms p95 "
            f"{_pct(b, 0.95):6.2f}   after ({counts['after']} partitions) median {ma:6.2f} ms "
            f"p95 {_pct(a, 0.95):6.2f}   ratio {mb / ma:.2f}"
        )


async def _loop(
    dsn: str, stop: asyncio.Event, fn: Any, samples: list[float], every: float = 0.02
) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            t0 = time.perf_counter()
            await fn(conn)
            samples.append(time.perf_counter() - t0)
            await asyncio.sleep(every)
    finally:
        await conn.close()


async def retention(dsn: str, policy: dict[str, int], alone_seconds: float) -> None:
    now = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        recent = list(await conn.fetchval(_q("privacy_newest_tickets")))
        cutoff = now.timestamp() - policy["tickets"] * 86400
        old = list(
            await conn.fetchval(_q("privacy_old_tickets"), datetime.fromtimestamp(cutoff, UTC))
        )
    finally:
        await conn.close()
    rng = random.Random(7)
    writer_q, touch_q = _q("privacy_writer_interaction"), _q("privacy_writer_ticket")
    reader_q, sample_q = _q("privacy_reader"), _q("privacy_lock_sample")

    async def write(c: asyncpg.Connection) -> None:
        await c.execute(writer_q, rng.choice(recent))
        await c.execute(touch_q, rng.choice(old))

    async def read(c: asyncpg.Connection) -> None:
        await c.fetchval(reader_q, rng.choice(recent))

    waits: list[float] = []
    blocked_samples = seen_samples = 0

    async def sample(c: asyncpg.Connection) -> None:
        nonlocal blocked_samples, seen_samples
        row = await c.fetchrow(sample_q)
        seen_samples += row is not None and row["retention_pid"] is not None
        if row is not None and row["blocked"]:
            blocked_samples += 1
            waits.append(float(row["longest_wait_seconds"]))

    async def phase(seconds: float | None) -> tuple[list[float], list[float], Any]:
        stop = asyncio.Event()
        w: list[float] = []
        r: list[float] = []
        tasks = [
            asyncio.create_task(_loop(dsn, stop, write, w)),
            asyncio.create_task(_loop(dsn, stop, read, r)),
            asyncio.create_task(_loop(dsn, stop, sample, [])),
        ]
        report = None
        try:
            if seconds is None:
                with tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
                    report = await run_retention(dsn, policy, Path(folder), now=now)
            else:
                await asyncio.sleep(seconds)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
        return w, r, report

    w_alone, r_alone, _ = await phase(alone_seconds)
    t0 = time.perf_counter()
    w_during, r_during, report = await phase(None)
    took = time.perf_counter() - t0
    assert report is not None
    steps = report.step_seconds
    print(f"retention run, policy {policy} (now {now:%Y-%m-%d})")
    for key, n in sorted(report.done.items()):
        print(f"  {key:55s} {n:>10,}")
    print(
        f"  {len(steps):,} steps in {took:.0f} s; step transaction (= longest lock hold) "
        f"p50 {_pct(steps, 0.5) * 1000:.1f} ms, p99 {_pct(steps, 0.99) * 1000:.1f} ms, "
        f"max {max(steps) * 1000:.1f} ms; steps over 1 s: {sum(s > 1 for s in steps)}"
    )
    for seconds, what in report.slowest:
        print(f"    {seconds * 1000:8.1f} ms  {what}")
    print(
        f"  sampler (every 20 ms): {seen_samples} samples found the run's backend, "
        f"{blocked_samples} saw a session waiting for its locks; longest wait seen "
        f"{max(waits, default=0.0) * 1000:.1f} ms"
    )
    for name, alone, during in (("writer", w_alone, w_during), ("reader", r_alone, r_during)):
        a50, d50 = _pct(alone, 0.5) * 1000, _pct(during, 0.5) * 1000
        print(
            f"  {name}: alone p50 {a50:6.2f} ms p99 {_pct(alone, 0.99) * 1000:7.2f} ms max "
            f"{max(alone) * 1000:7.1f} ms ({len(alone)});  during p50 {d50:6.2f} ms p99 "
            f"{_pct(during, 0.99) * 1000:7.2f} ms max {max(during) * 1000:7.1f} ms "
            f"({len(during)});  p50 ratio {d50 / a50:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--alone-seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=("lookups", "retention"))
    parser.add_argument(
        "--keep-days",
        default="interactions=153,message_bodies=140,tickets=170",
        help="retention days per data class for the run (others: the defaults)",
    )
    args = parser.parse_args()
    settings = load_settings()
    if not settings.database_url:
        raise SystemExit("set DATABASE_URL to a copy of the benchmark database")
    dsn = settings.database_url
    policy = dict(RETENTION_DEFAULTS)
    policy.update({k: int(v) for k, v in (kv.split("=") for kv in args.keep_days.split(","))})

    async def run() -> None:
        await migrate(dsn)
        if args.only != "retention":
            user = await first_user(dsn, sql.load("first_user_of_role"), "manager")
            claims = {"sub": str(user), "role": "authenticated", "app_role": "manager"}
            principal = Principal(user, "authenticated", "manager", claims, None)
            await lookups(dsn, principal, args.rounds)
        if args.only != "lookups":
            await retention(dsn, policy, args.alone_seconds)

    asyncio.run(run())


if __name__ == "__main__":
    main()
