"""Seasonal profiles (hour-of-week heatmap, intraday and weekly profiles) and seasonal strength.

Profiles
    Buckets are keyed by their *local* wall-clock position (ISO weekday 1-7, hour 0-23), as
    support teams read a week. A profile cell's ``value`` is the mean over the cycles (weeks, or
    days for the intraday profile) of the buckets at that position that have a value, and its
    95% CI is the Student t interval of those per-cycle values,
    x̄ ± t_{0.975, c−1}·s/√c (c = number of values; None when c < 2). ``n`` adds up the
    observations behind the buckets (tickets, responses).

Strength of a seasonal component (Wang, Smith & Hyndman 2006; Hyndman & Athanasopoulos 2021,
§4.3), from an additive decomposition y = T + S₁ + … + S_k + R:

    F_{S_i} = max(0, 1 − Var(R) / Var(S_i + R)),      F_T = max(0, 1 − Var(R) / Var(T + R))

0 means no seasonality of that period, values near 1 a dominant one. One period uses STL
(Cleveland et al. 1990), several MSTL (Bandara, Hyndman & Bergmeir 2021), both from statsmodels,
with near-periodic seasonal smoothers of 2·cycles + 1 (odd, at least 7) so that a seasonal
component is the pattern shared by all cycles: STL's default window of 7 cycles follows the
noise, and then pure noise shows a "strength" of about 0.3. The loess smoothers use jumps
(``analytics.forecast_models.STL_SPEED``: evaluated every 5th / 25th point and interpolated),
~30x faster on hourly data. Missing buckets (no
observations) are filled by linear interpolation for the decomposition only; a component
needs two full cycles.

References:
    Wang, X., Smith, K. A. & Hyndman, R. J. (2006), "Characteristic-based clustering for time
    series data", Data Mining and Knowledge Discovery 13, 335-364; Hyndman, R. J. &
    Athanasopoulos, G. (2021), Forecasting: Principles and Practice, 3rd ed., §3.6-3.7, §4.3;
    Bandara, K., Hyndman, R. J. & Bergmeir, C. (2021), "MSTL: a seasonal-trend decomposition
    algorithm for time series with multiple seasonal patterns", arXiv:2107.13462.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from statsmodels.tsa.seasonal import MSTL, STL

from analytics.forecast_models import STL_SPEED
from analytics.quantiles import student_t_quantile

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ProfileCell:
    """One position of a profile: ``key`` is (weekday, hour), (hour,) or (weekday,)."""

    key: tuple[int, ...]
    value: float | None
    ci_low: float | None
    ci_high: float | None
    cycles: int  # buckets with a value at this position
    n: int


@dataclass(frozen=True, slots=True)
class SeasonalComponent:
    """Strength of one seasonal period (in buckets) of the decomposition."""

    period: int
    strength: float


@dataclass(frozen=True, slots=True)
class SeasonalStrength:
    """Strengths of the trend and of each seasonal period; ``method`` is STL or MSTL."""

    method: str
    trend_strength: float
    components: tuple[SeasonalComponent, ...]
    filled: int  # missing buckets interpolated for the decomposition


def _cell(key: tuple[int, ...], values: list[float], n: int) -> ProfileCell:
    c = len(values)
    if c == 0:
        return ProfileCell(key, None, None, None, 0, n)
    mean = float(np.mean(values))
    if c < 2:
        return ProfileCell(key, mean, None, None, c, n)
    half = student_t_quantile(0.975, c - 1) * float(np.std(values, ddof=1)) / math.sqrt(c)
    return ProfileCell(key, mean, mean - half, mean + half, c, n)


def profile(
    local_starts: Sequence[datetime],
    values: Sequence[float | None],
    counts: Sequence[int],
    key: Callable[[datetime], tuple[int, ...]],
    keys: Sequence[tuple[int, ...]],
) -> tuple[ProfileCell, ...]:
    """Cells for every key of ``keys`` (in that order) from buckets keyed by ``key(local)``."""
    if not len(local_starts) == len(values) == len(counts):
        raise ValueError("local_starts, values and counts must have the same length")
    groups: dict[Hashable, list[float]] = {k: [] for k in keys}
    totals: dict[Hashable, int] = dict.fromkeys(keys, 0)
    for start, value, count in zip(local_starts, values, counts, strict=True):
        k = key(start)
        if k not in groups:
            continue
        totals[k] += int(count)
        if value is not None and math.isfinite(value):
            groups[k].append(float(value))
    return tuple(_cell(k, groups[k], totals[k]) for k in keys)


HOUR_OF_WEEK = tuple((d, h) for d in range(1, 8) for h in range(24))
HOURS = tuple((h,) for h in range(24))
WEEKDAYS = tuple((d,) for d in range(1, 8))


def hour_of_week(
    local_starts: Sequence[datetime], values: Sequence[float | None], counts: Sequence[int]
) -> tuple[ProfileCell, ...]:
    """The 7 × 24 heatmap (Monday 00:00 first) of hourly buckets by local weekday and hour."""
    return profile(local_starts, values, counts, lambda t: (t.isoweekday(), t.hour), HOUR_OF_WEEK)


def intraday(
    local_starts: Sequence[datetime], values: Sequence[float | None], counts: Sequence[int]
) -> tuple[ProfileCell, ...]:
    """The 24 local hours of hourly buckets (cycles are days)."""
    return profile(local_starts, values, counts, lambda t: (t.hour,), HOURS)


def weekly(
    local_starts: Sequence[datetime], values: Sequence[float | None], counts: Sequence[int]
) -> tuple[ProfileCell, ...]:
    """The 7 local weekdays (Monday = 1) of daily buckets (cycles are weeks)."""
    return profile(local_starts, values, counts, lambda t: (t.isoweekday(),), WEEKDAYS)


def _window(n: int, period: int) -> int:
    return max(7, 2 * (n // period) + 1)


def _strength(residual: FloatArray, part: FloatArray) -> float:
    total = float(np.var(part + residual))
    if total <= 0.0:
        return 0.0
    return max(0.0, 1.0 - float(np.var(residual)) / total)


def seasonal_strength(values: Sequence[float | None], periods: Sequence[int]) -> SeasonalStrength:
    """F_T and F_S of each period in ``periods`` (buckets) that has two full cycles; ValueError
    when none has, or when fewer than half the buckets have a value."""
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    usable = sorted({int(p) for p in periods if p >= 2 and arr.size >= 2 * p})
    if not usable:
        raise ValueError(f"need two full cycles of a period in {list(periods)}, got {arr.size}")
    missing = int(np.isnan(arr).sum())
    if missing * 2 > arr.size:
        raise ValueError("fewer than half of the buckets have a value")
    filled = np.asarray(
        pd.Series(arr).interpolate(limit_direction="both").to_numpy(), dtype=np.float64
    )
    fit: Any
    if len(usable) == 1:
        fit = STL(
            filled, period=usable[0], seasonal=_window(filled.size, usable[0]), **STL_SPEED
        ).fit()
        seasonals = np.asarray(fit.seasonal, dtype=np.float64).reshape(-1, 1)
        method = "STL"
    else:
        windows = [_window(filled.size, p) for p in usable]
        fit = MSTL(filled, periods=usable, windows=windows, stl_kwargs=STL_SPEED).fit()
        seasonals = np.asarray(fit.seasonal, dtype=np.float64).reshape(arr.size, -1)
        method = "MSTL"
    resid = np.asarray(fit.resid, dtype=np.float64)
    trend = np.asarray(fit.trend, dtype=np.float64)
    components = tuple(
        SeasonalComponent(p, _strength(resid, seasonals[:, i])) for i, p in enumerate(usable)
    )
    return SeasonalStrength(method, _strength(resid, trend), components, missing)
