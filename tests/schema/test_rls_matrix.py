"""Row level security through the real API: each role × each type sees exactly the rows the
policy allows. Expectations are computed independently: the visibility rule is restated in
Python over all rows read as the database owner (who bypasses RLS)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from testkit import tq

ROLES = ["agent", "team_lead", "manager", "executive", "analyst", "admin", "anon"]
SEES_ALL = {"manager", "executive", "analyst", "admin"}

GQL = Callable[..., dict[str, Any]]


def owner_fetch(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query), *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def identity(dsn: str, users: dict[str, list[uuid.UUID]], role: str) -> dict[str, Any]:
    if role == "anon":
        return {"agent_id": None, "team_id": None}
    row = owner_fetch(dsn, "owner_viewer_identity", users[role][0])[0]
    return {"agent_id": row["agent_id"], "team_id": row["team_id"]}


def expected_ticket(role: str, me: dict[str, Any], team_id: Any, agent_id: Any) -> bool:
    if role in SEES_ALL:
        return True
    if role == "team_lead":
        return team_id is not None and team_id == me["team_id"]
    if role == "agent":
        return agent_id is not None and agent_id == me["agent_id"]
    return False


def mine(value: Any, own: Any) -> bool:
    """``value`` is the viewer's own (agent or team) id; never true for a missing id."""
    return value is not None and value == own


def token_for(make_token: Callable[..., str], role: str) -> str | None:
    return None if role == "anon" else make_token(role)


def all_ticket_ids(graphql: GQL, token: str | None) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        data = graphql(
            "query($after: String) { tickets(first: 500, after: $after) {"
            " edges { node { id } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
            token,
        )["data"]["tickets"]
        ids += [int(e["node"]["id"]) for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            return ids
        after = data["pageInfo"]["endCursor"]


@pytest.mark.parametrize("role", ROLES)
def test_tickets_visible_per_role(
    role: str,
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = identity(seeded_dsn, users_by_role, role)
    rows = owner_fetch(seeded_dsn, "owner_tickets")
    expected = sorted(
        r["id"] for r in rows if expected_ticket(role, me, r["team_id"], r["assigned_agent_id"])
    )
    got = sorted(all_ticket_ids(graphql, token_for(make_token, role)))
    assert got == expected
    if role in {"agent", "team_lead"}:
        assert 0 < len(got) < len(rows)  # the rule really restricts, and is not empty
    if role == "anon":
        assert got == []


@pytest.mark.parametrize("role", ["agent", "team_lead", "manager", "analyst"])
def test_interactions_follow_tickets_and_bodies_are_masked_for_analysts(
    role: str, graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    data = graphql(
        "{ tickets(first: 25) { nodes { id interactions(last: 100) { id body bodyMasked }"
        " customer { name email phone piiMasked } } } }",
        token=make_token(role),
    )["data"]["tickets"]["nodes"]
    assert data
    ids = [int(t["id"]) for t in data]
    expected: dict[int, set[int]] = {i: set() for i in ids}
    for r in owner_fetch(seeded_dsn, "owner_interactions_of", ids):
        expected[r["ticket_id"]].add(r["id"])
    for t in data:
        assert {int(i["id"]) for i in t["interactions"]} == expected[int(t["id"])]
        for i in t["interactions"]:
            assert i["bodyMasked"] is (role == "analyst")
            assert (i["body"] is None) is (role == "analyst")
        c = t["customer"]
        assert c is not None
        assert c["piiMasked"] is (role == "analyst")
        assert (c["email"] is None) is (role == "analyst")
        if role == "analyst":
            assert c["name"].startswith("Client ")


@pytest.mark.parametrize("role", ROLES)
def test_customers_visible_per_role(
    role: str,
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = identity(seeded_dsn, users_by_role, role)
    tickets = owner_fetch(seeded_dsn, "owner_tickets")
    customers = owner_fetch(seeded_dsn, "owner_customers")
    via_tickets = {
        r["customer_id"]
        for r in tickets
        if expected_ticket(role, me, r["team_id"], r["assigned_agent_id"])
    }
    expected: set[uuid.UUID] = set()
    for c in customers:
        if (
            role in SEES_ALL
            or c["id"] in via_tickets
            or (role == "agent" and mine(c["dedicated_agent_id"], me["agent_id"]))
            or (role == "team_lead" and mine(c["dedicated_team_id"], me["team_id"]))
        ):
            expected.add(c["id"])
    got: set[uuid.UUID] = set()
    after = None
    token = token_for(make_token, role)
    while True:
        page = graphql(
            "query($a: String) { customers(first: 500, after: $a) { nodes { id }"
            " pageInfo { hasNextPage endCursor } } }",
            {"a": after},
            token,
        )["data"]["customers"]
        got |= {uuid.UUID(n["id"]) for n in page["nodes"]}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert got == expected


@pytest.mark.parametrize("role", ROLES)
def test_agent_records_per_role(
    role: str,
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = identity(seeded_dsn, users_by_role, role)
    agents = owner_fetch(seeded_dsn, "owner_agents")
    token = token_for(make_token, role)
    query = (
        "query($id: ID!) { agent(id: $id) { id evaluations(last: 500) { id } training { id } } }"
    )
    checked = 0
    for a in agents:
        if a["evaluations"] == 0 or a["training"] == 0:
            continue
        got = graphql(query, {"id": str(a["id"])}, token)["data"]["agent"]
        if role == "anon":
            assert got is None  # the directory is for staff only
            continue
        assert got is not None
        visible = role in SEES_ALL or (
            (role == "team_lead" and a["team_id"] == me["team_id"])
            or (role == "agent" and a["id"] == me["agent_id"])
        )
        assert len(got["evaluations"]) == (min(a["evaluations"], 500) if visible else 0)
        assert len(got["training"]) == (a["training"] if visible else 0)
        checked += 1
    assert role == "anon" or checked > 3


def test_daily_metrics_follow_the_agent_rule(
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = identity(seeded_dsn, users_by_role, "agent")
    agents = owner_fetch(seeded_dsn, "owner_agents")
    other = next(a for a in agents if a["id"] != me["agent_id"] and a["metrics"] > 0)
    mine = next(a for a in agents if a["id"] == me["agent_id"])
    query = (
        "query($id: ID!) { agent(id: $id) {"
        ' dailyMetrics(fromDate: "2020-01-01", toDate: "2020-12-31") { date } } }'
    )
    wide = query.replace("2020-01-01", "2025-12-01").replace("2020-12-31", "2026-12-31")
    token = make_token("agent")
    own = graphql(wide, {"id": str(mine["id"])}, token)["data"]["agent"]["dailyMetrics"]
    theirs = graphql(wide, {"id": str(other["id"])}, token)["data"]["agent"]["dailyMetrics"]
    assert len(own) == mine["metrics"] > 0
    assert theirs == []
    manager = graphql(wide, {"id": str(other["id"])}, make_token("manager"))
    assert len(manager["data"]["agent"]["dailyMetrics"]) == other["metrics"]


@pytest.mark.parametrize("role", ROLES)
def test_reference_data_is_for_staff(
    role: str, graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    counts = owner_fetch(seeded_dsn, "owner_reference_counts")[0]
    data = graphql(
        "{ teams { id } categories { id } slaPolicies { id } agents { id } }",
        token=token_for(make_token, role),
    )["data"]
    staff = role != "anon"
    assert len(data["teams"]) == (counts["teams"] if staff else 0)
    assert len(data["categories"]) == (counts["categories"] if staff else 0)
    assert len(data["slaPolicies"]) == (counts["sla_policies"] if staff else 0)
    assert len(data["agents"]) == (counts["agents"] if staff else 0)


@pytest.mark.parametrize("role", ["agent", "team_lead", "analyst"])
def test_surveys_and_sla_targets_follow_their_ticket(
    role: str, graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    nodes = graphql(
        "{ tickets(first: 100, filter: {status: [SOLVED, CLOSED]}) {"
        " nodes { id survey { id } slaTargets { targetType } } } }",
        token=make_token(role),
    )["data"]["tickets"]["nodes"]
    ids = [int(n["id"]) for n in nodes]
    expected = {r["ticket_id"]: r for r in owner_fetch(seeded_dsn, "owner_surveys_sla_of", ids)}
    assert sum(1 for r in expected.values() if r["survey_id"]) > 5
    for n in nodes:
        row = expected[int(n["id"])]
        got_survey = int(n["survey"]["id"]) if n["survey"] else None
        assert got_survey == row["survey_id"]
        assert len(n["slaTargets"]) == row["sla_targets"]


def test_direct_access_to_someone_elses_ticket_returns_null(
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = identity(seeded_dsn, users_by_role, "agent")
    rows = owner_fetch(seeded_dsn, "owner_tickets")
    other = next(r for r in rows if r["assigned_agent_id"] not in (None, me["agent_id"]))
    mine = next(r for r in rows if r["assigned_agent_id"] == me["agent_id"])
    query = "query($id: ID!) { ticket(id: $id) { id survey { id } } }"
    token = make_token("agent")
    assert graphql(query, {"id": str(other["id"])}, token)["data"]["ticket"] is None
    assert graphql(query, {"id": str(mine["id"])}, token)["data"]["ticket"]["id"] == str(mine["id"])
    # the survey of someone else's ticket is not reachable through the customer either
    survey_query = "query($id: ID!) { customer(id: $id) { tickets(first: 500) { nodes { id } } } }"
    customer = graphql(survey_query, {"id": str(other["customer_id"])}, token)["data"]["customer"]
    if customer is not None:
        assert str(other["id"]) not in {n["id"] for n in customer["tickets"]["nodes"]}
