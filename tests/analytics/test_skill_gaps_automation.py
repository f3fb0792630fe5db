"""Skill gaps and automation clusters on small hand-made inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from analytics.automation import automation_opportunities, leader_clusters
from analytics.skill_gaps import skill_gaps

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def _rows() -> list[dict[str, object]]:
    rng = np.random.default_rng(5)
    rows: list[dict[str, object]] = []
    for agent, shift in (("a", -1.2), ("b", 0.0), ("c", 0.0)):
        for i in range(60):
            rows.append(
                {
                    "agent_id": agent,
                    "category_root": "billing" if i % 2 else "account",
                    "channel": "email",
                    "resolved_at": T0 + timedelta(hours=i * 12),
                    "resolution_minutes": float(rng.uniform(30, 600)),
                    "reopened": bool(rng.random() < 0.1),
                    "csat": int(np.clip(round(4.4 + shift * (i % 2) + rng.normal(0, 0.6)), 1, 5)),
                    "qa_score": float(rng.normal(4.2, 0.3)),
                }
            )
    return rows


def test_gap_found_where_injected_and_matches_scipy() -> None:
    rows = _rows()
    training = [
        {"agent_id": "a", "course": "Payments", "skill": "billing", "status": "completed",
         "completed_at": T0 + timedelta(days=15)},
    ]  # fmt: skip
    result = skill_gaps(rows, training)
    found = {(s.agent_id, s.skill): s for s in result.skills}
    billing = found[("a", "category:billing")]
    csat = next(c for c in billing.comparisons if c.metric == "csat")
    mine = [r["csat"] for r in rows if r["agent_id"] == "a" and r["category_root"] == "billing"]
    rest = [r["csat"] for r in rows if r["agent_id"] != "a" and r["category_root"] == "billing"]
    assert csat.agent_value == pytest.approx(np.mean(mine))
    assert csat.team_value == pytest.approx(np.mean(rest))
    assert csat.p_value == pytest.approx(stats.ttest_ind(mine, rest, equal_var=False).pvalue)
    assert csat.gap and billing.recommended_training is not None
    assert "refresher" in billing.recommended_training  # billing course taken, no gain shown
    # the account skill of agent a has no injected gap
    account = found[("a", "category:account")]
    assert not any(c.gap for c in account.comparisons) and account.recommended_training is None


def test_leader_clusters_group_near_identical_messages() -> None:
    texts = [
        "Hello, my order has not arrived yet.",
        "Hello, my order has not arrived yet!",
        "hello my order has not arrived yet",
        "I cannot log in to my account.",
        "Please send me an invoice for March.",
    ]
    clusters = sorted(leader_clusters(texts), key=len, reverse=True)
    assert clusters[0] == [0, 1, 2] and len(clusters) == 3


def test_savings_by_hand() -> None:
    categories = [
        {"path": "a/x", "tickets": 100, "median_handle_seconds": 600.0, "simple_resolved": 40},
        {"path": "b/y", "tickets": 50, "median_handle_seconds": 1200.0, "simple_resolved": 10},
    ]
    r = automation_opportunities(
        categories, None, chatbot_handled=200, chatbot_contained=100, labor_cost=500.0,
        scheduled_seconds=20 * 3600.0,
    )  # fmt: skip
    first = r.opportunities[0]
    # counts only: automatable = simple share; hours = 100 × 0.4 × 0.5 × 10 min / 60
    assert first.category == "a/x" and first.repetitive_share is None
    assert first.hours_saved == pytest.approx(100 * 0.4 * 0.5 * 10 / 60)
    assert first.cost_saved == pytest.approx(first.hours_saved * 25.0)
    assert r.containment_rate == 0.5 and len(r.assumptions) == 4
