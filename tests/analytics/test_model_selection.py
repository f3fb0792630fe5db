"""Forecast model selection on simulated series: trend, two seasonal cycles, holiday dips and a
pure seasonal series; the rule itself; ETS(A,N,A) against analytics.forecasting's independent
implementation; holiday effects by hand.

Simulations are Poisson counts around known rates (stated in each helper). Tolerances: the
chosen model must have a strictly lower backtest MASE than seasonal naive on every series, and
the mean 95% interval coverage over the series must lie in [0.90, 0.98] (issue 10's bar)."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.forecast_models import holiday_effect, predict
from analytics.forecasting import forecast_counts
from analytics.model_selection import ModelScore, choose, select_model

WEEK = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.5, 0.4])


def daily(
    weeks: int, seed: int, *, trend: float = 0.0, holidays: np.ndarray | None = None
) -> np.ndarray:
    """Poisson(200 · weekday factor · (1 + trend·week) · (0.4 on holidays))."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 7)
    rate = 200 * WEEK[t % 7] * (1 + trend * t / 7)
    if holidays is not None:
        rate = np.where(holidays[: t.size], 0.4 * rate, rate)
    return rng.poisson(rate).astype(float)


def hourly_two_cycles(weeks: int, seed: int) -> np.ndarray:
    """Poisson((2 + 1.2·daily(h) + 0.8·weekly(d))²): daily and weekly cycles additive on √."""
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 168)
    root = 4 + 1.2 * np.sin(2 * np.pi * (t % 24 - 6) / 24) + 0.8 * np.cos(2 * np.pi * (t // 24) / 7)
    return rng.poisson(root**2).astype(float)


def test_trend_series_chosen_model_beats_seasonal_naive() -> None:
    coverage = []
    for seed in range(8):
        sel = select_model(daily(16, seed, trend=0.04), 7, 7)
        assert sel.chosen.mase < sel.naive.mase, (seed, sel.candidates)
        assert sel.model != "seasonal_naive"
        coverage.append(sel.chosen.coverage95)
    assert 0.90 <= float(np.mean(coverage)) <= 0.98, coverage


def test_two_seasonal_cycles_chosen_model_beats_seasonal_naive() -> None:
    coverage = []
    for seed in range(3):
        sel = select_model(hourly_two_cycles(6, seed), 168, 168, periods=(24, 168), origins=2)
        assert "mstl_ets" in [c.model for c in sel.candidates]
        assert sel.chosen.mase < sel.naive.mase, (seed, sel.candidates)
        coverage.append(sel.chosen.coverage95)
        assert len(sel.forecast.mean) == 168
    assert 0.90 <= float(np.mean(coverage)) <= 0.98, coverage


def _holiday_flags(days: int) -> np.ndarray:
    flags = np.zeros(days, dtype=bool)
    flags[[9, 31, 52, 74, 95, 117, 120, 138]] = True  # 138 is in the horizon (days 133..139)
    return flags


def test_holiday_dips_are_modelled_and_beat_seasonal_naive() -> None:
    coverage = []
    flags = _holiday_flags(20 * 7)
    for seed in range(6):
        y = daily(20, seed, holidays=flags)
        sel = select_model(y[:133], 7, 7, holidays=flags)
        assert sel.holiday_effects and "holiday effects" in sel.description
        assert sel.chosen.mase < sel.naive.mase, (seed, sel.candidates)
        coverage.append(sel.chosen.coverage95)
        # the holiday in the horizon (a weekday, rate 0.4 x normal) is forecast low
        day = 138 - 133
        assert sel.forecast.mean[day] < 0.6 * sel.forecast.mean[day - 7 if day >= 7 else day + 1]
    assert 0.90 <= float(np.mean(coverage)) <= 0.98, coverage


def test_pure_seasonal_series_picks_seasonal_naive() -> None:
    y = np.tile([50.0, 60, 55, 58, 40, 12, 10], 10)
    sel = select_model(y, 7, 7)
    assert sel.model == "seasonal_naive"
    assert sel.chosen.model == "seasonal_naive" and sel.naive.wape == pytest.approx(0, abs=1e-12)
    assert sel.naive.coverage95 == 1.0
    assert list(sel.forecast.mean) == pytest.approx(list(y[-7:]), rel=1e-12)


def test_choice_rule_never_worse_than_seasonal_naive() -> None:
    naive = ModelScore("seasonal_naive", 1.0, 0.2, 0.8, 0.95)
    worse = ModelScore("ets_ana", 1.2, 0.25, 0.8, 0.95)
    tie = ModelScore("ets_aada", 1.0, 0.2, 0.8, 0.95)
    better = ModelScore("ets_aaa", 0.9, 0.18, 0.8, 0.95)
    assert choose([naive, worse, tie]) == naive
    assert choose([naive, worse, tie, better]) == better
    assert choose([naive, ModelScore("ets_ana", float("nan"), 0.1, 0.8, 0.95)]) == naive


def test_ets_ana_equals_the_forecasting_module() -> None:
    y = daily(10, 3)
    mine = predict("ets_ana", y, 7, 7)
    ref = forecast_counts(y, 7, 7)
    assert list(mine.mean) == pytest.approx([p.mean for p in ref.points], rel=1e-9)
    assert list(mine.lo95) == pytest.approx([p.lo95 for p in ref.points], rel=1e-9)
    assert list(mine.hi80) == pytest.approx([p.hi80 for p in ref.points], rel=1e-9)


def test_holiday_effect_by_hand() -> None:
    y = np.array([10.0, 20, 30, 10, 20, 3, 10, 20, 30])
    flags = np.zeros(9, dtype=bool)
    flags[5] = True
    cleaned, effect = holiday_effect(y, flags, 3, "sqrt")
    assert list(cleaned) == [10, 20, 30, 10, 20, 30, 10, 20, 30]  # one period earlier
    assert effect == pytest.approx(3 / 30)
    _, additive = holiday_effect(y, flags, 3, "none")
    assert additive == pytest.approx(-27.0)
    assert holiday_effect(y, np.zeros(9, dtype=bool), 3, "sqrt")[1] is None
