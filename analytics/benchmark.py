"""Benchmarking one member (an agent, or a team) against a peer distribution.

For one KPI, with the member's value x and the peers' values v₁..v_k (one per peer, the member
included or not, as the caller chooses):

    percentile = 100 · (#{v_i < x} + ½·#{v_i = x}) / k        (mid-rank percentile rank)

The difference is x − μ_peers, where μ_peers pools the peers' observations: with per-peer
(n_i, mean m_i, sd s_i), N = Σn_i, μ = Σ n_i·m_i / N and the pooled sample variance
s² = [Σ (n_i − 1)·s_i² + Σ n_i·(m_i − μ)²] / (N − 1) (the exact variance of the union of the
peers' observations). The member is compared with the pooled peers (the member excluded) by
Welch's two-sided t-test (:func:`analytics.statistics.two_sample_difference`); the CI of the
difference is (x − μ) ± t_{0.975, ν}·√(s_x²/n_x + s²/N) with Welch's ν. KPIs without a standard
deviation (medians, time ratios) get the percentile and difference only.

References:
    Welch, B. L. (1947), Biometrika 34, 28-35; Chan, T. F., Golub, G. H. & LeVeque, R. J.
    (1979), "Updating formulae and a pairwise algorithm for computing sample variances"
    (combining moments); Roscoe, J. T. (1975), Fundamental Research Statistics, percentile
    rank with ties counted half.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from analytics.statistics import MeanEstimate, two_sample_difference


@dataclass(frozen=True, slots=True)
class Member:
    """One peer's KPI figure: value, count and sample sd (None when not a mean-type figure)."""

    key: str
    value: float | None
    n: int
    std: float | None = None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The member against one peer group."""

    peers: int  # peers with a value (member excluded)
    peer_n: int
    percentile: float | None
    peer_mean: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool


def percentile_rank(value: float, values: Sequence[float]) -> float | None:
    """100·(#below + ½·#equal)/k; None for an empty distribution."""
    if not values:
        return None
    below = sum(1 for v in values if v < value)
    equal = sum(1 for v in values if v == value)
    return 100.0 * (below + 0.5 * equal) / len(values)


def pooled(members: Sequence[Member]) -> MeanEstimate | None:
    """The pooled estimate of the members' observations (see the module), None if no n."""
    usable = [m for m in members if m.value is not None and m.n > 0]
    total = sum(m.n for m in usable)
    if total == 0:
        return None
    mean = sum(m.n * (m.value or 0.0) for m in usable) / total
    if total < 2 or any(m.std is None and m.n > 1 for m in usable):
        return MeanEstimate(mean, total, None, None, None)
    ss = sum((m.n - 1) * (m.std or 0.0) ** 2 + m.n * ((m.value or 0.0) - mean) ** 2 for m in usable)
    return MeanEstimate(mean, total, None, None, math.sqrt(ss / (total - 1)))


def compare(member: Member, peers: Sequence[Member], *, alpha: float = 0.05) -> Comparison:
    """``member`` against ``peers`` (the member is removed from them by key)."""
    others = [p for p in peers if p.key != member.key and p.value is not None]
    if member.value is None:
        return Comparison(len(others), sum(p.n for p in others), None, None, None, None, None,
                          None, False)  # fmt: skip
    pct = percentile_rank(member.value, [p.value for p in others if p.value is not None])
    pool = pooled(others)
    if pool is None or pool.value is None:
        return Comparison(len(others), 0, pct, None, None, None, None, None, False)
    diff = member.value - pool.value
    low = high = p = None
    significant = False
    if member.std is not None and pool.std is not None and member.n >= 2 and pool.n >= 2:
        mine = MeanEstimate(member.value, member.n, None, None, member.std)
        test = two_sample_difference(mine, pool, alternative="two-sided", alpha=alpha)
        p, significant = test.p_value, test.significant
        se = math.sqrt(member.std**2 / member.n + pool.std**2 / pool.n)
        if test.df is not None and se > 0:
            half = float(stats.t.ppf(1 - alpha / 2, test.df)) * se
            low, high = diff - half, diff + half
    return Comparison(len(others), pool.n, pct, pool.value, diff, low, high, p, significant)
