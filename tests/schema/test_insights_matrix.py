"""Every insights field under agent, team lead, manager and analyst tokens over HTTP.

For each field and role: data where the role should see some (asserted non-empty), every
returned client, ticket or agent inside the set the database owner computes for the role's
rights (the policies spelled out in ``tests/queries/insights_matrix_*.sql``, not the gateway's
functions), ``totalCount`` equal to that set's size where the field counts, ``FORBIDDEN`` where
the role may not ask, and no name, email or phone for analysts (every Customer in the answer).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import insights_roles_support as roles
import pytest
from insights_roles_support import ROLES, Ask, Scope, customers_in, owner
from insights_support import INSIGHTS_END, InsightsDb, owner_rows
from testkit import tq

FROM, TO = INSIGHTS_END - timedelta(days=30), INSIGHTS_END
WINDOW = {"f": FROM.isoformat(), "t": TO.isoformat()}
CUSTOMER = "customer { id name email phone piiMasked consentMarketing vipTier }"
server, users, scopes, ask = roles.server, roles.users, roles.scopes, roles.ask  # fixtures
Check = Callable[[Ask, Scope, str], dict[str, Any]]


def ok(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def visible_customers(dsn: str, scope: Scope) -> dict[str, Any]:
    return {str(r["id"]): r for r in owner(dsn, "insights_matrix_customers", scope)}


def owner_rows_now(dsn: str, query: str, *args: Any) -> list[Any]:
    return asyncio.run(owner_rows(dsn, tq(query), *args))


def active_vips(dsn: str) -> set[str]:
    rows = owner_rows_now(dsn, "insights_matrix_active_vips")
    return {str(r["customer_id"]) for r in rows}


def drivers(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($f: DateTime!, $t: DateTime!) { satisfactionDrivers(window: {from: $f, to: $t})
      { overall { n drivers { factor effect } } } }"""
    data = ok(call(scope.role, q, WINDOW))
    overall = data["satisfactionDrivers"]["overall"]
    expected = owner(dsn, "insights_matrix_surveys", scope, FROM, TO)[0]["n"]
    assert overall["n"] == expected > 0
    assert overall["drivers"]
    return data


def forecast(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($at: DateTime!) { satisfactionForecast(asOf: $at) { days { mean lo95 hi95 } } }"""
    data = ok(call(scope.role, q, {"at": TO.isoformat()}))
    days = data["satisfactionForecast"]["days"]
    assert len(days) == 7
    assert all(1 <= d["lo95"] <= d["mean"] <= d["hi95"] <= 5 for d in days)
    return data


def churn_risk(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = f"{{ churnRisk(first: 500) {{ totalCount nodes {{ {CUSTOMER} }} }} }}"
    data = ok(call(scope.role, q))
    page = data["churnRisk"]
    expected = active_vips(dsn) & set(visible_customers(dsn, scope))
    ids = [n["customer"]["id"] for n in page["nodes"]]
    assert expected and ids
    assert page["totalCount"] == len(expected)
    assert len(ids) == len(set(ids)) == min(500, len(expected))
    assert set(ids) <= expected
    return data


def customer_churn_risk(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """{ customers(first: 200, vipTier: [SILVER, GOLD, PLATINUM, DIAMOND]) { nodes {
      id name email phone piiMasked churnRisk { risk { probability } } } } }"""
    data = ok(call(scope.role, q))
    nodes = data["customers"]["nodes"]
    visible, active = visible_customers(dsn, scope), active_vips(dsn)
    assert nodes
    for n in nodes:
        assert n["id"] in visible
        # scored exactly when the client is an active VIP (the owner's population)
        assert (n["churnRisk"] is not None) == (n["id"] in active), n
    assert any(n["churnRisk"] for n in nodes)
    return data


def upsell(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = f"{{ upsellCandidates(first: 200) {{ nextTier client {{ {CUSTOMER} }} }} }}"
    data = ok(call(scope.role, q))
    found = data["upsellCandidates"]
    visible, active = visible_customers(dsn, scope), active_vips(dsn)
    eligible = {
        k
        for k, r in visible.items()
        if k in active
        and r["consent_marketing"]
        and r["vip_tier"] in ("silver", "gold", "platinum")
    }
    assert eligible
    assert {c["client"]["customer"]["id"] for c in found} <= eligible
    if scope.sees_all:
        assert found
    return data


def skill_gaps(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($team: ID!, $f: DateTime!, $t: DateTime!) {
      skillGaps(teamId: $team, window: {from: $f, to: $t}) { skills { agent { id } skill
      comparisons { metric nAgent } } training { agent { id } } } }"""
    team_id = scope.team or owner_rows_now(dsn, "insights_first_team")[0]["id"]
    data = ok(call(scope.role, q, {**WINDOW, "team": str(team_id)}))
    gaps = data["skillGaps"]
    team = {
        str(r["id"]) for r in asyncio.run(owner_rows(dsn, tq("insights_team_agent_ids"), team_id))
    }
    agents = {s["agent"]["id"] for s in gaps["skills"]} | {
        t["agent"]["id"] for t in gaps["training"]
    }
    if scope.role == "agent":
        # an agent sees only their own tickets: no rest of the team to compare with
        assert gaps["skills"] == []
        assert agents <= {str(scope.agent)}
    else:
        assert gaps["skills"]
        assert agents <= team
    return data


def automation(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($f: DateTime!, $t: DateTime!) { automationOpportunities(window: {from: $f,
      to: $t}) { costPerAgentHour opportunities { category tickets costSaved repetitiveShare
      topClusters { size example } } } }"""
    data = ok(call(scope.role, q, WINDOW))
    found = data["automationOpportunities"]
    expected = Counter(r["path"] for r in owner(dsn, "insights_matrix_tickets", scope, FROM, TO))
    assert expected
    assert {o["category"]: o["tickets"] for o in found["opportunities"]} == dict(expected)
    assert (found["costPerAgentHour"] is not None) is scope.sees_all
    assert all((o["costSaved"] is not None) is scope.sees_all for o in found["opportunities"])
    if scope.role == "analyst":  # no message text: counts only
        assert all(
            o["repetitiveShare"] is None and o["topClusters"] == [] for o in found["opportunities"]
        )
    else:
        assert any(o["repetitiveShare"] is not None for o in found["opportunities"])
    return data


def capacity(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($f: DateTime!, $t: DateTime!) { capacity(queue: PHONE, window: {from: $f,
      to: $t}) { costPerAgentHour occupancy utilization intervals { staffed required } } }"""
    data = ok(call(scope.role, q, WINDOW))
    cap = data["capacity"]
    assert len(cap["intervals"]) == 30 * 24
    assert any(i["required"] > 0 for i in cap["intervals"])
    assert (cap["costPerAgentHour"] is not None) is scope.sees_all
    days = owner(dsn, "insights_matrix_agent_days", scope, FROM, TO)
    assert days
    handle = sum(r["handle_seconds"] for r in days)
    available = sum(r["available_seconds"] for r in days)
    scheduled = sum(r["scheduled_seconds"] for r in days)
    assert cap["occupancy"] == pytest.approx(handle / (handle + available), rel=1e-9)
    assert cap["utilization"] == pytest.approx((handle + available) / scheduled, rel=1e-9)
    return data


def accuracy(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """query($f: DateTime!, $t: DateTime!) { predictionAccuracy(type: VOLUME,
      window: {from: $f, to: $t}) { model version n wape } }"""
    body = call(scope.role, q, {"f": "2026-01-01T00:00:00Z", "t": "2026-12-31T00:00:00Z"})
    if not scope.sees_all:
        assert body["data"] is None or body["data"].get("predictionAccuracy") is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        return body
    # the stored volume forecasts of the predict run (their periods have ended by the clock)
    data = ok(body)
    assert data["predictionAccuracy"] and all(a["n"] > 0 for a in data["predictionAccuracy"])
    return data


def model_cards(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """{ churnModel { version auc nTest } satisfactionRiskModel { version auc nTest } }"""
    data = ok(call(scope.role, q))
    manager = ok(call("manager", q))
    assert data == manager  # a model card holds no rows: the same for every role
    assert data["churnModel"]["nTest"] > 0 and data["satisfactionRiskModel"]["nTest"] > 0
    return data


def ticket_risk(call: Ask, scope: Scope, dsn: str) -> dict[str, Any]:
    q = """{ tickets(first: 100, filter: {status: [NEW, OPEN, PENDING]}) { nodes { id
      satisfactionRisk { probability } } } }"""
    data = ok(call(scope.role, q))
    nodes = data["tickets"]["nodes"]
    ids = [int(n["id"]) for n in nodes]
    assert ids
    visible = {r["id"] for r in owner(dsn, "insights_matrix_ticket_ids", scope, ids)}
    assert set(ids) == visible
    assert sum(n["satisfactionRisk"] is not None for n in nodes) >= 0.8 * len(nodes)
    return data


FIELDS: dict[str, Check] = {
    "satisfactionDrivers": drivers,
    "satisfactionForecast": forecast,
    "churnRisk": churn_risk,
    "Customer.churnRisk": customer_churn_risk,
    "upsellCandidates": upsell,
    "skillGaps": skill_gaps,
    "automationOpportunities": automation,
    "capacity": capacity,
    "predictionAccuracy": accuracy,
    "churnModel/satisfactionRiskModel": model_cards,
    "Ticket.satisfactionRisk": ticket_risk,
}
WITH_CUSTOMERS = {"churnRisk", "Customer.churnRisk", "upsellCandidates"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("field", FIELDS)
def test_insights_field_under_role(
    field: str, role: str, ask: Ask, scopes: dict[str, Scope], insights_db: InsightsDb
) -> None:
    body = FIELDS[field](ask, scopes[role], insights_db.dsn)
    people = customers_in(body)
    if field in WITH_CUSTOMERS and (field != "upsellCandidates" or scopes[role].sees_all):
        assert people
    for c in people:
        assert c["piiMasked"] is (role == "analyst")
        if role == "analyst":
            assert c["email"] is None and c["phone"] is None
            assert c["name"].startswith("Client ")
        else:
            assert c["email"]
