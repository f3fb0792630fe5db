"""Reference estimators for the KPI tests, restated from docs/metrics.md with scipy and statsmodels:
Student-t means, Wilson proportions, numpy percentiles, NPS with its normal interval (none of
them uses analytics.statistics)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint


@dataclass(frozen=True)
class Est:
    """Expected value, count and 95% interval (None where the API reports none)."""

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None


def t_mean(x: pd.Series, scale: float = 1.0) -> Est:
    arr = np.asarray(x.dropna(), dtype=float)
    n = len(arr)
    if n == 0:
        return Est(None, 0)
    m = float(arr.mean())
    if n < 2:
        return Est(m / scale, n)
    half = float(stats.t.ppf(0.975, n - 1)) * float(arr.std(ddof=1)) / math.sqrt(n)
    return Est(m / scale, n, (m - half) / scale, (m + half) / scale)


def wilson(k: int, n: int) -> Est:
    if n == 0:
        return Est(None, 0)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return Est(100.0 * k / n, n, 100.0 * float(lo), 100.0 * float(hi))


def quantile(x: pd.Series, q: float, scale: float, n: int | None = None) -> Est:
    arr = np.asarray(x.dropna(), dtype=float)
    value = float(np.quantile(arr, q)) / scale if len(arr) else None
    return Est(value, len(arr) if n is None else n)


def counted(n: int) -> Est:
    return Est(float(n), int(n))


def ratio(num: float, den: float, n: int, scale: float = 1.0) -> Est:
    return Est(num / den * scale if den else None, int(n))


def nps(scores: pd.Series) -> Est:
    s = scores.dropna()
    n = len(s)
    if n == 0:
        return Est(None, 0)
    pro, det = float((s >= 9).sum()) / n, float((s <= 6).sum()) / n
    value = 100.0 * (pro - det)
    if n < 2:
        return Est(value, n)
    se = 100.0 * math.sqrt((pro + det - (pro - det) ** 2) / n)
    z = float(stats.norm.ppf(0.975))
    return Est(value, n, max(-100.0, value - z * se), min(100.0, value + z * se))
