"""Shared subscription streams (gateway.realtime.fanout) end to end: real uvicorn, real sockets.

Subscribers with the same rights, document and variables share one stream; each still gets
every event once, under its own operation id, and leaving or failing affects nobody else.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from rt_support import RtEnv, WsClient, build_database, serve

from gateway.settings import Settings

TICKET_CHANGED = "subscription { ticketChanged { seq op ticketId ticket { id priority } } }"
URGENT_ONLY = (
    "subscription($p: [Priority!]) { ticketChanged(filter: {priority: $p}) { seq ticketId } }"
)
SECONDS = 10.0


@pytest.fixture(scope="module")
def env(pg_server: str, gateway_settings: Settings) -> Iterator[RtEnv]:
    dsn = build_database(
        pg_server, f"rtfan_{os.getpid()}_{uuid.uuid4().hex[:6]}", tickets=400, days=10, seed=5
    )
    with serve(gateway_settings, dsn) as rt:
        yield rt


async def _next(client: WsClient) -> dict[str, Any]:
    message = await client.message(SECONDS)
    assert message["type"] == "next", message
    return message


async def _subscribed(env: RtEnv, count: int, before: dict[str, Any]) -> dict[str, Any]:
    return await env.wait_stats("subscriptions", before["subscriptions"] + count)


async def test_same_rights_and_document_share_one_stream_each_event_once(env: RtEnv) -> None:
    managers = env.of_role("manager")[:3]
    assert len(managers) >= 2
    agent = next(u for u in env.of_role("agent") if u.agent_id is not None)
    before = await env.stats()
    clients = []
    for i, user in enumerate([*managers, agent]):
        client = await WsClient.connect(env, env.token(user))
        await client.subscribe(TICKET_CHANGED, op_id=f"op-{i}")
        clients.append(client)
    stats = await _subscribed(env, len(clients), before)
    # the managers share one stream, the agent has their own
    assert stats["sharedStreams"] - before["sharedStreams"] == 2
    assert stats["sharedMembers"] - before["sharedMembers"] == len(clients)

    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "urgent")
    await env.owner("rt_set_priority", ticket["id"], "urgent")
    for i, client in enumerate(clients[:-1]):
        message = await _next(client)
        assert message["id"] == f"op-{i}"  # each member's own operation id
        change = message["payload"]["data"]["ticketChanged"]
        assert change["ticketId"] == str(ticket["id"])
        assert change["ticket"]["priority"] == "URGENT"
        assert await client.quiet(0.5) == []  # once
    seen_by_agent = ticket["assigned_agent_id"] == agent.agent_id
    assert bool(await clients[-1].quiet(1.0)) == seen_by_agent
    for client in clients:
        await client.close()


async def test_variables_split_streams_and_a_member_leaving_stops_nobody(env: RtEnv) -> None:
    managers = env.of_role("manager")[:2]
    before = await env.stats()
    a = await WsClient.connect(env, env.token(managers[0]))
    b = await WsClient.connect(env, env.token(managers[1]))
    await a.subscribe(URGENT_ONLY, {"p": ["URGENT"]})
    await b.subscribe(URGENT_ONLY, {"p": ["URGENT"]})
    await b.subscribe(URGENT_ONLY, {"p": ["LOW"]}, op_id="2")
    stats = await _subscribed(env, 3, before)
    assert stats["sharedStreams"] - before["sharedStreams"] == 2  # URGENT and LOW

    await a.ws.send('{"id": "1", "type": "complete"}')  # a leaves; b stays on the stream
    await env.wait_stats("sharedMembers", before["sharedMembers"] + 2)
    # neither urgent nor low: the LOW stream hears nothing of it (not even a removal)
    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] in ("medium", "high"))
    await env.owner("rt_set_priority", ticket["id"], "urgent")
    message = await _next(b)
    assert message["id"] == "1"
    assert message["payload"]["data"]["ticketChanged"]["ticketId"] == str(ticket["id"])
    assert await a.quiet(0.5) == []

    await b.close()
    await a.close()
    after = await _settled(env, before)
    assert after["sharedStreams"] == before["sharedStreams"]
    assert after["subscriptions"] == before["subscriptions"]


async def _settled(env: RtEnv, before: dict[str, Any]) -> dict[str, Any]:
    """Stats once every stream of this test has stopped (its hub subscription too)."""
    for _ in range(100):
        stats = await env.stats()
        if (
            stats["sharedStreams"] == before["sharedStreams"]
            and stats["subscriptions"] == before["subscriptions"]
        ):
            return stats
        await asyncio.sleep(0.1)
    return await env.stats()


async def test_an_invalid_document_is_an_error_for_its_subscriber_only(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    good = await WsClient.connect(env, env.token(manager))
    bad = await WsClient.connect(env, env.token(manager))
    before = await env.stats()
    await good.subscribe(TICKET_CHANGED)
    await _subscribed(env, 1, before)
    await bad.subscribe("subscription { ticketChanged { noSuchField } }", op_id="x")
    error = await bad.message(SECONDS)
    assert error["type"] == "error" and error["id"] == "x"
    assert "noSuchField" in error["payload"][0]["message"]

    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "low")
    await env.owner("rt_set_priority", ticket["id"], "low")
    assert (await _next(good))["payload"]["data"]["ticketChanged"]["ticketId"] == str(ticket["id"])
    await good.close()
    await bad.close()


async def test_the_legacy_protocol_keeps_its_own_pipeline(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    before = await env.stats()
    legacy = await WsClient.connect(env, env.token(manager), protocol="graphql-ws")
    await legacy.subscribe(TICKET_CHANGED)
    await _subscribed(env, 1, before)
    stats = await env.stats()
    assert stats["sharedMembers"] == before["sharedMembers"]
    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "high")
    await env.owner("rt_set_priority", ticket["id"], "high")
    assert (await legacy.next_payload(SECONDS))["data"]["ticketChanged"]["ticketId"] == str(
        ticket["id"]
    )
    await legacy.close()
