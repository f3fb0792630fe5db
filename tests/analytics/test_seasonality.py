"""Seasonal profiles against pandas group-bys, and seasonal strength against the Wang-Smith-
Hyndman formula applied to statsmodels' own STL/MSTL run independently here."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from scipy import stats
from statsmodels.tsa.seasonal import MSTL, STL

from analytics.forecast_models import STL_SPEED
from analytics.seasonality import hour_of_week, intraday, seasonal_strength, weekly

START = datetime(2026, 9, 7)  # a Monday


def _hours(weeks: int, seed: int) -> tuple[list[datetime], np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 168)
    rate = 12 + 6 * np.sin(2 * np.pi * (t % 24 - 6) / 24) + np.where((t // 24) % 7 >= 5, -5, 0)
    return [START + timedelta(hours=int(i)) for i in t], rng.poisson(rate).astype(float)


def test_hour_of_week_matches_pandas() -> None:
    starts, values = _hours(6, 1)
    values[5] = np.nan  # one bucket without a value
    counts = [int(v) if np.isfinite(v) else 0 for v in values]
    cells = hour_of_week(starts, [None if np.isnan(v) else v for v in values], counts)
    df = pd.DataFrame({"t": starts, "v": values, "n": counts})
    df["d"], df["h"] = df.t.dt.day_of_week + 1, df.t.dt.hour
    g = df.groupby(["d", "h"])
    assert [c.key for c in cells] == list(g.groups)  # Monday 00:00 first
    for cell, (_key, frame) in zip(cells, g, strict=True):
        v = frame.v.dropna()
        assert cell.value == pytest.approx(v.mean(), rel=1e-12)
        assert (cell.cycles, cell.n) == (len(v), int(frame.n.sum()))
        half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
        assert cell.ci_low == pytest.approx(v.mean() - half, rel=1e-9)
        assert cell.ci_high == pytest.approx(v.mean() + half, rel=1e-9)
    assert cells[5].cycles == 5


def test_intraday_and_weekly_profiles_match_pandas() -> None:
    starts, values = _hours(4, 2)
    cells = intraday(starts, list(values), [1] * len(values))
    by_hour = pd.Series(values).groupby([t.hour for t in starts]).mean()
    assert [c.value for c in cells] == pytest.approx(list(by_hour), rel=1e-12)
    days = [START + timedelta(days=i) for i in range(28)]
    daily = pd.Series(values).groupby(np.arange(len(values)) // 24).sum().to_numpy()
    w = weekly(days, list(daily), [int(x) for x in daily])
    by_day = pd.Series(daily).groupby([d.isoweekday() for d in days]).mean()
    assert [c.value for c in w] == pytest.approx(list(by_day), rel=1e-12)
    assert all(c.cycles == 4 for c in w)


def _fs(resid: np.ndarray, part: np.ndarray) -> float:
    return max(0.0, 1 - np.var(resid) / np.var(part + resid))


def test_strength_single_period_is_stl_formula() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(7 * 12)
    y = 50 + 10 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, t.size)
    res = seasonal_strength(list(y), [7])
    fit = STL(y, period=7, seasonal=2 * 12 + 1, **STL_SPEED).fit()  # near-periodic, jumps
    assert res.method == "STL"
    assert res.components[0].strength == pytest.approx(_fs(fit.resid, fit.seasonal), rel=1e-12)
    assert res.trend_strength == pytest.approx(_fs(fit.resid, fit.trend), rel=1e-12)
    assert res.components[0].strength > 0.8


def test_strength_two_periods_is_mstl_formula_and_orders_components() -> None:
    _, values = _hours(6, 4)
    res = seasonal_strength(list(values), [168, 24])
    fit = MSTL(
        values, periods=[24, 168], windows=[2 * 42 + 1, 2 * 6 + 1], stl_kwargs=STL_SPEED
    ).fit()
    assert res.method == "MSTL"
    assert [c.period for c in res.components] == [24, 168]
    for i, comp in enumerate(res.components):
        assert comp.strength == pytest.approx(_fs(fit.resid, fit.seasonal[:, i]), rel=1e-12)
    assert res.components[0].strength > 0.5  # a strong daily cycle


def test_no_seasonality_in_noise_and_validation() -> None:
    rng = np.random.default_rng(5)
    res = seasonal_strength(list(rng.normal(size=140)), [7])
    assert res.components[0].strength < 0.3
    with pytest.raises(ValueError, match="two full cycles"):
        seasonal_strength([1.0] * 10, [7])
    with pytest.raises(ValueError, match="half"):
        seasonal_strength([None] * 10 + [1.0] * 8, [7])
