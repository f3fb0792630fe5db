"""CSAT forecast intervals on simulated daily means; the risk design by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.satisfaction_risk import FEATURES, forecast_daily_csat, low_rating, risk_design


def test_forecast_covers_a_stationary_series() -> None:
    rng = np.random.default_rng(3)
    hits80 = hits95 = total = 0
    for _ in range(40):
        series = 4.3 + rng.normal(0, 0.08, 67)
        fc = forecast_daily_csat([float(v) for v in series[:60]], horizon=7)
        for day, actual in zip(fc.days, series[60:], strict=True):
            hits80 += day.lo80 <= actual <= day.hi80
            hits95 += day.lo95 <= actual <= day.hi95
            total += 1
            assert 1 <= day.lo95 <= day.lo80 <= day.mean <= day.hi80 <= day.hi95 <= 5
    # nominal 80% / 95%: binomial sd over 280 points is ~2.4% / 1.3%; allow 3 sd
    assert abs(hits80 / total - 0.80) < 0.075
    assert abs(hits95 / total - 0.95) < 0.04


def test_forecast_fills_empty_days_and_refuses_short_history() -> None:
    fc = forecast_daily_csat([4.0, None, 4.2, 4.1, None, 4.3, 4.0, 4.1, 4.2], horizon=3)
    assert fc.history_days == 9 and len(fc.days) == 3
    with pytest.raises(ValueError, match="7 days"):
        forecast_daily_csat([4.0, None, 4.1])


def test_risk_design_by_hand() -> None:
    row: dict[str, object] = {
        "first_response_minutes": 120.0,
        "reopen_count": 2,
        "agent_replies": 3,
        "agent_skill": None,
        "agent_tenure_years": 1.5,
        "sentiment": -0.2,
        "fr_breached": True,
        "res_breached": False,
        "channel": "phone",
        "vip_tier": "gold",
        "csat": 2,
    }
    got = dict(zip(FEATURES, risk_design([row])[0], strict=True))
    assert got["wait"] == pytest.approx(math.log1p(2.0)) and got["reopened"] == 1.0
    assert got["agent_skill"] == 3.0 and got["phone"] == 1.0 and got["chat"] == 0.0
    assert got["vip"] == 1.0 and got["first_response_breached"] == 1.0
    assert low_rating([row, {**row, "csat": 3}]).tolist() == [1, 0]
