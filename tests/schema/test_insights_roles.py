"""Insights rules beyond the role matrix (tests/schema/test_insights_matrix.py): organisation
scores hidden from team leads, the forecast's interval order and the upsell rule."""

from __future__ import annotations

import insights_roles_support as roles
from insights_roles_support import ROLES, Ask
from insights_support import INSIGHTS_END

server, users, ask = roles.server, roles.users, roles.ask  # fixtures


def test_model_cards_and_accuracy_rights(ask: Ask) -> None:
    card = "{ churnModel { version auc brier baseRateBrier nTest calibration { n observed } } }"
    for role in ROLES:
        body = ask(role, card)
        assert "errors" not in body, body
        assert body["data"]["churnModel"]["auc"] >= 0.75
    accuracy = """{ predictionAccuracy(type: CHURN_RISK, window: {from: "2026-01-01T00:00:00Z",
      to: "2026-12-31T00:00:00Z"}) { model version n auc } }"""
    refused = ask("agent", accuracy)
    assert "managers, executives, admins and analysts only" in refused["errors"][0]["message"]
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in ask("analyst", accuracy)
    scores = "{ predictions(type: SATISFACTION_RISK) { id } }"
    assert ask("team_lead", scores)["data"]["predictions"] == []
    assert len(ask("manager", scores)["data"]["predictions"]) > 100


def test_forecast_and_upsell(ask: Ask) -> None:
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
