"""benchmark(agentId | teamId) under manager, team_lead and agent rights against independent
computations over the raw survey rows (read as the owner, then restricted to what the caller's
row level security shows: a survey follows its ticket's team and agent): the percentile against
scipy.stats.percentileofscore(kind="mean") (the documented mid-rank definition) over the raw
per-peer means, the difference against the raw means, the p-value and the 95% CI against scipy's
Welch test (ttest_ind(equal_var=False) and its confidence_interval) on the raw ratings. The
pooled peer variance is the exact variance of the union of the peers' ratings, so the
tolerances are floating point (rel 1e-9; p-values 1e-6)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_support import FROM, GQL, TO, WINDOW, agent_of, ok, owner_rows

QUERY = """query($agent: ID, $team: ID, $from: DateTime!, $to: DateTime!) {
  benchmark(agentId: $agent, teamId: $team, window: {from: $from, to: $to}, kpis: ["csat"]) {
    subject subjectId kpis { name value n
      team { peers peerObservations percentile peerMean difference ciLow ciHigh pValue
             significant }
      organisation { peers peerObservations percentile peerMean difference ciLow ciHigh pValue
                     significant } } } }"""


def check(got: dict[str, Any], mine: np.ndarray, peers: dict[str, np.ndarray]) -> None:
    """One peer comparison against scipy over the raw ratings (peers: key -> ratings)."""
    peers = {k: v for k, v in peers.items() if v.size}
    assert got["peers"] == len(peers)
    pooled = np.concatenate(list(peers.values())) if peers else np.array([])
    assert got["peerObservations"] == pooled.size
    if not peers:
        assert got["percentile"] is None and got["pValue"] is None
        return
    means = [v.mean() for v in peers.values()]
    ref_pct = stats.percentileofscore(means, mine.mean(), kind="mean")
    assert got["percentile"] == pytest.approx(ref_pct, rel=1e-12)
    assert got["peerMean"] == pytest.approx(pooled.mean(), rel=1e-9)
    assert got["difference"] == pytest.approx(mine.mean() - pooled.mean(), rel=1e-9, abs=1e-12)
    welch = stats.ttest_ind(mine, pooled, equal_var=False)
    ci = welch.confidence_interval(0.95)
    assert got["pValue"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert got["ciLow"] == pytest.approx(ci.low, rel=1e-9)
    assert got["ciHigh"] == pytest.approx(ci.high, rel=1e-9)
    assert got["significant"] == bool(welch.pvalue < 0.05)


def by(frame: pd.DataFrame, column: str) -> dict[str, np.ndarray]:
    return {str(k): g.rating.to_numpy() for k, g in frame.groupby(column) if k is not None}


def csat(out: dict[str, Any]) -> dict[str, Any]:
    kpi: dict[str, Any] = ok(out)["benchmark"]["kpis"][0]
    assert kpi["name"] == "csat"
    return kpi


@pytest.fixture(scope="module")
def raw(seeded_dsn: str) -> pd.DataFrame:
    return owner_rows(seeded_dsn, "stats_owner_csat_rows", FROM, TO)


def agent_case(graphql: GQL, token: str, agent: str, visible: pd.DataFrame) -> dict[str, Any]:
    """benchmark(agentId) against the visible raw rows: team peers are the other agents of the
    agent's team, organisation peers every other visible agent."""
    kpi = csat(graphql(QUERY, {"agent": agent, **WINDOW}, token))
    rated = visible[visible.agent_id.notna()]
    mine = rated[rated.agent_id == agent].rating.to_numpy()
    assert kpi["n"] == mine.size and kpi["value"] == pytest.approx(mine.mean(), rel=1e-9)
    my_team = rated[rated.agent_id == agent].agent_team.iloc[0]
    others = rated[rated.agent_id != agent]
    check(kpi["team"], mine, by(others[others.agent_team == my_team], "agent_id"))
    check(kpi["organisation"], mine, by(others, "agent_id"))
    return kpi


def team_case(graphql: GQL, token: str, team: str, visible: pd.DataFrame) -> dict[str, Any]:
    """benchmark(teamId) against the visible raw rows: the team's ratings (by the ticket's team)
    against every other visible team."""
    out = ok(graphql(QUERY, {"team": team, **WINDOW}, token))["benchmark"]
    assert (out["subject"], out["subjectId"]) == ("team", team)
    kpi = out["kpis"][0]
    assert kpi["team"] is None
    teamed = visible[visible.ticket_team.notna()]
    mine = teamed[teamed.ticket_team == team].rating.to_numpy()
    assert kpi["n"] == mine.size and kpi["value"] == pytest.approx(mine.mean(), rel=1e-9)
    check(kpi["organisation"], mine, by(teamed[teamed.ticket_team != team], "ticket_team"))
    return kpi


def test_benchmark_as_a_manager(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str, raw: pd.DataFrame,
) -> None:  # fmt: skip
    token = make_token("manager")
    agent, team = agent_of(seeded_dsn, users_by_role["agent"][0])
    assert agent_case(graphql, token, agent, raw)["team"]["peers"] >= 2
    kpi = team_case(graphql, token, team, raw)
    assert kpi["organisation"]["peers"] >= 3  # several teams to rank against


def test_benchmark_as_a_team_lead_sees_only_the_teams_rows(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str, raw: pd.DataFrame,
) -> None:  # fmt: skip
    token = make_token("team_lead")
    _, team = agent_of(seeded_dsn, users_by_role["team_lead"][0])
    visible = raw[raw.ticket_team == team]
    counts = visible[visible.agent_team == team].agent_id.value_counts()
    agent = str(counts.index[0])  # the team's most rated agent
    assert agent_case(graphql, token, agent, visible)["team"]["peers"] >= 2
    kpi = team_case(graphql, token, team, visible)
    assert kpi["organisation"]["peers"] == 0  # no other team's rows are visible to a lead
    # another team: none of its rows are visible, so it has no figure at all
    other = next(t for t in raw.ticket_team.dropna().unique() if t != team)
    theirs = csat(graphql(QUERY, {"team": other, **WINDOW}, token))
    assert (theirs["value"], theirs["n"]) == (None, 0)


def test_benchmark_as_an_agent_sees_only_their_own_rows(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str, raw: pd.DataFrame,
) -> None:  # fmt: skip
    token = make_token("agent")
    agent, team = agent_of(seeded_dsn, users_by_role["agent"][0])
    visible = raw[raw.agent_id == agent]
    agent_case(graphql, token, agent, visible)
    kpi = team_case(graphql, token, team, visible)
    assert kpi["organisation"]["peers"] == len(set(visible.ticket_team.dropna()) - {team})
