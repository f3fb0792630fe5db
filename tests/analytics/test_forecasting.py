"""Tests for analytics.forecasting: coverage and MASE on simulated counts, hand-computed MASE,
an independent seasonal-naive baseline, and the point forecast and interval width against
statsmodels' own ETSModel prediction run independently here."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from analytics.forecasting import (
    Forecast,
    backtest_counts,
    forecast_counts,
    mase,
    seasonal_naive,
)

HOURS = 168


def _weekly_rate() -> np.ndarray:
    """Hour-of-week Poisson rate: business-hours hump, weekends at 40%, ~0.3/h at night."""
    h = np.arange(HOURS)
    hump = np.clip(np.sin((h % 24 - 6) / 16 * np.pi), 0.0, None)
    weekday = np.where((h // 24) < 5, 1.0, 0.4)
    return np.asarray(0.3 + 30.0 * hump * weekday)


def _hourly(weeks: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(np.tile(_weekly_rate(), weeks)).astype(float)


def test_backtest_on_simulated_weekly_poisson_counts() -> None:
    # 5 independent 10-week hourly series, 4 origins x 168 h each = 3360 forecasts. Coverage of
    # one series is noisy (errors within a week are correlated), so the bands are for the mean
    # over the 5: +-0.06 around 0.80 and +-0.03 around 0.95 (20-seed simulation: mean 0.800 /
    # 0.954, single-series range 0.77-0.83 / 0.94-0.97).
    results = [backtest_counts(_hourly(10, seed), HOURS, HOURS, origins=4) for seed in range(5)]
    cov80 = float(np.mean([b.coverage80 for b in results]))
    cov95 = float(np.mean([b.coverage95 for b in results]))
    assert 0.74 <= cov80 <= 0.86
    assert 0.92 <= cov95 <= 0.98
    for b in results:
        assert (b.origins, b.horizon) == (4, HOURS)
        assert b.mase < 1.0  # better than the in-sample seasonal naive scale
        assert b.mase < b.naive_mase  # and than the seasonal naive forecast itself


def test_mase_hand_computed() -> None:
    # training y = 1, 2, 3, 1, 2, 5 with m = 3:
    #   seasonal differences |1-1|, |2-2|, |5-3| = 0, 0, 2  ->  Q = 2/3
    # actual 2, 4 vs predicted 1, 4: errors 1, 0 -> MAE = 0.5  ->  MASE = 0.5 / (2/3) = 0.75
    assert mase([2, 4], [1, 4], [1, 2, 3, 1, 2, 5], 3) == pytest.approx(0.75, abs=1e-15)
    # Q = 0 (training repeats exactly) leaves MASE undefined.
    assert math.isnan(mase([1], [0], [1, 2, 1, 2], 2))


def test_seasonal_naive_reproduced_independently() -> None:
    y = _hourly(3, seed=7)[:400]  # a partial last week
    # Recursive definition: each future value copies the one m steps earlier.
    ext = list(y)
    for _ in range(200):
        ext.append(ext[-HOURS])
    np.testing.assert_array_equal(seasonal_naive(y, 200, HOURS), np.array(ext[len(y) :]))


def test_backtest_figures_recomputed_independently() -> None:
    # Daily series, weekly period: recompute MASE, the seasonal-naive MASE and coverage from
    # forecast_counts at each origin, with the scale from pandas' shift (atol 1e-12).
    rng = np.random.default_rng(3)
    daily = rng.poisson(np.tile([300, 320, 310, 290, 260, 90, 70], 12)).astype(float)
    horizon, period, origins = 7, 7, 5
    bt = backtest_counts(daily, horizon, period, origins=origins)
    scaled, naive_scaled, in80, in95 = [], [], 0, 0
    for i in range(origins):
        cut = len(daily) - (origins - i) * horizon
        train = pd.Series(daily[:cut])
        actual = daily[cut : cut + horizon]
        scale = float((train - train.shift(period)).abs().mean())  # NaNs skipped
        fc = forecast_counts(train.to_numpy(), horizon, period)
        scaled += [abs(a - p.mean) / scale for a, p in zip(actual, fc.points, strict=True)]
        naive = np.resize(train.to_numpy()[-period:], horizon)
        naive_scaled += list(np.abs(actual - naive) / scale)
        in80 += sum(p.lo80 <= a <= p.hi80 for a, p in zip(actual, fc.points, strict=True))
        in95 += sum(p.lo95 <= a <= p.hi95 for a, p in zip(actual, fc.points, strict=True))
    assert bt.mase == pytest.approx(np.mean(scaled), abs=1e-12)
    assert bt.naive_mase == pytest.approx(np.mean(naive_scaled), abs=1e-12)
    assert bt.coverage80 == in80 / (origins * horizon)
    assert bt.coverage95 == in95 / (origins * horizon)
    assert bt.mase < 1.0


def test_point_forecast_and_intervals_match_statsmodels_ets() -> None:
    # Independent run of statsmodels ETSModel(A,N,A) on sqrt counts with the documented initial
    # states (phase means via pandas groupby). A level rise in the last two weeks makes alpha
    # non-trivial. Point forecast: max(z_hat, 0)^2. Tolerance rel 1e-6: the phase means here
    # and in the module differ in the last bits, which moves the optimiser's stopping point.
    # Interval: statsmodels' analytic variance is mse * r_h; ours must be
    # sigma2 * (r_h + 1/c_j) with sigma2 = SSE / (n - m - 2).
    rate = np.concatenate([np.tile(_weekly_rate(), 4), 1.5 * np.tile(_weekly_rate(), 2)])
    y = np.random.default_rng(11).poisson(rate).astype(float)
    z = pd.Series(np.sqrt(y))
    n, m, horizon = len(z), HOURS, 200
    phase = pd.Series(np.arange(n) % m)
    means = z.groupby(phase).mean().to_numpy()
    level = means.mean()
    model = ETSModel(
        z,
        error="add",
        trend=None,
        seasonal="add",
        seasonal_periods=m,
        initialization_method="known",
        initial_level=level,
        initial_seasonal=means - level,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp=False)
        frame = res.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=0.05)
    fc = forecast_counts(y, horizon, m)
    assert fc.alpha == pytest.approx(res.smoothing_level, rel=1e-6)
    assert fc.alpha > 0.005
    z_hat = frame["mean"].to_numpy()
    assert [p.mean for p in fc.points] == pytest.approx(np.maximum(z_hat, 0) ** 2, rel=1e-6)
    z95 = stats.norm.ppf(0.975)
    relative = ((frame["pi_upper"].to_numpy() - z_hat) / z95) ** 2 / res.mse
    counts = phase.value_counts().sort_index().to_numpy()
    sigma2 = res.sse / (n - m - 2)
    sd = np.sqrt(sigma2 * (relative + 1.0 / counts[(n + np.arange(horizon)) % m]))
    assert [p.hi95 for p in fc.points] == pytest.approx((z_hat + z95 * sd) ** 2, rel=1e-6)
    z80 = stats.norm.ppf(0.90)
    lo80 = np.maximum(z_hat - z80 * sd, 0) ** 2
    assert [p.lo80 for p in fc.points] == pytest.approx(lo80, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(
    ("history", "horizon", "period"),
    [
        (_hourly(6, seed=5), HOURS, HOURS),  # hourly with night zeros
        (np.random.default_rng(2).poisson(np.tile([3, 5, 4, 6, 5, 1, 0.2], 2)), 14, 7),
        (np.zeros(28), 7, 7),
    ],
)
def test_intervals_ordered_and_non_negative(history: np.ndarray, horizon: int, period: int) -> None:
    fc = forecast_counts(history, horizon, period)
    assert isinstance(fc, Forecast)
    assert fc.period == period and fc.method
    assert [p.step for p in fc.points] == list(range(1, horizon + 1))
    for p in fc.points:
        assert 0.0 <= p.lo95 <= p.lo80 <= p.mean <= p.hi80 <= p.hi95
        assert all(math.isfinite(v) for v in (p.lo95, p.hi95))
    if not np.any(history):
        assert all(p.hi95 == 0.0 for p in fc.points)


@pytest.mark.parametrize(
    ("history", "horizon", "message"),
    [
        (np.ones(13), 7, "at least 14"),
        ([1.0] * 13 + [-1.0], 7, "non-negative"),
        ([1.0] * 13 + [math.nan], 7, "finite"),
        ([1.0] * 13 + [math.inf], 7, "finite"),
        (np.ones(14), 0, "horizon"),
    ],
)
def test_bad_input_raises(history: list[float], horizon: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forecast_counts(history, horizon, 7)


def test_backtest_needs_room_for_origins() -> None:
    with pytest.raises(ValueError, match="at least 42"):
        backtest_counts(np.ones(41), 7, 7, origins=4)  # 2*7 + 4*7 = 42
    with pytest.raises(ValueError, match="origins"):
        backtest_counts(np.ones(42), 7, 7, origins=0)


def test_deterministic_for_a_random_state() -> None:
    y = _hourly(6, seed=9)
    assert forecast_counts(y, 24, HOURS, random_state=1) == forecast_counts(
        y, 24, HOURS, random_state=1
    )
    # Intervals are analytic, so the seed does not change the result either.
    assert forecast_counts(y, 24, HOURS, random_state=1) == forecast_counts(
        y, 24, HOURS, random_state=None
    )
