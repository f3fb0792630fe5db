"""The statistics cache notices what changes a caller's answer at once (no ttl wait): a new
survey (surveys are not in the change log; migration 20261203001200 notes their writes), a team
lead moved to another team (the team is part of the cache key) and an agent moved out of a lead's
team (agent-day rows follow the agent's team; writes to agents are noted too)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from stats_support import FROM, GQL, TO, WINDOW, agent_of, ok, owner_rows
from testkit import tq

CSAT = """query($from: DateTime!, $to: DateTime!, $team: ID) {
  rootCause(kpi: "csat", window: {from: $from, to: $to}, teamId: $team,
            dimensions: [CHANNEL]) { value n } }"""


def owner(dsn: str, query: str, *args: Any) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval(tq(query), *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_a_new_survey_changes_a_cached_csat_answer_at_once(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    token = make_token("manager")
    _, team = agent_of(seeded_dsn, users_by_role["team_lead"][0])
    first = graphql(CSAT, WINDOW, token)
    before = ok(first)["rootCause"]
    again = graphql(CSAT, WINDOW, token)
    assert again["data"] == first["data"]
    assert again["extensions"]["sqlStatements"] <= 3  # a cache hit: setup + data version
    survey = owner(seeded_dsn, "stats_insert_test_survey", uuid.UUID(team), FROM, TO)
    assert survey is not None
    try:
        after = ok(graphql(CSAT, WINDOW, token))["rootCause"]
        n = before["n"]
        assert after["n"] == n + 1
        # the mean of 1-5 ratings with one more rating of 1
        assert after["value"] == pytest.approx((before["value"] * n + 1) / (n + 1), rel=1e-9)
    finally:
        owner(seeded_dsn, "stats_delete_test_survey", survey)
    restored = ok(graphql(CSAT, WINDOW, token))["rootCause"]
    assert restored == before  # the delete moved the version too


def test_a_team_lead_moved_to_another_team_gets_that_teams_answer(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    lead_user = users_by_role["team_lead"][0]
    _, team = agent_of(seeded_dsn, lead_user)
    other = owner(seeded_dsn, "stats_other_team", uuid.UUID(team))
    lead, manager = make_token("team_lead"), make_token("manager")
    mine = ok(graphql(CSAT, WINDOW, lead))["rootCause"]
    assert mine == ok(graphql(CSAT, {**WINDOW, "team": team}, manager))["rootCause"]
    theirs = ok(graphql(CSAT, {**WINDOW, "team": str(other)}, manager))["rootCause"]
    assert theirs != mine
    assert ok(graphql(CSAT, WINDOW, lead))["rootCause"] == mine  # cached
    old = owner(seeded_dsn, "stats_set_user_team", lead_user, other)
    assert str(old) == team
    try:
        assert ok(graphql(CSAT, WINDOW, lead))["rootCause"] == theirs
    finally:
        owner(seeded_dsn, "stats_set_user_team", lead_user, uuid.UUID(team))
    assert ok(graphql(CSAT, WINDOW, lead))["rootCause"] == mine


OCCUPANCY = """query($from: DateTime!, $to: DateTime!, $team: ID) {
  trend(kpi: "occupancy", granularity: DAY, window: {from: $from, to: $to}, teamId: $team) {
    overall { s slope observations } } }"""


def test_an_agent_moved_out_of_the_team_leaves_the_leads_cached_answer(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    """Agent-day rows follow the agent's current team (row level security reads agents), so
    moving an agent changes the lead's answer on the next request."""
    _, team = agent_of(seeded_dsn, users_by_role["team_lead"][0])
    agents = owner_rows(seeded_dsn, "owner_agents")
    mates = agents[(agents.team_id.astype(str) == team) & (agents.metrics > 0)]
    assert len(mates) >= 2
    agent = str(mates.id.iloc[0])  # one of the lead's agents with agent-day rows
    other = owner(seeded_dsn, "stats_other_team", uuid.UUID(team))
    lead, manager = make_token("team_lead"), make_token("manager")
    before = ok(graphql(OCCUPANCY, WINDOW, lead))["trend"]
    assert before == ok(graphql(OCCUPANCY, {**WINDOW, "team": team}, manager))["trend"]
    assert ok(graphql(OCCUPANCY, WINDOW, lead))["trend"] == before  # cached
    assert str(owner(seeded_dsn, "stats_set_agent_team", uuid.UUID(agent), other)) == team
    try:
        after = ok(graphql(OCCUPANCY, WINDOW, lead))["trend"]
        assert after == ok(graphql(OCCUPANCY, {**WINDOW, "team": team}, manager))["trend"]
        assert after["overall"]["observations"] < before["overall"]["observations"]
    finally:
        owner(seeded_dsn, "stats_set_agent_team", uuid.UUID(agent), uuid.UUID(team))
    assert ok(graphql(OCCUPANCY, WINDOW, lead))["trend"] == before
