"""``python -m bench.realtime``: live ticketChanged delivery under load.

N concurrent subscribers (distinct users: a third agents, a third team leads, a third managers),
each on its own websocket (graphql-transport-ws), while a writer makes M ticket changes per
second for T seconds with plain SQL. Prints change-to-client latency (from the writer's commit
to the client's receipt, same clock), delivered vs expected events (expected computed from each
changed ticket's team and agent with the README's rule), SQL statements per change (from the
hub's counters), and the gateway process's CPU and memory.

Setup (each run): a fresh database on the embedded server (``.data/bench-realtime``; or the
server of ``DATABASE_URL``), migrated and seeded with ``--tickets``, bench users added, and
``--tickets-per-agent`` tickets given to each bench agent. The gateway runs in its own process
(``support-gateway serve``); clients run in ``--client-procs`` processes so that they do not share
the gateway's CPU accounting or a GIL with it.

Full size (the issue's goal): ``--subscribers 1000 --rate 50 --seconds 60``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np

from bench.harness import process_stats
from gateway.auth import mint_token
from gateway.embedded import EmbeddedPostgres, free_port
from gateway.migrate import migrate
from gateway.seeding import seed_database
from gateway.settings import Settings, load_settings

QUERIES = Path(__file__).parent / "queries"
SUBSCRIPTION = "subscription { ticketChanged { seq op ticketId ticket { id subject } } }"
MARK = re.compile(r'"subject":"bench (\d+)"')
MANAGERS = ("manager",)


def q(query: str, **identifiers: str) -> str:
    """bench/queries/<query>.sql with ``{x}`` filled by generated identifiers only."""
    text = (QUERIES / f"{query}.sql").read_text("utf-8")
    for key, value in identifiers.items():
        assert value.replace("_", "").isalnum(), value
        text = text.replace("{" + key + "}", value)
    return text


@dataclass(frozen=True)
class Sub:
    token: str
    role: str
    agent_id: str | None
    team_id: str | None


# --- clients (separate processes) --------------------------------------------------------------


async def _client_main(
    worker: int, url: str, subs: list[Sub], ready: Any, stop: Any, out: Any
) -> None:
    import websockets

    receipts: list[tuple[int, int, float]] = []
    errors: Counter[str] = Counter()

    async def connect(sub: Sub) -> Any:
        ws = await websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_queue=None,
            open_timeout=60,
        )
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {sub.token}"}}
            )
        )
        await ws.recv()
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        return ws

    async def receive(index: int, ws: Any) -> None:
        async for raw in ws:
            now = time.time()
            text = raw if isinstance(raw, str) else raw.decode()
            m = MARK.search(text)
            if m:
                receipts.append((index, int(m.group(1)), now))
            else:
                errors[text[:80]] += 1

    sockets: list[Any] = []
    for start in range(0, len(subs), 50):  # connect in batches of 50
        sockets += await asyncio.gather(*(connect(s) for s in subs[start : start + 50]))
    tasks = [asyncio.create_task(receive(i, ws)) for i, ws in enumerate(sockets)]
    ready.set()
    await asyncio.to_thread(stop.wait)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    arr = np.array(receipts, dtype=np.float64).reshape(-1, 3)
    out.put((worker, arr.tobytes(), dict(errors)))


def _client_process(
    worker: int, url: str, subs: list[Sub], ready: Any, stop: Any, out: Any
) -> None:
    """A client process: ``subs`` are the global subscribers ``worker::procs``."""
    asyncio.run(_client_main(worker, url, subs, ready, stop, out))


# --- setup ---------------------------------------------------------------------------------


async def _database(settings: Settings, tickets: int) -> tuple[str, str, str]:
    """(server url, run database url, run database name)."""
    if settings.database_url:
        server = settings.database_url
    else:
        folder = settings.data_dir / "bench-realtime"
        folder.mkdir(parents=True, exist_ok=True)
        server = EmbeddedPostgres(folder).start()
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


class Gateway:
    """``support-gateway serve`` in its own process, logs to a file (never a full pipe)."""

    def __init__(self, dsn: str, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # kept open for the gateway process's lifetime (a pipe nobody reads would fill up)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-rt-gw-", suffix=".log")  # noqa: SIM115
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "GATEWAY_PORT": str(self.port),
            "SUPABASE_JWT_SECRET": settings.jwt_secret,
            "GATEWAY_POOL_MAX": "10",
        }
        exe = Path(sys.executable).parent / "support-gateway"
        self.proc = subprocess.Popen(
            [str(exe), "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("gateway did not start")

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(self.url + "/realtime/stats", timeout=10).json()
        return body

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)
        self.log.close()


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


def run(subscribers: int, rate: float, seconds: float, tickets: int, procs: int) -> None:
    settings = load_settings()
    server, dsn, name = asyncio.run(_database(settings, tickets))
    try:
        subs, pool = asyncio.run(_users(dsn, settings.jwt_secret, subscribers, 3))
        gateway = Gateway(dsn, settings)
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        out = ctx.Queue()
        workers, readies = [], []
        for w in range(procs):
            ready = ctx.Event()
            part = subs[w::procs]
            ws_url = gateway.url.replace("http", "ws") + "/graphql"
            p = ctx.Process(target=_client_process, args=(w, ws_url, part, ready, stop, out))
            p.start()
            workers.append((p, w))
            readies.append(ready)
        for ready in readies:
            ready.wait(300)
        deadline = time.monotonic() + 120
        while gateway.stats()["subscriptions"] < len(subs) and time.monotonic() < deadline:
            time.sleep(0.2)
        before = gateway.stats()
        cpu0, _ = process_stats(gateway.proc.pid)
        rss: list[float] = []
        t0 = time.monotonic()

        async def write_and_sample() -> list[Any]:
            writer = asyncio.create_task(_write(dsn, pool, rate, seconds))
            while not writer.done():
                rss.append(process_stats(gateway.proc.pid)[1])
                await asyncio.sleep(0.5)
            return await writer

        changes = asyncio.run(write_and_sample())
        wall = time.monotonic() - t0
        # drain: wait until deliveries stop growing
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 2.0:
            delivered = gateway.stats()["delivered"]
            if delivered != last:
                last, quiet_since = delivered, time.monotonic()
            time.sleep(0.2)
        cpu1, rss_end = process_stats(gateway.proc.pid)
        after = gateway.stats()
        stop.set()
        results = [out.get(timeout=120) for _ in workers]
        for p, _ in workers:
            p.join(30)
        gateway.close()
    finally:
        asyncio.run(_drop(server, name))
    _report(
        subs,
        workers,
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
    )


async def _drop(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(q("rt_drop_database", name=name))
    finally:
        await conn.close()


def _report(
    subs: list[Sub],
    workers: list[Any],
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
) -> None:
    procs = len(workers)
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
        f"{rate:g} changes/s for {seconds:g} s, {procs} client processes"
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
        f"  SQL statements per change    {statements / max(n_changes, 1):.2f} "
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
    args = parser.parse_args()
    run(args.subscribers, args.rate, args.seconds, args.tickets, args.client_procs)


if __name__ == "__main__":
    main()
