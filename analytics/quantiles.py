"""Quantiles of the normal and Student t distributions, memoised.

Interval estimates need z = Φ⁻¹(0.5 + c/2) and t = F⁻¹_{t, df}(0.5 + c/2) (e.g. Wilson and
Student intervals; Agresti & Coull, 1998; Student, 1908). scipy computes them exactly but at a
cost of tens of microseconds per call, which dominated an hourly KPI series (a few hundred
intervals per request). The arguments repeat (one confidence level, small degrees of freedom),
so the values are memoised; results are scipy's, bit for bit.
"""

from __future__ import annotations

from functools import lru_cache

from scipy import stats


@lru_cache(maxsize=64)
def normal_quantile(p: float) -> float:
    """Φ⁻¹(p), the standard normal quantile (``scipy.stats.norm.ppf``)."""
    return float(stats.norm.ppf(p))


@lru_cache(maxsize=8192)
def student_t_quantile(p: float, df: int) -> float:
    """The quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf``)."""
    return float(stats.t.ppf(p, df))
