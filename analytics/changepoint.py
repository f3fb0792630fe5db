"""Pettitt's change-point test (docs/metrics.md, "Statistics": reported with the trend).

For observations x₁..xₙ in time order (missing values omitted; positions kept for the report),

    U_t = Σ_{i ≤ t} Σ_{j > t} sign(x_i − x_j)  =  2·Σ_{i ≤ t} R_i − t(n + 1),   t = 1..n−1

(R_i the mid-ranks of the x, so ties count 0), K = max_t |U_t| and the most probable change
point is the t attaining it: the last observation of the first segment. The two-sided p-value
uses Pettitt's approximation p ≈ 2·exp(−6K² / (n³ + n²)), capped at 1; the change point is
*significant* when p ≤ alpha. U_t > 0 means the values before the change are larger (a
downward shift), U_t < 0 an upward one.

References:
    Pettitt, A. N. (1979), "A non-parametric approach to the change-point problem", Applied
    Statistics 28(2), 126-135; Pohlert, T. (2020), trend: Non-Parametric Trend Tests and
    Change-Point Detection, R package vignette.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats


@dataclass(frozen=True, slots=True)
class ChangePoint:
    """Pettitt result; ``index`` is the 0-based position (in the input, gaps included) of the
    last observation before the change, None when fewer than 3 observations."""

    n: int
    statistic: float  # K = max |U_t|
    u_at_change: float  # U_t at the change point (its sign tells the direction)
    p_value: float
    index: int | None
    mean_before: float | None
    mean_after: float | None
    significant: bool
    alpha: float


def pettitt(values: npt.ArrayLike, *, alpha: float = 0.05) -> ChangePoint:
    """Pettitt's test on ``values`` (NaN = missing); see the module docstring."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("values must be one-dimensional")
    if np.any(np.isinf(arr)):
        raise ValueError("values must be finite or NaN (missing)")
    keep = np.flatnonzero(~np.isnan(arr))
    x = arr[keep]
    n = int(x.size)
    if n < 3:
        return ChangePoint(n, 0.0, 0.0, 1.0, None, None, None, False, alpha)
    ranks = stats.rankdata(x)
    t = np.arange(1, n)
    u = 2.0 * np.cumsum(ranks)[:-1] - t * (n + 1)
    at = int(np.argmax(np.abs(u)))
    k = float(abs(u[at]))
    p = min(1.0, 2.0 * math.exp(-6.0 * k**2 / (n**3 + n**2)))
    split = at + 1
    return ChangePoint(
        n=n,
        statistic=k,
        u_at_change=float(u[at]),
        p_value=p,
        index=int(keep[split - 1]),
        mean_before=float(x[:split].mean()),
        mean_after=float(x[split:].mean()),
        significant=p <= alpha,
        alpha=alpha,
    )
