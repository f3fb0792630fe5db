"""Spearman and Pearson correlation matrices with Benjamini-Hochberg false-discovery-rate
control, and lagged cross-correlations.

Pearson's r uses the same t approximation for its p-value (exact under bivariate normality),
as ``scipy.stats.pearsonr``. The lagged variant correlates x_t with y_{t+L} for L = 1..max_lag
("does x today move y L buckets later?"); its tests form one BH family.

This module also holds the project's single Benjamini-Hochberg implementation
(:func:`benjamini_hochberg`), used by :mod:`analytics.statistics` for per-agent tests.

References:
    Spearman, C. (1904), Am. J. Psychol. 15, 72-101; p-values from the t approximation
    t = ρ·√((n − 2)/(1 − ρ²)) with n − 2 degrees of freedom, as in ``scipy.stats.spearmanr``.
    Benjamini, Y. & Hochberg, Y. (1995), "Controlling the false discovery rate", JRSS B 57,
    289-300.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats


def benjamini_hochberg(p_values: Sequence[float]) -> tuple[float, ...]:
    """BH step-up adjusted p-values, in input order.

    With p₍₁₎ ≤ … ≤ p₍ₘ₎: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m·p₍ⱼ₎ / j) (Benjamini & Hochberg 1995).
    Rejecting every hypothesis with p̃ ≤ α controls the false discovery rate at α for independent
    or positively dependent tests. Equivalent to statsmodels' ``multipletests(method="fdr_bh")``.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if p.size == 0:
        return ()
    if not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError("p-values must lie in [0, 1] and not be NaN")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m, dtype=np.float64)
    adjusted[order] = np.minimum(monotone, 1.0)
    return tuple(float(v) for v in adjusted)


def bh_reject(p_values: Sequence[float], alpha: float = 0.05) -> tuple[bool, ...]:
    """True where the BH-adjusted p-value is ≤ alpha (FDR controlled at alpha)."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    return tuple(q <= alpha for q in benjamini_hochberg(p_values))


@dataclass(frozen=True, slots=True)
class CorrelationPair:
    """One off-diagonal cell; rho/p are None when the pair is untestable (see below)."""

    first: str
    second: str
    n: int
    rho: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool


@dataclass(frozen=True, slots=True)
class CorrelationMatrix:
    """Symmetric Spearman matrix; the diagonal has rho 1.0 (None if constant) and no p-value."""

    names: tuple[str, ...]
    rho: tuple[tuple[float | None, ...], ...]
    p_values: tuple[tuple[float | None, ...], ...]
    p_adjusted: tuple[tuple[float | None, ...], ...]
    n: tuple[tuple[int, ...], ...]
    pairs: tuple[CorrelationPair, ...]
    alpha: float

    def pair(self, first: str, second: str) -> CorrelationPair:
        """The upper-triangle entry for two variable names, in either order."""
        for p in self.pairs:
            if {p.first, p.second} == {first, second} and first != second:
                return p
        raise KeyError(f"no pair ({first!r}, {second!r})")


Method = Literal["spearman", "pearson"]


def _spearman(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    min_pairs: int,
    method: Method = "spearman",
) -> tuple[int, float | None, float | None]:
    keep = ~(np.isnan(x) | np.isnan(y))
    xs, ys = x[keep], y[keep]
    n = int(xs.size)
    if n < min_pairs or np.all(xs == xs[0]) or np.all(ys == ys[0]):
        return n, None, None
    result = stats.spearmanr(xs, ys) if method == "spearman" else stats.pearsonr(xs, ys)
    rho, p = float(result.statistic), float(result.pvalue)
    if not (math.isfinite(rho) and math.isfinite(p)):
        return n, None, None
    return n, rho, p


def spearman_matrix(
    columns: Mapping[str, npt.ArrayLike],
    *,
    alpha: float = 0.05,
    min_pairs: int = 3,
    method: Method = "spearman",
) -> CorrelationMatrix:
    """Spearman ρ for every pair of columns with BH correction across the upper triangle.

    Columns are aligned observations (same length; e.g. one row per agent-day); NaN marks a
    missing value and is dropped pairwise. A pair with fewer than ``min_pairs`` complete rows or
    a constant column has rho/p None and is excluded from the BH family. ``significant`` means
    BH-adjusted p ≤ alpha. A pandas DataFrame can be passed as ``dict(df.items())``.
    ``method="pearson"`` gives Pearson's r (same fields; ``rho`` holds r).
    """
    if method not in ("spearman", "pearson"):
        raise ValueError(f"method must be spearman or pearson, got {method!r}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if min_pairs < 3:
        raise ValueError(f"min_pairs must be at least 3, got {min_pairs}")
    names = tuple(columns)
    if len(set(names)) != len(names) or not names:
        raise ValueError("need at least one uniquely named column")
    data = [np.asarray(columns[name], dtype=np.float64) for name in names]
    lengths = {arr.shape for arr in data}
    if len(lengths) != 1 or data[0].ndim != 1:
        raise ValueError("columns must be one-dimensional and of equal length")
    k = len(names)
    rho: list[list[float | None]] = [[None] * k for _ in range(k)]
    pv: list[list[float | None]] = [[None] * k for _ in range(k)]
    nn = [[0] * k for _ in range(k)]
    cells: list[tuple[int, int]] = []
    for i in range(k):
        present = data[i][~np.isnan(data[i])]
        nn[i][i] = int(present.size)
        rho[i][i] = 1.0 if present.size >= 2 and not np.all(present == present[0]) else None
        for j in range(i + 1, k):
            n, r, p = _spearman(data[i], data[j], min_pairs, method)
            nn[i][j] = nn[j][i] = n
            rho[i][j] = rho[j][i] = r
            pv[i][j] = pv[j][i] = p
            cells.append((i, j))
    tested = [(i, j) for i, j in cells if pv[i][j] is not None]
    adjusted_values = benjamini_hochberg([p for i, j in tested if (p := pv[i][j]) is not None])
    adj: list[list[float | None]] = [[None] * k for _ in range(k)]
    for (i, j), q_value in zip(tested, adjusted_values, strict=True):
        adj[i][j] = adj[j][i] = q_value
    pairs = tuple(
        CorrelationPair(
            names[i],
            names[j],
            nn[i][j],
            rho[i][j],
            pv[i][j],
            (q := adj[i][j]),
            q is not None and q <= alpha,
        )
        for i, j in cells
    )
    return CorrelationMatrix(
        names=names,
        rho=tuple(tuple(row) for row in rho),
        p_values=tuple(tuple(row) for row in pv),
        p_adjusted=tuple(tuple(row) for row in adj),
        n=tuple(tuple(row) for row in nn),
        pairs=pairs,
        alpha=alpha,
    )


@dataclass(frozen=True, slots=True)
class LaggedPair:
    """corr(first_t, second_{t+lag}); rho/p None when untestable (as in the matrix)."""

    first: str
    second: str
    lag: int
    n: int
    rho: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool


def lagged_correlations(
    columns: Mapping[str, npt.ArrayLike],
    max_lag: int,
    *,
    alpha: float = 0.05,
    min_pairs: int = 3,
    method: Method = "spearman",
) -> tuple[LaggedPair, ...]:
    """For every ordered pair of distinct columns and every lag 1..max_lag, the correlation of
    first[t] with second[t + lag] over the aligned rows (NaN dropped pairwise); BH across all
    of them. Ordered pairs matter: (frt, csat, 1) asks whether FRT leads CSAT by one bucket."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if isinstance(max_lag, bool) or int(max_lag) != max_lag or max_lag < 1:
        raise ValueError(f"max_lag must be an integer >= 1, got {max_lag!r}")
    names = tuple(columns)
    data = {name: np.asarray(columns[name], dtype=np.float64) for name in names}
    raw: list[tuple[str, str, int, int, float | None, float | None]] = []
    for a in names:
        for b in names:
            if a == b:
                continue
            for lag in range(1, int(max_lag) + 1):
                if lag >= data[a].size:
                    break
                n, r, p = _spearman(data[a][:-lag], data[b][lag:], min_pairs, method)
                raw.append((a, b, lag, n, r, p))
    tested = [p for *_, p in raw if p is not None]
    adjusted = iter(benjamini_hochberg(tested))
    out = []
    for a, b, lag, n, r, p in raw:
        q = next(adjusted) if p is not None else None
        out.append(LaggedPair(a, b, lag, n, r, p, q, q is not None and q <= alpha))
    return tuple(out)
