"""Insights fields over HTTP under agent, team lead, manager and analyst tokens: no client or
ticket outside the caller's rights, no personal data for analysts (expectations computed as the
database owner from the raw rows)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from insights_support import INSIGHTS_END, InsightsDb, owner_rows
from testkit import LiveServer, tq

from gateway.app import create_app
from gateway.auth import mint_token
from gateway.settings import Settings

ROLES = ("agent", "team_lead", "manager", "analyst")
CHURN = """query($first: Int!) { churnRisk(first: $first) { totalCount nodes {
  revenueAtRisk lifetimeValue recommendedAction risk { probability logOdds baselineLogOdds
  modelVersion topFactors { name contribution } }
  customer { id name email piiMasked } } } }"""


@pytest.fixture(scope="module")
def server(insights_db: InsightsDb, gateway_settings: Settings) -> Iterator[str]:
    live = LiveServer(create_app(gateway_settings, insights_db.dsn, realtime=False))
    live.start()
    try:
        yield live.url
    finally:
        live.stop()


@pytest.fixture(scope="module")
def users(insights_db: InsightsDb) -> dict[str, uuid.UUID]:
    rows = asyncio.run(owner_rows(insights_db.dsn, tq("users_by_role")))
    found: dict[str, uuid.UUID] = {}
    for r in rows:
        found.setdefault(r["app_role"], r["user_id"])
    return found


@pytest.fixture(scope="module")
def ask(
    server: str, users: dict[str, uuid.UUID], gateway_settings: Settings
) -> Callable[..., dict[str, Any]]:
    def run(role: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        token = mint_token(gateway_settings.jwt_secret, user_id=users[role], app_role=role)
        resp = httpx.post(
            server + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    return run


def _visible_customers(dsn: str, role: str, user: uuid.UUID) -> set[str] | None:
    """Customers the role may see by the customers policy (None: all)."""
    if role in ("manager", "analyst"):
        return None
    query = "insights_visible_customers_" + ("agent" if role == "agent" else "team")
    rows = asyncio.run(owner_rows(dsn, tq(query), user))
    return {str(r["id"]) for r in rows}


@pytest.mark.parametrize("role", ROLES)
def test_churn_risk_only_visible_clients(
    role: str,
    ask: Callable[..., dict[str, Any]],
    users: dict[str, uuid.UUID],
    insights_db: InsightsDb,
) -> None:
    body = ask(role, CHURN, {"first": 500})
    assert "errors" not in body, body
    page = body["data"]["churnRisk"]
    ids = {n["customer"]["id"] for n in page["nodes"]}
    allowed = _visible_customers(insights_db.dsn, role, users[role])
    if allowed is None:
        everyone = asyncio.run(owner_rows(insights_db.dsn, tq("insights_vip_count_now")))
        assert page["totalCount"] == everyone[0]["n"] > 500
    else:
        assert ids <= allowed
    for n in page["nodes"]:
        assert n["customer"]["piiMasked"] is (role == "analyst")
        if role == "analyst":
            assert n["customer"]["email"] is None
            assert n["customer"]["name"].startswith("Client ")
        assert n["revenueAtRisk"] == pytest.approx(n["lifetimeValue"] * n["risk"]["probability"])
    probs = [n["risk"]["probability"] for n in page["nodes"]]
    assert probs == sorted(probs, reverse=True)


@pytest.mark.parametrize("role", ROLES)
def test_ticket_risk_only_on_visible_open_tickets(
    role: str,
    ask: Callable[..., dict[str, Any]],
    users: dict[str, uuid.UUID],
    insights_db: InsightsDb,
) -> None:
    query = """{ tickets(first: 100, filter: {status: [NEW, OPEN, PENDING]}) { nodes { id
      agent { id } team { id } satisfactionRisk { probability topFactors { name } } } } }"""
    body = ask(role, query)
    assert "errors" not in body, body
    nodes = body["data"]["tickets"]["nodes"]
    assert nodes
    scored = [n for n in nodes if n["satisfactionRisk"] is not None]
    assert len(scored) >= 0.8 * len(nodes)  # a few clients may not be profiled
    for n in scored:
        assert 0 < n["satisfactionRisk"]["probability"] < 1
        assert len(n["satisfactionRisk"]["topFactors"]) == 3


def test_drivers_count_only_the_callers_surveys(
    ask: Callable[..., dict[str, Any]], users: dict[str, uuid.UUID], insights_db: InsightsDb
) -> None:
    start, end = INSIGHTS_END - timedelta(days=60), INSIGHTS_END
    query = """query($f: DateTime!, $t: DateTime!) {
      satisfactionDrivers(window: {from: $f, to: $t}) {
        overall { n drivers { factor level effect significant } } } }"""
    variables = {"f": start.isoformat(), "t": end.isoformat()}
    lead = ask("team_lead", query, variables)
    assert "errors" not in lead, lead
    expected = asyncio.run(
        owner_rows(
            insights_db.dsn, tq("insights_team_survey_count"), start, end, users["team_lead"]
        )
    )
    assert lead["data"]["satisfactionDrivers"]["overall"]["n"] == expected[0]["n"]


def test_model_cards_and_accuracy_rights(ask: Callable[..., dict[str, Any]]) -> None:
    card = "{ churnModel { version auc brier baseRateBrier nTest calibration { n observed } } }"
    for role in ROLES:
        body = ask(role, card)
        assert "errors" not in body, body
        assert body["data"]["churnModel"]["auc"] >= 0.75
    accuracy = """{ predictionAccuracy(type: CHURN_RISK, window: {from: "2026-01-01T00:00:00Z",
      to: "2026-12-31T00:00:00Z"}) { model version n auc } }"""
    refused = ask("agent", accuracy)
    assert "managers, executives, admins and analysts only" in refused["errors"][0]["message"]
    assert "errors" not in ask("analyst", accuracy)
    scores = "{ predictions(type: SATISFACTION_RISK) { id } }"
    assert ask("team_lead", scores)["data"]["predictions"] == []
    assert len(ask("manager", scores)["data"]["predictions"]) > 100


def test_operational_insights_under_roles(
    ask: Callable[..., dict[str, Any]], users: dict[str, uuid.UUID], insights_db: InsightsDb
) -> None:
    window = {"f": (INSIGHTS_END - timedelta(days=30)).isoformat(), "t": INSIGHTS_END.isoformat()}
    rows = asyncio.run(
        owner_rows(insights_db.dsn, tq("insights_user_scope"), [users["agent"], users["team_lead"]])
    )
    me = {r["app_role"]: r for r in rows}
    team_agents = {
        str(r["id"])
        for r in asyncio.run(
            owner_rows(insights_db.dsn, tq("insights_team_agent_ids"), me["team_lead"]["team"])
        )
    }
    gaps = """query($team: ID!, $f: DateTime!, $t: DateTime!) {
      skillGaps(teamId: $team, window: {from: $f, to: $t}) {
        skills { agent { id } skill recommendedTraining comparisons { metric gap } } } }"""
    lead = ask("team_lead", gaps, {**window, "team": str(me["team_lead"]["team"])})
    assert "errors" not in lead, lead
    assert lead["data"]["skillGaps"]["skills"]
    assert {s["agent"]["id"] for s in lead["data"]["skillGaps"]["skills"]} <= team_agents
    agent = ask("agent", gaps, {**window, "team": str(me["agent"]["team"])})
    assert "errors" not in agent, agent
    # an agent sees only their own tickets: nothing to compare with, no one else's figures
    assert {s["agent"]["id"] for s in agent["data"]["skillGaps"]["skills"]} <= {
        str(me["agent"]["agent"])
    }
    auto = """query($f: DateTime!, $t: DateTime!) { automationOpportunities(window: {from: $f,
      to: $t}) { containmentRate costPerAgentHour opportunities { category tickets
      repetitiveShare topClusters { size example } } } }"""
    analyst = ask("analyst", auto, window)["data"]["automationOpportunities"]
    assert analyst["opportunities"] and all(
        o["repetitiveShare"] is None and o["topClusters"] == [] for o in analyst["opportunities"]
    )
    manager = ask("manager", auto, window)["data"]["automationOpportunities"]
    assert any(o["topClusters"] for o in manager["opportunities"])
    assert manager["costPerAgentHour"] is not None
    cap = """query($f: DateTime!, $t: DateTime!) { capacity(queue: PHONE, window: {from: $f,
      to: $t}) { underIntervals overIntervals costPerAgentHour intervals { required } } }"""
    for role in ("agent", "manager"):
        body = ask(role, cap, window)
        assert "errors" not in body, body
        assert len(body["data"]["capacity"]["intervals"]) == 30 * 24
    assert ask("agent", cap, window)["data"]["capacity"]["costPerAgentHour"] is None


def test_forecast_and_upsell(ask: Callable[..., dict[str, Any]]) -> None:
    query = """query($at: DateTime!) { satisfactionForecast(asOf: $at) { method days {
      localLabel mean lo80 hi80 lo95 hi95 } } }"""
    body = ask("manager", query, {"at": INSIGHTS_END.isoformat()})
    assert "errors" not in body, body
    days = body["data"]["satisfactionForecast"]["days"]
    assert len(days) == 7
    for d in days:
        assert 1 <= d["lo95"] <= d["lo80"] <= d["mean"] <= d["hi80"] <= d["hi95"] <= 5
    up = """{ upsellCandidates(first: 50) { nextTier score reason client { vipTier
      risk { probability } customer { consentMarketing } } } }"""
    found = ask("manager", up)["data"]["upsellCandidates"]
    order = {"SILVER": 1, "GOLD": 2, "PLATINUM": 3, "DIAMOND": 4}
    scores = [c["score"] for c in found]
    assert scores == sorted(scores, reverse=True)
    for c in found:  # the stated rule: marketing consent, below the top tier, low risk
        assert c["client"]["customer"]["consentMarketing"] is True
        assert order[c["nextTier"]] == order[c["client"]["vipTier"]] + 1
        assert c["client"]["risk"]["probability"] < 0.15
