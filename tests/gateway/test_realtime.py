"""Realtime subscriptions end to end: real uvicorn, real websocket clients, changes made with SQL.

The gateway runs over a private seeded database (changes here must not disturb other tests).
Expected deliveries are computed independently, in Python, from the rows before and after each
change and the visibility rule of the README (agent: own tickets; team lead: the team's;
manager: all), never from the gateway's own SQL.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rt_support import (
    LEGACY_WS,
    TICKET_CHANGED,
    Closed,
    RtEnv,
    User,
    WsClient,
    build_database,
    change_of,
    serve,
)

from gateway.auth import mint_token
from gateway.settings import Settings

DEADLINE_SECONDS = 2.0


@pytest.fixture(scope="module")
def env(pg_server: str, gateway_settings: Settings) -> Iterator[RtEnv]:
    dsn = build_database(
        pg_server, f"rt_{os.getpid()}_{uuid.uuid4().hex[:6]}", tickets=800, days=20, seed=11
    )
    with serve(gateway_settings, dsn) as rt:
        yield rt


def sees(user: User, team: Any, agent: Any) -> bool:
    """The README's ticket rule, written independently of the database's."""
    if user.app_role in ("manager", "executive", "admin", "analyst"):
        return True
    if user.app_role == "team_lead":
        return team is not None and team == user.team_id
    return user.app_role == "agent" and agent is not None and agent == user.agent_id


async def test_sql_change_reaches_subscriber_within_deadline(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    client = await WsClient.connect(env, env.token(manager))
    before = (await env.stats())["subscriptions"]
    await client.subscribe(TICKET_CHANGED)
    await env.wait_stats("subscriptions", before + 1)
    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "urgent")
    started = time.monotonic()
    await env.owner("rt_set_priority", ticket["id"], "urgent")
    payload = await client.next_payload(within=DEADLINE_SECONDS)
    latency = time.monotonic() - started
    change = payload["data"]["ticketChanged"]
    assert change["op"] == "UPDATE" and change["ticketId"] == str(ticket["id"])
    assert change["ticket"]["priority"] == "URGENT" and not change["removed"]
    assert latency < DEADLINE_SECONDS
    await client.close()


async def test_legacy_graphql_ws_protocol(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    client = await WsClient.connect(env, env.token(manager), protocol=LEGACY_WS)
    before = (await env.stats())["subscriptions"]
    await client.subscribe(TICKET_CHANGED)
    await env.wait_stats("subscriptions", before + 1)
    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "low")
    await env.owner("rt_set_priority", ticket["id"], "low")
    payload = await client.next_payload(within=DEADLINE_SECONDS)
    assert change_of(payload) == ("UPDATE", str(ticket["id"]), False)
    await client.close()


async def _subscribe_all(env: RtEnv, users: list[User]) -> list[WsClient]:
    before = (await env.stats())["subscriptions"]
    clients = []
    for user in users:
        client = await WsClient.connect(env, env.token(user))
        await client.subscribe(TICKET_CHANGED)
        clients.append(client)
    await env.wait_stats("subscriptions", before + len(users))
    return clients


def _pick_cast(env: RtEnv, tickets: list[Any]) -> dict[str, Any]:
    """An agent A (with tickets) in team TA whose lead has a user, an agent B in another team TB
    with tickets, and tickets of each kind the scenario needs."""
    leads = {u.team_id: u for u in env.of_role("team_lead")}
    agents = [u for u in env.of_role("agent") if u.agent_id is not None]
    by_agent: dict[Any, list[Any]] = {}
    for t in tickets:
        by_agent.setdefault(t["assigned_agent_id"], []).append(t)
    for a in agents:
        mine = [t for t in by_agent.get(a.agent_id, []) if t["team_id"] == a.team_id]
        if a.team_id not in leads or len(mine) < 3:
            continue
        others_in_team = [
            t for t in tickets if t["team_id"] == a.team_id and t["assigned_agent_id"] != a.agent_id
        ]
        for b in agents:
            theirs = [t for t in by_agent.get(b.agent_id, []) if t["team_id"] == b.team_id]
            if b.team_id == a.team_id or len(theirs) < 3 or not others_in_team:
                continue
            return {
                "A": a,
                "B": b,
                "lead": leads[a.team_id],
                "a_tickets": mine,
                "team_tickets": others_in_team,
                "b_tickets": theirs,
            }
    raise AssertionError("the seed has no suitable agents")


async def test_role_filtered_delivery(env: RtEnv) -> None:
    tickets = await env.owner("rt_tickets")
    cast = _pick_cast(env, tickets)
    a, b, lead = cast["A"], cast["B"], cast["lead"]
    manager = env.of_role("manager")[0]
    subscribers = [a, b, lead, manager]
    clients = await _subscribe_all(env, subscribers)
    state = {t["id"]: (t["team_id"], t["assigned_agent_id"]) for t in tickets}
    priority = {t["id"]: t["priority"] for t in tickets}

    def other_priority(ticket: int) -> str:
        return "low" if priority[ticket] != "low" else "urgent"

    a1, a2, a3 = (t["id"] for t in cast["a_tickets"][:3])
    t1 = cast["team_tickets"][0]["id"]
    b1, b2, b3 = (t["id"] for t in cast["b_tickets"][:3])
    template = a1

    # (op, ticket, team/agent before, team/agent after); None = no row before/after.
    changes: list[tuple[str, int, Any, Any]] = []

    async def update(ticket: int, query: str, *args: Any, after: Any = None) -> None:
        old = state[ticket]
        await env.owner(query, ticket, *args)
        new = after if after is not None else old
        state[ticket] = new
        changes.append(("UPDATE", ticket, old, new))

    for ticket in (a1, t1, b1):
        await update(ticket, "rt_set_priority", other_priority(ticket))
    await env.owner("rt_set_priority", b1, other_priority(b1))  # no-op: no change row, no event
    # a2 moves from A (team TA) to B (team TB); b2 moves from B to A.
    await update(a2, "rt_reassign", b.team_id, b.agent_id, after=(b.team_id, b.agent_id))
    await update(b2, "rt_reassign", a.team_id, a.agent_id, after=(a.team_id, a.agent_id))
    new_id = (
        await env.owner("rt_insert_ticket", template, a.team_id, a.agent_id, "realtime test", None)
    )[0]["id"]
    state[new_id] = (a.team_id, a.agent_id)
    changes.append(("INSERT", new_id, None, state[new_id]))
    await env.owner("rt_insert_interaction", t1)
    changes.append(("INTERACTION", t1, None, state[t1]))
    for gone in (b3, a3):  # a delete in another team, then one of A's tickets
        await env.owner("rt_delete_ticket", gone)
        changes.append(("DELETE", gone, state.pop(gone), None))

    for user, client in zip(subscribers, clients, strict=True):
        expected = []
        for op, ticket, old, new in changes:
            now = new is not None and sees(user, *new)
            was = old is not None and sees(user, *old)
            if op in ("UPDATE", "INSERT", "INTERACTION") and now:
                expected.append((op, str(ticket), False))
            elif op == "UPDATE" and was:
                expected.append(("UPDATE", str(ticket), True))
            elif op == "DELETE" and was:
                expected.append(("DELETE", str(ticket), True))
        got = [change_of(p) for p in await client.collect(len(expected), within=10)]
        assert got == expected, f"{user.app_role}: {got} != {expected}"
        assert await client.quiet(0.5) == [], f"{user.app_role} got extra events"
        await client.close()
    # the scenario covered every case for someone
    assert any(sees(a, *c[3]) for c in changes if c[0] == "INSERT")
    assert not sees(a, *changes[2][3])  # A never saw team TB's ticket b1


async def test_delete_in_another_team_does_not_reach_agent(env: RtEnv) -> None:
    tickets = await env.owner("rt_tickets")
    cast = _pick_cast(env, tickets)
    a = cast["A"]
    (client,) = await _subscribe_all(env, [a])
    foreign = next(t for t in cast["b_tickets"] if t["id"] in {x["id"] for x in tickets})
    await env.owner("rt_delete_ticket", foreign["id"])
    sentinel = cast["a_tickets"][0]["id"]
    current = next(t["priority"] for t in tickets if t["id"] == sentinel)
    await env.owner("rt_set_priority", sentinel, "low" if current != "low" else "high")
    assert change_of(await client.next_payload()) == ("UPDATE", str(sentinel), False)
    assert await client.quiet(0.3) == []
    await client.close()


async def test_filters_narrow_the_stream(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    client = await WsClient.connect(env, env.token(manager))
    before = (await env.stats())["subscriptions"]
    await client.subscribe(TICKET_CHANGED, {"filter": {"priority": ["URGENT"]}})
    await env.wait_stats("subscriptions", before + 1)
    candidates = [t for t in await env.owner("rt_tickets") if t["priority"] == "high"]
    first, second = candidates[0]["id"], candidates[1]["id"]
    await env.owner("rt_set_priority", first, "low")  # not urgent before nor after: nothing
    await env.owner("rt_set_priority", second, "urgent")  # becomes urgent: an update
    await env.owner("rt_set_priority", second, "normal")  # leaves the filter: a removal
    got = [change_of(p) for p in await client.collect(2)]
    assert got == [("UPDATE", str(second), False), ("UPDATE", str(second), True)]
    assert await client.quiet(0.3) == []
    await client.close()


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", LEGACY_WS])
async def test_bad_token_closes_with_4403_and_a_reason(
    env: RtEnv, gateway_settings: Settings, protocol: str
) -> None:
    expired = mint_token(
        gateway_settings.jwt_secret, user_id=uuid.uuid4(), app_role="manager", ttl_seconds=-3600
    )
    cases = [
        ({"Authorization": f"Bearer {expired}"}, "token expired"),
        ({"authorization": "Bearer not.a.jwt"}, "malformed token"),
        ({"token": expired}, "token expired"),
    ]
    for payload, reason in cases:
        with pytest.raises(Closed) as closed:
            await WsClient.connect(env, None, protocol=protocol, payload=payload)
        assert closed.value.code == 4403
        assert reason in closed.value.reason


async def test_anonymous_connection_may_not_subscribe(env: RtEnv) -> None:
    client = await WsClient.connect(env, None)
    await client.subscribe(TICKET_CHANGED)
    message = await client.message(5)
    assert message["type"] in ("next", "error")
    text = str(message["payload"])
    assert "signed-in user" in text
    await client.close()


async def test_dashboard_moves_when_a_ticket_is_resolved(env: RtEnv) -> None:
    managers = env.of_role("manager")
    query = """subscription { dashboardMetrics(period: LAST_24_HOURS, timezone: "Europe/Paris") {
        created resolved openBacklog overdue backlogByStatus { status count } computedAt
        volume: kpi(name: "ticket_volume") { value } backlog: kpi(name: "backlog") { value } } }"""
    first = await WsClient.connect(env, env.token(managers[0]))
    await first.subscribe(query)
    initial = (await first.next_payload())["data"]["dashboardMetrics"]
    # a second manager (another user, same rights) shares the scope and gets figures at once
    second = await WsClient.connect(env, env.token(managers[-1]))
    await second.subscribe(query)
    shared = (await second.next_payload())["data"]["dashboardMetrics"]
    assert shared["openBacklog"] == initial["openBacklog"]
    stats = await env.stats()
    assert stats["dashboardScopes"] == 1
    target = next(t for t in await env.owner("rt_tickets") if t["resolved_at"] is None)
    await env.owner("rt_resolve_ticket", target["id"])
    moved = [(await c.next_payload())["data"]["dashboardMetrics"] for c in (first, second)]
    for figures in moved:
        assert figures["openBacklog"] == initial["openBacklog"] - 1
        assert figures["resolved"] == initial["resolved"] + 1
        # the KPI engine's figures ride along and agree with the live counts
        assert figures["volume"]["value"] == figures["created"]
        assert figures["backlog"]["value"] == initial["backlog"]["value"] - 1
    assert moved[0]["computedAt"] == moved[1]["computedAt"]  # one recomputation for both
    after = await env.stats()
    assert after["dashboardRecomputations"] - stats["dashboardRecomputations"] == 1
    await first.close()
    await second.close()


async def test_dashboard_recomputes_at_most_once_a_second(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    client = await WsClient.connect(env, env.token(manager))
    await client.subscribe("subscription { dashboardMetrics(period: TODAY) { openBacklog } }")
    await client.next_payload()
    start = (await env.stats())["dashboardRecomputations"]
    open_ids = [t["id"] for t in await env.owner("rt_tickets") if t["resolved_at"] is None]
    began = time.monotonic()
    for ticket in open_ids[:6]:
        await env.owner("rt_resolve_ticket", ticket)
        await asyncio.sleep(0.1)
    await client.next_payload()
    await asyncio.sleep(1.2)
    elapsed = time.monotonic() - began
    done = (await env.stats())["dashboardRecomputations"] - start
    assert 1 <= done <= int(elapsed) + 1
    await client.close()


async def test_queue_metrics_subscription(env: RtEnv) -> None:
    lead = env.of_role("team_lead")[0]
    client = await WsClient.connect(env, env.token(lead))
    before = (await env.stats())["subscriptions"]
    await client.subscribe(
        "subscription { queueMetrics(queue: [CHAT]) { queue queueDepth longestWaitSeconds "
        "agentsAvailable } }"
    )
    await env.wait_stats("subscriptions", before + 1)
    bucket = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3650)
    await env.owner("rt_insert_queue_metric", "email", bucket, 4)  # another queue: filtered out
    await env.owner("rt_insert_queue_metric", "chat", bucket, 17)
    got = (await client.next_payload())["data"]["queueMetrics"]
    assert got == {
        "queue": "CHAT",
        "queueDepth": 17,
        "longestWaitSeconds": 300,
        "agentsAvailable": 3,
    }
    assert await client.quiet(0.3) == []
    await client.close()


async def test_connection_closes_when_its_token_expires(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    # expired 28 s ago: still inside the 30 s clock-skew leeway, so accepted, for about 2 s
    token = env.token(manager, ttl=-28)
    client = await WsClient.connect(env, token)
    await client.subscribe(TICKET_CHANGED)
    with pytest.raises(Closed) as closed:
        await client.message(10)
    assert closed.value.code == 4403 and closed.value.reason == "token expired"
