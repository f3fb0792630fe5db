"""Churn features, recommended actions and the upsell rule, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.churn import (
    FEATURES,
    NO_ACTION,
    churn_design,
    recommended_action,
    upsell_candidates,
)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "vip_tier": "gold",
        "lifetime_value": 1000.0,
        "tenure_days": 400.0,
        "vip_days": 100.0,
        "tickets": 3,
        "csat_n": 2,
        "csat_mean": 4.5,
        "csat_recent": 5.0,
        "csat_earlier": 4.0,
        "low_csat": 0,
        "reopens": 1,
        "sla_breaches": 0,
        "wait_minutes": 120.0,
        "white_glove": 1,
        "dedicated_changes": 1,
        "days_since_ticket": 9.0,
    }
    row.update(overrides)
    return row


def test_design_by_hand() -> None:
    x = churn_design([_row(), _row(csat_mean=None, csat_recent=None, days_since_ticket=None)], 90)
    got = dict(zip(FEATURES, x[0], strict=True))
    assert got["tickets"] == math.log1p(3) and got["csat_gap"] == 0.0
    assert got["csat_trend"] == 1.0 and got["wait"] == pytest.approx(math.log1p(2.0))
    assert got["white_glove"] == 1 / 3 and got["tier"] == 2.0
    assert got["recency"] == math.log1p(9.0) and got["agent_changes"] == 1.0
    second = dict(zip(FEATURES, x[1], strict=True))
    assert second["csat_gap"] == 0.0 and second["csat_trend"] == 0.0
    assert second["recency"] == math.log1p(90.0)
    assert churn_design([], 90).shape == (0, len(FEATURES))


def test_actions_follow_the_strongest_raising_factor() -> None:
    assert recommended_action(0.05, [("sla_breaches", 2.0)]) == NO_ACTION
    action = recommended_action(0.4, [("tier", -1.0), ("sla_breaches", 0.8), ("wait", 0.1)])
    assert "breached" in action


def test_upsell_rule() -> None:
    rows = [
        _row(),  # qualifies
        _row(vip_tier="diamond"),  # top tier
        _row(csat_mean=4.4),  # CSAT too low
        _row(sla_breaches=1),  # a breach
        _row(lifetime_value=5000.0),  # qualifies, larger value
        _row(tickets=1),  # not engaged
        _row(marketing_allowed=False, lifetime_value=9e9),  # refused marketing
    ]
    found = upsell_candidates(rows, [0.1, 0.1, 0.1, 0.1, 0.05, 0.1, 0.0])
    assert [c.index for c in found] == [4, 0]
    assert np.isclose(found[0].score, 5000 * 0.95) and found[1].next_tier == "platinum"
    assert upsell_candidates([_row()], [0.2]) == []  # churn risk too high
