"""Monotonic trend tests: Mann-Kendall, seasonal Mann-Kendall and Sen's slope with its CI.

For observations x₁..xₙ in time order (docs/metrics.md, "Statistics"):

    S      = Σ_{i<j} sign(x_j − x_i)
    Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18         (t = size of each group of ties)
    Z      = (S − 1)/√Var(S) if S > 0,  0 if S = 0,  (S + 1)/√Var(S) if S < 0   (continuity)
    p      = 2·(1 − Φ(|Z|));  τ = S / (n(n−1)/2)

The trend is "increasing"/"decreasing" when p ≤ alpha (default 0.05), else "no trend".

Sen's slope is the median of the pairwise slopes (x_j − x_i)/(j − i), in units per observation
step. Its CI takes the ranks M₁ = (N′ − C)/2 and M₂ = (N′ + C)/2 + 1 of the N′ ordered slopes,
with C = z_{1−α/2}·√Var(S), rounded to the nearest integer (Sen 1968; Gilbert 1987, ch. 16), the
same convention as ``scipy.stats.theilslopes``; it is None when a rank falls outside 1..N′.

The seasonal test (Hirsch, Slack & Smith 1982) computes S and Var(S) within each season
(position mod period) and sums them; its slope is the median of within-season pairwise slopes,
also expressed per observation step (multiply by ``period`` for Hirsch's per-cycle slope).

Missing values (NaN) are omitted; the remaining points keep their original positions, so the
slope denominators are true time differences.

References:
    Mann, H. B. (1945), Econometrica 13, 245-259; Kendall, M. G. (1975), Rank Correlation
    Methods, 4th ed.; Sen, P. K. (1968), JASA 63, 1379-1389; Gilbert, R. O. (1987), Statistical
    Methods for Environmental Pollution Monitoring, ch. 16-17; Hirsch, R. M., Slack, J. R. &
    Smith, R. A. (1982), Water Resources Research 18(1), 107-121.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

TrendDirection = Literal["increasing", "decreasing", "no trend"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TrendTest:
    """Mann-Kendall result; ``period`` is None for the non-seasonal test."""

    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float | None
    slope: float | None
    slope_ci_low: float | None
    slope_ci_high: float | None
    trend: TrendDirection
    alpha: float
    period: int | None


@dataclass(frozen=True, slots=True)
class _Parts:
    n: int
    s: int
    var_s: float
    pairs: int
    slopes: FloatArray


def _prepare(values: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("values must be one-dimensional")
    if np.any(np.isinf(arr)):
        raise ValueError("values must be finite or NaN (missing)")
    keep = ~np.isnan(arr)
    return arr[keep], np.flatnonzero(keep).astype(np.float64)


def _parts(x: FloatArray, pos: FloatArray) -> _Parts:
    n = int(x.size)
    i, j = np.triu_indices(n, k=1)
    s = int(np.sign(x[j] - x[i]).sum())
    _, counts = np.unique(x, return_counts=True)
    t = counts.astype(np.float64)
    var_s = float((n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18.0)
    slopes = (x[j] - x[i]) / (pos[j] - pos[i])
    return _Parts(n, s, var_s, n * (n - 1) // 2, slopes)


def _z(s: int, var_s: float) -> float:
    if s == 0 or var_s <= 0.0:
        return 0.0
    return (s - math.copysign(1, s)) / math.sqrt(var_s)


def _sen_ci(
    sorted_slopes: FloatArray, var_s: float, confidence: float
) -> tuple[float | None, float | None]:
    m = int(sorted_slopes.size)
    if m == 0:
        return None, None
    c = float(stats.norm.ppf(0.5 + confidence / 2.0)) * math.sqrt(max(var_s, 0.0))
    lower = round((m - c) / 2.0) - 1
    upper = round((m + c) / 2.0)
    if lower < 0 or upper > m - 1:
        return None, None
    return float(sorted_slopes[lower]), float(sorted_slopes[upper])


def _result(
    n: int,
    s: int,
    var_s: float,
    pairs: int,
    slopes: FloatArray,
    alpha: float,
    slope_confidence: float,
    period: int | None,
) -> TrendTest:
    z = _z(s, var_s)
    p = float(2.0 * stats.norm.sf(abs(z)))
    trend: TrendDirection = "no trend"
    if p <= alpha and z != 0.0:
        trend = "increasing" if z > 0 else "decreasing"
    ordered = np.sort(slopes)
    slope = float(np.median(ordered)) if ordered.size else None
    low, high = _sen_ci(ordered, var_s, slope_confidence)
    tau = s / pairs if pairs else None
    return TrendTest(n, s, var_s, z, p, tau, slope, low, high, trend, alpha, period)


def _check_levels(alpha: float, slope_confidence: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if not 0.0 < slope_confidence < 1.0:
        raise ValueError(f"slope_confidence must be in (0, 1), got {slope_confidence}")


def mann_kendall(
    values: npt.ArrayLike, *, alpha: float = 0.05, slope_confidence: float = 0.95
) -> TrendTest:
    """Mann-Kendall trend test with Sen's slope (per step) and its CI; see the module docstring.

    Equivalent to Kendall's τ between the values and time; O(n²) memory, meant for series of up
    to a few thousand points (e.g. a year of daily buckets or a quarter of hourly ones).
    """
    _check_levels(alpha, slope_confidence)
    x, pos = _prepare(values)
    parts = _parts(x, pos)
    return _result(
        parts.n, parts.s, parts.var_s, parts.pairs, parts.slopes, alpha, slope_confidence, None
    )


def seasonal_mann_kendall(
    values: npt.ArrayLike, period: int, *, alpha: float = 0.05, slope_confidence: float = 0.95
) -> TrendTest:
    """Seasonal Mann-Kendall (Hirsch et al. 1982): S = Σ_g S_g, Var(S) = Σ_g Var(S_g).

    Season g holds the observations at positions ≡ g (mod period), e.g. period 7 for daily
    buckets with a weekly pattern. τ = S / Σ_g n_g(n_g − 1)/2. The seasonal Kendall slope is the
    median of within-season slopes, reported per observation step.
    """
    _check_levels(alpha, slope_confidence)
    if isinstance(period, bool) or int(period) != period or period < 2:
        raise ValueError(f"period must be an integer >= 2, got {period!r}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("values must be one-dimensional")
    n = s = pairs = 0
    var_s = 0.0
    slopes: list[FloatArray] = []
    for season in range(int(period)):
        idx = np.arange(season, arr.size, period)
        x, local = _prepare(arr[idx])
        parts = _parts(x, idx[local.astype(np.intp)].astype(np.float64))
        n, s, pairs = n + parts.n, s + parts.s, pairs + parts.pairs
        var_s += parts.var_s
        slopes.append(parts.slopes)
    all_slopes = np.concatenate(slopes) if slopes else np.empty(0)
    return _result(n, s, var_s, pairs, all_slopes, alpha, slope_confidence, int(period))
