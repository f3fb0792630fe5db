"""Leaderboard scoring and coaching: hand-computed attainment, scipy-checked coaching tests."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from analytics.leaderboard import (
    ATTAINMENT_CAP,
    AgentFigure,
    attainment,
    coaching_opportunities,
    leaderboard,
)


def test_attainment_by_direction() -> None:
    assert attainment(4.5, 4.5, "higher") == 1.0
    assert attainment(3.6, 4.5, "higher") == pytest.approx(0.8)
    assert attainment(30.0, 60.0, "lower") == pytest.approx(2.0 if ATTAINMENT_CAP > 2 else 1.5)
    assert attainment(120.0, 60.0, "lower") == pytest.approx(0.5)
    assert attainment(0.0, 60.0, "lower") == ATTAINMENT_CAP
    assert attainment(76.5, 85.0, "target") == pytest.approx(0.9)
    assert attainment(None, 4.5, "higher") is None
    assert attainment(4.0, None, "higher") is None


def test_leaderboard_orders_by_mean_attainment_and_improvement() -> None:
    def f(value: float, previous: float, target: float, direction: str) -> AgentFigure:
        return AgentFigure(value, previous, target, direction)

    agents = {
        # scores: a = (4.5/4.5 + 60/60)/2 = 1.0 ; previous (4.05/4.5 + 60/120)/2 = 0.7
        "a": {"csat": f(4.5, 4.05, 4.5, "higher"), "frt": f(60, 120, 60, "lower")},
        # b = (4.95/4.5 + 60/30 capped 1.5)/2 = 1.3 ; previous (4.95/4.5 + 1.5)/2 = 1.3
        "b": {"csat": f(4.95, 4.95, 4.5, "higher"), "frt": f(30, 30, 60, "lower")},
        # c = (3.6/4.5 + 60/120)/2 = 0.65 ; previous (3.15/4.5 + 60/240)/2 = 0.475
        "c": {"csat": f(3.6, 3.15, 4.5, "higher"), "frt": f(120, 240, 60, "lower")},
    }
    best, improved = leaderboard(agents, top=2)
    assert [r.agent for r in best] == ["b", "a"]
    assert best[0].score == pytest.approx(1.3)
    assert [r.agent for r in improved] == ["a", "c"]
    assert improved[0].improvement == pytest.approx(0.3)
    assert improved[1].improvement == pytest.approx(0.175)


def test_coaching_flags_only_significant_shortfalls() -> None:
    target, margin = 4.5, 0.2
    agents = {
        # far below, large n: significant
        "low": {"csat": AgentFigure(3.9, None, target, "higher", n=120, std=0.9)},
        # slightly below but within noise: not significant
        "noisy": {"csat": AgentFigure(4.35, None, target, "higher", n=12, std=1.0)},
        # above target
        "good": {"csat": AgentFigure(4.7, None, target, "higher", n=80, std=0.6)},
    }
    found = coaching_opportunities(agents, ["csat"], margins={"csat": margin})
    assert [c.agent for c in found] == ["low"]
    c = found[0]
    # one-sided one-sample t-test of mean < target - margin, by hand with scipy's t
    t = (3.9 - (target - margin)) / (0.9 / math.sqrt(120))
    assert c.p_value == pytest.approx(stats.t.cdf(t, 119), rel=1e-6)
    # BH over the 3 tested agents: the smallest p is multiplied by 3/1 (capped by the rest)
    assert c.p_adjusted >= c.p_value
    assert c.p_adjusted <= min(1.0, 3 * c.p_value) + 1e-12
