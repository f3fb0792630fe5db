"""Tests for analytics.anomaly: the modified z formula by hand, and spike recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_values import MODIFIED_Z_HAND, MODIFIED_Z_MEAN_AD

from analytics.anomaly import detect_anomalies, detect_anomalies_with_gaps, modified_z_scores

WEEKLY = np.array([40.0, 35.0, 30.0, 30.0, 32.0, -60.0, -70.0])  # Mon..Sun offsets


def daily_series(
    days: int, seed: int, spikes: dict[int, float], *, tz: str | None = None
) -> pd.Series:
    """Level 300, slope 0.5/day, weekly pattern, Gaussian noise sd 5, plus injected spikes."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    y = 300.0 + 0.5 * t + WEEKLY[t % 7] + rng.normal(0.0, 5.0, size=days)
    for position, size in spikes.items():
        y[position] += size
    index = pd.date_range("2024-01-01", periods=days, freq="D", tz=tz)  # a Monday
    return pd.Series(y, index=index)


def test_modified_z_hand_example() -> None:
    ref = MODIFIED_Z_HAND
    res = modified_z_scores(ref["values"])
    assert res.median == ref["median"]
    assert (res.scale, res.scale_method) == (ref["mad"], "mad")
    assert res.z == pytest.approx(ref["z"], abs=1e-12)


def test_modified_z_mad_zero_uses_mean_absolute_deviation() -> None:
    ref = MODIFIED_Z_MEAN_AD
    res = modified_z_scores(ref["values"])
    assert res.scale_method == "mean_ad"
    assert res.scale == pytest.approx(ref["mean_ad"], rel=1e-12)
    assert res.z[-1] == pytest.approx(ref["z_last"], rel=1e-12)
    assert res.z[:-1] == (0.0,) * 6


def test_modified_z_constant() -> None:
    res = modified_z_scores([2.0, 2.0, 2.0])
    assert (res.z, res.scale_method) == ((0.0, 0.0, 0.0), "zero")


def test_spikes_found_and_nothing_else_stl() -> None:
    spikes = {20: 60.0, 51: -55.0, 70: 45.0}  # ≥ 9 noise sd
    series = daily_series(84, seed=4, spikes=spikes)
    res = detect_anomalies(series, period=7)
    assert res.decomposition == "stl"
    assert res.flagged == tuple(series.index[sorted(spikes)])
    assert res.threshold == 3.5
    assert len(res.points) == 84


def test_spikes_found_and_nothing_else_short_series() -> None:
    spikes = {9: 70.0, 22: -70.0}
    series = daily_series(28, seed=8, spikes=spikes)
    res = detect_anomalies(series, period=7)
    assert res.decomposition == "seasonal_median"
    assert res.flagged == tuple(series.index[sorted(spikes)])


def test_false_alarm_rate_across_seeds() -> None:
    # 30 series of 12 weeks with two 12-sd spikes each. All 60 spikes must be found; with
    # Gaussian residuals |z| > 3.5 has two-sided probability 4.7e-4, so the 2460 clean points
    # should give about 1 false alarm. We allow 8 (MAD estimated from 84 points and spike
    # leakage into STL inflate the rate; this bounds it at ~0.3% of points).
    false_alarms = 0
    for seed in range(30):
        spikes = {25: 60.0, 60: -60.0}
        series = daily_series(84, seed=100 + seed, spikes=spikes)
        flagged = {series.index.get_loc(ts) for ts in detect_anomalies(series, 7).flagged}
        assert set(spikes) <= flagged
        false_alarms += len(flagged - set(spikes))
    assert false_alarms <= 8


def test_weekly_pattern_alone_is_not_anomalous() -> None:
    # Weekends are 100 below weekdays: a raw robust z would flag them; the residual must not.
    series = daily_series(56, seed=2, spikes={})
    assert detect_anomalies(series, period=7).flagged == ()
    assert len(detect_anomalies(series, period=1).flagged) > 0  # no de-seasonalisation


def test_timezone_aware_index_and_points() -> None:
    series = daily_series(42, seed=12, spikes={30: 80.0}, tz="Europe/Paris")
    res = detect_anomalies(series, period=7)
    assert res.flagged == (series.index[30],)
    point = res.points[30]
    assert point.flagged and point.z > 3.5
    assert point.value == pytest.approx(series.iloc[30])
    assert point.timestamp.tzinfo is not None


def test_hourly_daily_cycle() -> None:
    rng = np.random.default_rng(21)
    hours = 24 * 14
    t = np.arange(hours)
    daily = 20 * np.sin(2 * np.pi * (t % 24) / 24)
    y = 50 + daily + rng.normal(0, 2, size=hours)
    y[200] += 25
    series = pd.Series(y, index=pd.date_range("2024-03-01", periods=hours, freq="h"))
    res = detect_anomalies(series, period=24)
    assert res.decomposition == "stl"
    assert res.flagged == (series.index[200],)


def test_short_series_without_seasonality() -> None:
    series = pd.Series(
        [10.0, 11.0, 9.0, 10.0, 30.0, 10.0], index=pd.date_range("2024-01-01", periods=6)
    )
    res = detect_anomalies(series, period=7)
    assert res.decomposition == "none"
    assert res.flagged == (series.index[4],)


def test_monthly_buckets_are_regular() -> None:
    series = pd.Series(np.arange(12.0), index=pd.date_range("2023-01-01", periods=12, freq="MS"))
    assert detect_anomalies(series, period=1).decomposition == "none"


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pd.Series([1.0, 2.0, 3.0]), "DatetimeIndex"),
        (
            pd.Series(
                [1.0, 2.0, 3.0], index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])
            ),
            "regular frequency",
        ),
        (pd.Series([1.0, np.nan, 3.0], index=pd.date_range("2024-01-01", periods=3)), "NaN"),
        (pd.Series([1.0, 2.0], index=pd.date_range("2024-01-01", periods=2)), "at least 3"),
    ],
)
def test_input_validation(series: pd.Series, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        detect_anomalies(series, period=7)


def test_forced_decomposition_needs_two_cycles() -> None:
    series = daily_series(10, seed=1, spikes={})
    with pytest.raises(ValueError, match="two full cycles"):
        detect_anomalies(series, period=7, decomposition="stl")


def _hourly(weeks: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(weeks * 168)
    rate = 20 + 10 * np.sin(2 * np.pi * (t % 24 - 6) / 24)
    index = pd.date_range("2026-09-07", periods=t.size, freq="h", tz="UTC")
    return pd.Series(rng.poisson(rate).astype(float), index=index)


def test_expected_range_is_the_flagging_rule() -> None:
    from analytics.anomaly import MAD_CONSTANT

    s = _hourly(7, 3)
    s.iloc[500] += 60
    res = detect_anomalies(s, 24)
    sigma = res.scale / MAD_CONSTANT
    for p in res.points:
        assert p.expected == pytest.approx(p.value - p.residual + res.residual_median, abs=1e-9)
        assert p.expected_high - p.expected == pytest.approx(3.5 * sigma, rel=1e-12)
        outside = not (p.expected_low <= p.value <= p.expected_high)
        assert p.flagged == outside or abs(abs(p.z) - 3.5) < 1e-9
        if p.flagged:
            assert p.severity == ("critical" if abs(p.z) >= 7.0 else "warning")
        else:
            assert p.severity is None
    assert res.points[500].flagged and res.points[500].severity == "critical"


def test_gaps_are_filled_never_flagged_and_left_out_of_the_scale() -> None:
    from analytics.anomaly import detect_anomalies_with_gaps

    s = _hourly(7, 4)
    s.iloc[[10, 11, 300]] = np.nan
    s.iloc[600] += 80
    res = detect_anomalies_with_gaps(s, 24)
    missing = [res.points[i] for i in (10, 11, 300)]
    assert all(not p.observed and not p.flagged and p.z == 0.0 for p in missing)
    assert res.points[600].flagged
    observed = np.array([p.residual for p in res.points if p.observed])
    mad = np.median(np.abs(observed - np.median(observed)))
    assert res.scale == pytest.approx(mad, rel=1e-12)
    with pytest.raises(ValueError, match="NaN"):
        detect_anomalies(s, 24)


def test_sqrt_transform_scores_counts_on_one_scale_and_maps_the_range_back() -> None:
    from analytics.anomaly import trend_window

    s = _hourly(8, 6)
    s.iloc[700] = s.iloc[700] * 3 + 20
    res = detect_anomalies(s, 168, transform="sqrt", trend=trend_window(168))
    assert trend_window(168) == 337 and trend_window(7) == 29
    for p in res.points:
        z_scale = np.sqrt(p.value)
        assert p.expected == pytest.approx((z_scale - p.residual + res.residual_median) ** 2)
        inside = p.expected_low <= p.value <= p.expected_high
        assert p.flagged != inside or abs(abs(p.z) - 3.5) < 1e-9
    assert res.points[700].flagged
    # on the raw scale busy hours carry more variance: more flags on clean Poisson data
    clean = _hourly(8, 7)
    raw = detect_anomalies(clean, 168)
    stabilised = detect_anomalies(clean, 168, transform="sqrt", trend=trend_window(168))
    assert len(stabilised.flagged) <= len(raw.flagged)
    with pytest.raises(ValueError, match="transform"):
        detect_anomalies(clean, 168, transform="cube")  # type: ignore[arg-type]


def test_score_buckets_is_the_gap_aware_detector_on_a_positional_grid() -> None:
    """score_buckets (the anomalies field's and the volume alert's entry point) = detect with
    gaps on an hourly grid with the gateway's STL trend window; the hour of week needs six
    weekly cycles, else the daily cycle."""
    from analytics.anomaly import hourly_period, score_buckets, transformed, trend_window

    assert (hourly_period(6 * 168), hourly_period(6 * 168 - 1), hourly_period(10, 12)) == (
        168,
        24,
        24,
    )
    rng = np.random.default_rng(3)
    counts = rng.poisson(9 + 5 * np.sin(np.arange(24 * 14) * 2 * np.pi / 24)).astype(float)
    counts[-1] = 60.0
    got = score_buckets(list(counts), 24, transform="sqrt")
    index = pd.date_range("2000-01-03", periods=counts.size, freq="h", tz="UTC")
    want = detect_anomalies_with_gaps(
        pd.Series(counts, index=index), 24, transform="sqrt", trend=trend_window(24)
    )
    assert [p.z for p in got.points] == [p.z for p in want.points]
    assert got.points[-1].flagged and got.points[-1].residual > 0
    assert transformed([4.0, -1.0], "sqrt").tolist() == [2.0, 0.0]
    assert transformed([np.e - 1.0], "log").tolist() == pytest.approx([1.0])
