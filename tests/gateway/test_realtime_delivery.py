"""Exactly-once delivery: a database restart mid-stream, commits out of seq order, rollbacks.

These tests own a private Postgres server (the ``embedded_pg`` fixture) so they may restart it,
with their own migrated and seeded database and their own gateway.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from rt_support import TICKET_CHANGED, RtEnv, WsClient, build_database, serve
from testkit import tq

from gateway.embedded import EmbeddedPostgres
from gateway.settings import Settings

PRIORITIES = ("low", "normal", "high", "urgent")


@pytest.fixture(scope="module")
def private_env(embedded_pg: EmbeddedPostgres, gateway_settings: Settings) -> Iterator[RtEnv]:
    dsn = build_database(
        embedded_pg.url, f"rt_restart_{uuid.uuid4().hex[:8]}", tickets=400, days=14, seed=5
    )
    with serve(gateway_settings, dsn) as rt:
        yield rt


class Writer:
    """Changes ticket priorities (each a real change) and remembers what subscribers must see."""

    def __init__(self, env: RtEnv, tickets: list[Any]) -> None:
        self.env = env
        self.priority = {t["id"]: t["priority"] for t in tickets}
        self.ids = [t["id"] for t in tickets]
        self.expected: list[tuple[str, str]] = []

    def next_priority(self, ticket: int) -> str:
        current = self.priority[ticket]
        return PRIORITIES[(PRIORITIES.index(current) + 1) % len(PRIORITIES)]

    async def change(self, ticket: int, conn: asyncpg.Connection | None = None) -> None:
        value = self.next_priority(ticket)
        if conn is None:
            await self.env.owner("rt_set_priority", ticket, value)
        else:
            await conn.execute(tq("rt_set_priority"), ticket, value)
        self.priority[ticket] = value
        self.expected.append((str(ticket), value.upper()))

    async def burst(self, count: int) -> None:
        for i in range(count):
            await self.change(self.ids[i % len(self.ids)])


def seen(payloads: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for p in payloads:
        assert "errors" not in p, p
        c = p["data"]["ticketChanged"]
        out.append((c["ticketId"], c["ticket"]["priority"]))
    return out


async def _manager_stream(env: RtEnv) -> WsClient:
    client = await WsClient.connect(env, env.token(env.of_role("manager")[0]))
    before = (await env.stats())["subscriptions"]
    await client.subscribe(TICKET_CHANGED)
    await env.wait_stats("subscriptions", before + 1)
    return client


async def test_database_restart_loses_nothing_and_duplicates_nothing(
    private_env: RtEnv, embedded_pg: EmbeddedPostgres
) -> None:
    env = private_env
    client = await _manager_stream(env)
    writer = Writer(env, (await env.owner("rt_tickets"))[:12])
    await writer.burst(5)
    got = await client.collect(5)
    reconnects = (await env.stats())["reconnects"]

    await asyncio.to_thread(embedded_pg.restart)
    await writer.burst(6)  # written while the hub is still reconnecting (backoff)
    await env.wait_stats("reconnects", reconnects + 1, within=30)
    for _ in range(100):
        if (await env.stats())["connected"]:
            break
        await asyncio.sleep(0.1)
    await writer.burst(4)
    got += await client.collect(10, within=30)
    assert seen(got) == writer.expected
    seqs = [int(p["data"]["ticketChanged"]["seq"]) for p in got]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert await client.quiet(1.0) == []  # nothing twice
    await client.close()


async def test_late_commit_of_a_lower_seq_is_delivered_once(private_env: RtEnv) -> None:
    env = private_env
    client = await _manager_stream(env)
    writer = Writer(env, (await env.owner("rt_tickets"))[20:26])
    slow = await asyncpg.connect(env.dsn)
    try:
        tx = slow.transaction()
        await tx.start()
        first = writer.ids[0]
        await writer.change(first, conn=slow)  # takes the lower seq, commits last
        late = writer.expected.pop()
        await writer.change(writer.ids[1])  # higher seq, committed at once
        assert seen([await client.next_payload()]) == writer.expected
        assert await client.quiet(0.5) == []  # the open transaction's change is not visible
        await tx.commit()
        writer.expected.append(late)
        assert seen([await client.next_payload()]) == [late]
        await writer.change(writer.ids[2])
        assert seen([await client.next_payload()]) == [writer.expected[-1]]
        assert await client.quiet(0.5) == []
    finally:
        await slow.close()
    await client.close()


async def test_rolled_back_change_leaves_no_event_and_no_stuck_gap(private_env: RtEnv) -> None:
    env = private_env
    client = await _manager_stream(env)
    writer = Writer(env, (await env.owner("rt_tickets"))[30:34])
    doomed = await asyncpg.connect(env.dsn)
    try:
        tx = doomed.transaction()
        await tx.start()
        await doomed.execute(tq("rt_set_priority"), writer.ids[0], "urgent")
        await writer.change(writer.ids[1])  # above the doomed seq: a gap is pending
        assert seen([await client.next_payload()]) == writer.expected
        await tx.rollback()
    finally:
        await doomed.close()
    await writer.change(writer.ids[2])
    assert seen([await client.next_payload()]) == writer.expected[-1:]
    for _ in range(50):  # the gap is settled once the rolled-back transaction is gone
        if (await env.stats())["pendingGaps"] == 0:
            break
        await asyncio.sleep(0.1)
    assert (await env.stats())["pendingGaps"] == 0
    assert await client.quiet(0.3) == []
    await client.close()
