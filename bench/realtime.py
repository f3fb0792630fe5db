"""``python -m bench.realtime``: live ticketChanged delivery under load.

N concurrent subscribers (distinct users: a third agents, a third team leads, a third managers),
each on its own websocket (graphql-transport-ws), while a writer makes M ticket changes per
second for T seconds with plain SQL. Prints change-to-client latency (from the writer's commit
to the client's receipt, same clock), delivered vs expected events (expected computed from each
changed ticket's team and agent with the README's rule), SQL statements per change (from the
hub's counters), and the gateway process's CPU and memory.

Setup (each run): a fresh database on the embedded server (``.data/bench-realtime``; or the
server of ``DATABASE_URL``), migrated and seeded with ``--tickets``, bench users added, and three
tickets given to each bench agent. The gateway runs in its own process (``support-gateway
serve``), or ``--gateways N`` processes with the subscribers spread over them (what a load
balancer does; each process has its own hub and LISTEN connection); clients run in
``--client-procs`` processes so that they do not share the gateway's CPU or a GIL with it.
Clients decline permessage-deflate: the figure of interest is the gateway's own cost.

Full size (the issue's goal): ``--subscribers 1000 --rate 50 --seconds 60``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np

from bench.harness import GatewayProcess, process_stats
from bench.rt_clients import Sub, client_process
from gateway.auth import mint_token
from gateway.embedded import EmbeddedPostgres
from gateway.migrate import migrate
from gateway.settings import Settings, load_settings
from synthetic import seed_database

QUERIES = Path(__file__).parent / "queries"
MANAGERS = ("manager",)


def q(query: str, **identifiers: str) -> str:
    """bench/queries/<query>.sql with ``{x}`` filled by generated identifiers only."""
    text = (QUERIES / f"{query}.sql").read_text("utf-8")
    for key, value in identifiers.items():
        assert value.replace("_", "").isalnum(), value
        text = text.replace("{" + key + "}", value)
    return text


# --- setup ---------------------------------------------------------------------------------


async def _database(settings: Settings, tickets: int) -> tuple[str, str, str]:
    """(server url, run database url, run database name)."""
    if settings.database_url:
        server = settings.database_url
    else:
        folder = settings.data_dir / "bench-realtime"
        folder.mkdir(parents=True, exist_ok=True)
        server = EmbeddedPostgres(folder, throwaway=True).start()
    name = f"bench_rt_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(q("rt_create_database", name=name))
    finally:
        await conn.close()
    dsn = server.rsplit("/", 1)[0] + "/" + name
    await migrate(dsn)
    await seed_database(dsn, tickets=tickets, days=30, seed=42)
    return server, dsn, name


async def _users(dsn: str, secret: str, n: int, per_agent: int) -> tuple[list[Sub], list[Any]]:
    agents_n = n // 3
    leads_n = n // 3
    managers_n = n - agents_n - leads_n
    conn = await asyncpg.connect(dsn)
    try:
        agents = await conn.fetch(q("rt_add_agents"), agents_n)
        leads = await conn.fetch(q("rt_add_users"), leads_n, "team_lead")
        managers = await conn.fetch(q("rt_add_users"), managers_n, "manager")
        tickets = await conn.fetch(
            q("rt_assign_tickets"),
            [a["agent_id"] for a in agents],
            [a["team_id"] for a in agents],
            per_agent,
        )
    finally:
        await conn.close()

    def tok(user: Any, role: str) -> str:
        return mint_token(secret, user_id=user, app_role=role, ttl_seconds=4 * 3600)

    subs = [Sub(tok(a["user_id"], "agent"), "agent", str(a["agent_id"]), None) for a in agents]
    subs += [
        Sub(tok(r["user_id"], "team_lead"), "team_lead", None, str(r["team_id"])) for r in leads
    ]
    subs += [Sub(tok(r["user_id"], "manager"), "manager", None, None) for r in managers]
    return subs, list(tickets)


# --- the run -------------------------------------------------------------------------------


def _sees(sub: Sub, team: str, agent: str) -> bool:
    if sub.role in MANAGERS:
        return True
    if sub.role == "team_lead":
        return sub.team_id == team
    return sub.agent_id == agent


async def _write(dsn: str, tickets: list[Any], rate: float, seconds: float) -> list[Any]:
    """Ticket changes at ``rate`` per second; (number, ticket, commit time) of each."""
    rng = np.random.default_rng(7)
    conn = await asyncpg.connect(dsn)
    done: list[Any] = []
    try:
        total = int(rate * seconds)
        start = time.monotonic()
        for n in range(total):
            due = start + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            ticket = tickets[int(rng.integers(len(tickets)))]
            await conn.execute(q("rt_change"), ticket["id"], f"bench {n}")
            done.append((n, ticket, time.time()))
    finally:
        await conn.close()
    return done


def _pct(xs: np.ndarray, p: float) -> float:
    return float(np.percentile(xs, p)) if xs.size else float("nan")


def _progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


class Gateways:
    """Several gateway processes seen as one (counters summed)."""

    def __init__(self, dsn: str, settings: Settings, count: int) -> None:
        self.all = [GatewayProcess(dsn, settings, pool_max=10).start() for _ in range(count)]

    @property
    def urls(self) -> list[str]:
        return [g.url.replace("http", "ws") + "/graphql" for g in self.all]

    def stats(self) -> dict[str, Any]:
        total: dict[str, Any] = {}
        for g in self.all:
            for key, value in g.stats().items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    total[key] = total.get(key, 0) + value
        return total

    def process_stats(self) -> tuple[float, float]:
        """CPU seconds and resident MiB, summed over the processes."""
        cpu = rss = 0.0
        for g in self.all:
            c, r = process_stats(g.pid)
            cpu, rss = cpu + c, rss + r
        return cpu, rss

    def close(self) -> None:
        for g in self.all:
            g.close()


def run(
    subscribers: int, rate: float, seconds: float, tickets: int, procs: int, count: int = 1
) -> None:
    settings = load_settings()
    _progress(f"seeding a fresh database with {tickets:,} tickets")
    server, dsn, name = asyncio.run(_database(settings, tickets))
    gateway: Gateways | None = None
    workers: list[Any] = []
    try:
        subs, pool = asyncio.run(_users(dsn, settings.jwt_secret, subscribers, 3))
        gateway = Gateways(dsn, settings, count)
        _progress(f"{count} gateway process(es); connecting {len(subs)} subscribers")
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        out = ctx.Queue()
        readies = []
        for w in range(procs):
            ready = ctx.Event()
            p = ctx.Process(
                target=client_process,
                args=(w, gateway.urls, subs[w::procs], ready, stop, out),
            )
            p.start()
            workers.append(p)
            readies.append(ready)
        for ready in readies:
            ready.wait(300)
        deadline = time.monotonic() + 120
        while gateway.stats()["subscriptions"] < len(subs) and time.monotonic() < deadline:
            time.sleep(0.2)
        before = gateway.stats()
        _progress(f"{before['subscriptions']} subscriptions; writing {rate:g} changes/s")
        cpu0, _ = gateway.process_stats()
        rss: list[float] = []
        t0 = time.monotonic()

        async def write_and_sample() -> list[Any]:
            assert gateway is not None
            writer = asyncio.create_task(_write(dsn, pool, rate, seconds))
            while not writer.done():
                rss.append(gateway.process_stats()[1])
                await asyncio.sleep(0.5)
            return await writer

        changes = asyncio.run(write_and_sample())
        wall = time.monotonic() - t0
        _progress(f"{len(changes)} changes written in {wall:.1f} s; draining")
        # drain: every change read by the hub and every queue empty (or give up after 5 min)
        give_up = time.monotonic() + 300
        while time.monotonic() < give_up:
            stats = gateway.stats()
            if stats["changes"] - before["changes"] >= len(changes) and stats["queued"] == 0:
                break
            time.sleep(0.5)
        time.sleep(1.0)  # the last messages in flight
        cpu1, rss_end = gateway.process_stats()
        after = gateway.stats()
        _progress("collecting client receipts")
        stop.set()
        results = [out.get(timeout=300) for _ in workers]
        for p in workers:
            p.join(30)
    finally:
        for p in workers:
            if p.is_alive():
                p.terminate()
        if gateway is not None:
            gateway.close()
        asyncio.run(_drop(server, name))
    _report(
        subs,
        procs,
        results,
        changes,
        before,
        after,
        cpu1 - cpu0,
        wall,
        rss,
        rss_end,
        subscribers,
        rate,
        seconds,
        count,
    )


async def _drop(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(q("rt_drop_database", name=name))
    finally:
        await conn.close()


def _report(
    subs: list[Sub],
    procs: int,
    results: list[Any],
    changes: list[Any],
    before: dict[str, Any],
    after: dict[str, Any],
    cpu: float,
    wall: float,
    rss: list[float],
    rss_end: float,
    subscribers: int,
    rate: float,
    seconds: float,
    count: int,
) -> None:
    committed = {n: (ticket, at) for n, ticket, at in changes}
    expected: set[tuple[int, int]] = set()
    for n, (ticket, _) in committed.items():
        team, agent = str(ticket["team_id"]), str(ticket["assigned_agent_id"])
        for i, sub in enumerate(subs):
            if _sees(sub, team, agent):
                expected.add((i, n))
    latencies: list[float] = []
    seen: Counter[tuple[int, int]] = Counter()
    errors: Counter[str] = Counter()
    for worker, blob, errs in results:
        errors.update(errs)
        arr = np.frombuffer(blob, dtype=np.float64).reshape(-1, 3)
        for local, n, at in arr:
            key = (worker + int(local) * procs, int(n))  # worker w had subs[w::procs]
            seen[key] += 1
            if key in expected and seen[key] == 1:
                latencies.append((float(at) - committed[key[1]][1]) * 1000)
    delivered = sum(1 for k in expected if seen[k] >= 1)
    duplicates = sum(c - 1 for k, c in seen.items() if c > 1)
    extra = sum(c for k, c in seen.items() if k not in expected)
    lat = np.array(latencies)
    n_changes = len(committed)
    statements = (
        (after["sourceStatements"] - before["sourceStatements"])
        + (after["visibilityStatements"] - before["visibilityStatements"])
        + (after["dashboardStatements"] - before["dashboardStatements"])
    )
    roles = Counter(s.role for s in subs)
    print(
        f"\nRealtime benchmark: {subscribers} subscribers ({dict(roles)}), "
        f"{rate:g} changes/s for {seconds:g} s, {count} gateway process(es), "
        f"{procs} client processes"
    )
    print(f"  changes committed            {n_changes}")
    print(f"  expected deliveries          {len(expected)}")
    print(f"  delivered (once each)        {delivered}  missing {len(expected) - delivered}")
    print(f"  duplicates / unexpected      {duplicates} / {extra}")
    print(f"  client-side errors           {sum(errors.values())} {dict(errors) if errors else ''}")
    print(
        f"  latency ms p50 / p95 / p99 / max   {_pct(lat, 50):.1f} / {_pct(lat, 95):.1f} / "
        f"{_pct(lat, 99):.1f} / {float(lat.max()) if lat.size else float('nan'):.1f}"
    )
    print(
        f"  SQL statements per change    {statements / max(n_changes, 1):.2f} (all hubs) "
        f"(hub: {statements} for {n_changes} changes; "
        f"{after['batches'] - before['batches']} batches)"
    )
    print(
        f"  gateway CPU                  {cpu:.1f} s over {wall:.1f} s = {100 * cpu / wall:.0f}% "
        f"of one core"
    )
    print(f"  gateway RSS MiB peak / end   {max(rss or [rss_end]):.0f} / {rss_end:.0f}")
    print(f"  dropped subscriptions        {after['dropped'] - before['dropped']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="ticket changes per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tickets", type=int, default=20_000, help="seeded tickets")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--gateways", type=int, default=1, help="gateway processes")
    args = parser.parse_args()
    run(args.subscribers, args.rate, args.seconds, args.tickets, args.client_procs, args.gateways)


if __name__ == "__main__":
    main()
