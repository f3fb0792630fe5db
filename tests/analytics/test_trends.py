"""Tests for analytics.trends against scipy and the pyMannKendall reference results."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats

from analytics.trends import mann_kendall, seasonal_mann_kendall

REFERENCE = Path(__file__).with_name("pymannkendall_rainfall.json")


@pytest.fixture(scope="module")
def rainfall() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text())
    return data


def _bogra(rainfall: dict[str, Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in rainfall["bogra"]], dtype=float)


def test_original_test_matches_pymannkendall(rainfall: dict[str, Any]) -> None:
    ref = rainfall["original"]
    x = _bogra(rainfall)
    res = mann_kendall(x[~np.isnan(x)])  # pyMannKendall drops missing values first
    assert res.s == ref["s"]
    assert res.var_s == pytest.approx(ref["var_s"], rel=1e-12)
    assert res.z == pytest.approx(ref["z"], rel=1e-12)
    assert res.p_value == pytest.approx(ref["p"], rel=1e-9)
    assert res.tau == pytest.approx(ref["tau"], rel=1e-12)
    assert res.slope == pytest.approx(ref["slope"], rel=1e-12)
    assert res.trend == ref["trend"]


def test_missing_values_keep_positions(rainfall: dict[str, Any]) -> None:
    x = _bogra(rainfall)
    with_gaps = mann_kendall(x)
    dropped = mann_kendall(x[~np.isnan(x)])
    # S and Var(S) depend only on order, so they agree; the slope uses true time gaps.
    assert (with_gaps.n, with_gaps.s, with_gaps.var_s) == (dropped.n, dropped.s, dropped.var_s)


def test_seasonal_test_matches_pymannkendall(rainfall: dict[str, Any]) -> None:
    ref = rainfall["seasonal"]
    res = seasonal_mann_kendall(_bogra(rainfall), period=ref["period"])
    assert res.s == ref["s"]
    assert res.var_s == pytest.approx(ref["var_s"], rel=1e-12)
    assert res.z == pytest.approx(ref["z"], rel=1e-12)
    assert res.p_value == pytest.approx(ref["p"], rel=1e-9)
    assert res.tau == pytest.approx(ref["tau"], rel=1e-12)
    assert res.trend == ref["trend"]
    assert res.period == 12


def test_seasonal_slope_matches_pymannkendall_on_complete_years(rainfall: dict[str, Any]) -> None:
    ref = rainfall["seasonal"]
    years = _bogra(rainfall).reshape(30, 12)
    complete = years[~np.isnan(years).any(axis=1)].ravel()  # pyMannKendall's row-wise drop
    res = seasonal_mann_kendall(complete, period=12)
    assert res.slope is not None
    assert res.slope * 12 == pytest.approx(ref["slope_per_year"], rel=1e-12)  # per step -> year


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_s_and_tau_match_kendalltau_without_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    x = 0.05 * np.arange(n) + rng.normal(size=n)
    res = mann_kendall(x)
    tau = stats.kendalltau(np.arange(n), x).statistic
    pairs = n * (n - 1) / 2
    assert res.tau == pytest.approx(tau, rel=1e-12)
    assert res.s == round(tau * pairs)
    var = n * (n - 1) * (2 * n + 5) / 18
    assert res.var_s == pytest.approx(var, rel=1e-12)
    z = (res.s - math.copysign(1, res.s)) / math.sqrt(var)
    assert res.z == pytest.approx(z, rel=1e-12)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


def test_tie_corrected_variance_matches_kendalltau() -> None:
    rng = np.random.default_rng(7)
    n = 80
    x = np.round(0.04 * np.arange(n) + rng.normal(size=n))  # integers: many ties
    res = mann_kendall(x)
    ref = stats.kendalltau(np.arange(n), x, method="asymptotic")
    pairs = n * (n - 1) / 2
    tied = sum(c * (c - 1) / 2 for c in np.unique(x, return_counts=True)[1])
    # tau_b = S / sqrt(pairs · (pairs − tied)) with no ties in time.
    s_from_tau = ref.statistic * math.sqrt(pairs * (pairs - tied))
    assert res.s == round(s_from_tau)
    # scipy's asymptotic p uses z = S / sqrt(Var(S)) (no continuity correction): recover Var(S).
    var_from_scipy = (s_from_tau / stats.norm.isf(ref.pvalue / 2)) ** 2
    assert res.var_s == pytest.approx(var_from_scipy, rel=1e-8)


@pytest.mark.parametrize("ties", [False, True])
def test_sen_slope_and_ci_match_theilslopes(ties: bool) -> None:
    rng = np.random.default_rng(11)
    n = 45
    x = 0.3 * np.arange(n) + rng.normal(0, 2, size=n)
    if ties:
        x = np.round(x)
    res = mann_kendall(x)
    ref = stats.theilslopes(x, np.arange(n), alpha=0.95)
    assert res.slope == pytest.approx(ref.slope, rel=1e-12)
    assert res.slope_ci_low == pytest.approx(ref.low_slope, rel=1e-12)
    assert res.slope_ci_high == pytest.approx(ref.high_slope, rel=1e-12)


def test_sen_ci_other_level() -> None:
    rng = np.random.default_rng(5)
    x = -0.2 * np.arange(30) + rng.normal(size=30)
    res = mann_kendall(x, slope_confidence=0.90)
    ref = stats.theilslopes(x, alpha=0.90)
    assert (res.slope_ci_low, res.slope_ci_high) == (
        pytest.approx(ref.low_slope),
        pytest.approx(ref.high_slope),
    )


def test_trend_directions() -> None:
    up = mann_kendall(np.arange(20, dtype=float))
    assert (up.trend, up.s, up.tau, up.slope) == ("increasing", 190, 1.0, 1.0)
    down = mann_kendall(-np.arange(20, dtype=float))
    assert down.trend == "decreasing"
    flat = mann_kendall(np.full(10, 3.0))
    assert (flat.trend, flat.s, flat.var_s, flat.z, flat.p_value) == ("no trend", 0, 0.0, 0.0, 1.0)


def test_short_series() -> None:
    assert mann_kendall([]).slope is None
    tiny = mann_kendall([1.0, 2.0, 3.0, 4.0])
    assert tiny.trend == "no trend"  # n = 4 cannot reach p ≤ 0.05
    assert (tiny.slope_ci_low, tiny.slope_ci_high) == (None, None)  # rank outside 1..N'


def test_seasonal_removes_weekly_pattern() -> None:
    rng = np.random.default_rng(3)
    weeks = 16
    t = np.arange(7 * weeks)
    weekly = np.tile([40.0, 35, 30, 30, 32, -60, -70], weeks)
    x = 300 + 0.4 * t + weekly + rng.normal(0, 6, size=t.size)
    res = seasonal_mann_kendall(x, period=7)
    assert res.trend == "increasing"
    assert res.slope == pytest.approx(0.4, abs=0.05)
    assert res.slope_ci_low is not None and res.slope_ci_high is not None
    assert res.slope_ci_low < 0.4 < res.slope_ci_high
    # Independent check of S: sum of per-weekday Kendall S computed with scipy.
    s_total = 0.0
    for day in range(7):
        sub = x[day::7]
        pairs = len(sub) * (len(sub) - 1) / 2
        s_total += stats.kendalltau(np.arange(len(sub)), sub).statistic * pairs
    assert res.s == round(s_total)


def test_validation() -> None:
    with pytest.raises(ValueError, match="period"):
        seasonal_mann_kendall([1.0, 2.0, 3.0], period=1)
    with pytest.raises(ValueError, match="alpha"):
        mann_kendall([1.0, 2.0, 3.0], alpha=0.0)
    with pytest.raises(ValueError, match="one-dimensional"):
        mann_kendall(np.ones((3, 3)))
