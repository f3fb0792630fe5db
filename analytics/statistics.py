"""Point estimates with confidence intervals for support metrics (docs/metrics.md, "Satisfaction").

Every estimate carries the count behind it (``n``) and a two-sided confidence interval (95% by
default). Each estimator has a raw-data form and an aggregate form, because the database returns
``count``/``sum``/``sum of squares`` rather than rows; both forms share one implementation.

References:
    Student (1908); Welch, B. L. (1947), Biometrika 34, 28-35 (unequal-variance t-test).
    Wilson, E. B. (1927), JASA 22, 209-212 (score interval for a proportion).
    Conover, W. J. (1999), Practical Nonparametric Statistics, 3rd ed., section 3.2 (order-statistic
    confidence interval for a quantile); Campbell & Gardner (1988), BMJ 296, 1454-1456.
    Rocks, B. (2016), "Interval estimation for the Net Promoter Score", The American
    Statistician 70(4), 365-372 (trinomial variance of the NPS).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from analytics.correlation import benjamini_hochberg
from analytics.quantiles import normal_quantile, student_t_quantile

Alternative = Literal["less", "greater", "two-sided"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MeanEstimate:
    """Sample mean; ``value`` is None when n = 0, the CI and ``std`` are None when n < 2."""

    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    std: float | None
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class ProportionEstimate:
    """successes / n with a Wilson score interval; value and CI are None when n = 0."""

    value: float | None
    successes: int
    n: int
    ci_low: float | None
    ci_high: float | None
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class NpsEstimate:
    """Net Promoter Score on the -100..100 scale with its normal-approximation CI."""

    value: float | None
    n: int
    promoters: int
    passives: int
    detractors: int
    ci_low: float | None
    ci_high: float | None
    std_error: float | None
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class CsatEstimate:
    """CSAT reported two ways that are never mixed: mean rating and share of 4-5 ratings."""

    mean: MeanEstimate
    satisfied: ProportionEstimate


@dataclass(frozen=True, slots=True)
class MedianEstimate:
    """Sample median with a distribution-free CI; ``coverage`` is the exact achieved level."""

    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    coverage: float | None
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class DifferenceTest:
    """t-test of H0: mean(sample) - reference = null_difference against ``alternative``."""

    difference: float | None
    null_difference: float
    statistic: float | None
    df: float | None
    p_value: float | None
    alternative: Alternative
    alpha: float
    significant: bool


@dataclass(frozen=True, slots=True)
class AgentComparison:
    """One agent's test; ``significant`` uses ``p_adjusted`` (BH) when a correction is applied."""

    agent: str
    test: DifferenceTest
    p_adjusted: float | None
    significant: bool


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return normal_quantile(0.5 + confidence / 2.0)


def _check_count(value: int, name: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _as_values(values: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (drop nulls before calling)")
    return arr


def _as_scale(values: npt.ArrayLike, low: int, high: int, name: str) -> FloatArray:
    arr = _as_values(values, name)
    if np.any((arr < low) | (arr > high) | (arr != np.round(arr))):
        raise ValueError(f"{name} must be whole numbers in {low}..{high}")
    return arr


def _mean_from_summary(n: int, mean: float, std: float, confidence: float) -> MeanEstimate:
    if n < 2:
        return MeanEstimate(mean, n, None, None, None, confidence)
    half = student_t_quantile(0.5 + confidence / 2.0, n - 1) * std / math.sqrt(n)
    return MeanEstimate(mean, n, mean - half, mean + half, std, confidence)


def mean_estimate(values: npt.ArrayLike, confidence: float = 0.95) -> MeanEstimate:
    """Mean with a Student-t interval: x̄ ± t_{1-α/2, n-1} · s / √n, s with ddof = 1."""
    _check_confidence(confidence)
    arr = _as_values(values, "values")
    if arr.size == 0:
        return MeanEstimate(None, 0, None, None, None, confidence)
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return _mean_from_summary(int(arr.size), float(arr.mean()), std, confidence)


def mean_from_moments(
    n: int, total: float, total_sq: float, confidence: float = 0.95
) -> MeanEstimate:
    """Same as :func:`mean_estimate` from SQL aggregates ``count(x)``, ``sum(x)``, ``sum(x*x)``.

    s² = (Σx² − (Σx)²/n) / (n − 1). The subtraction can cancel for large, nearly constant values;
    a tiny negative result from rounding is clamped to 0, a clearly negative one is rejected.
    """
    _check_confidence(confidence)
    n = _check_count(n, "n")
    if not (math.isfinite(total) and math.isfinite(total_sq)):
        raise ValueError("total and total_sq must be finite")
    if n == 0:
        return MeanEstimate(None, 0, None, None, None, confidence)
    mean = total / n
    ss = total_sq - total * mean
    if ss < -1e-9 * max(abs(total_sq), 1.0):
        raise ValueError("inconsistent moments: total_sq < total**2 / n")
    std = math.sqrt(max(ss, 0.0) / (n - 1)) if n > 1 else 0.0
    return _mean_from_summary(n, mean, std, confidence)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)."""
    z = _check_confidence(confidence)
    successes, n = _check_count(successes, "successes"), _check_count(n, "n")
    if n == 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def proportion_from_counts(successes: int, n: int, confidence: float = 0.95) -> ProportionEstimate:
    """successes / n with a Wilson score interval (see :func:`wilson_interval`)."""
    _check_confidence(confidence)
    successes, n = _check_count(successes, "successes"), _check_count(n, "n")
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n})")
    if n == 0:
        return ProportionEstimate(None, 0, 0, None, None, confidence)
    low, high = wilson_interval(successes, n, confidence)
    return ProportionEstimate(successes / n, successes, n, low, high, confidence)


def proportion_estimate(flags: Sequence[bool], confidence: float = 0.95) -> ProportionEstimate:
    """Share of True among ``flags`` with a Wilson interval."""
    return proportion_from_counts(sum(1 for f in flags if f), len(flags), confidence)


def nps_from_counts(
    promoters: int, passives: int, detractors: int, confidence: float = 0.95
) -> NpsEstimate:
    """NPS = 100·(p⁺ − p⁻); Var = (p⁺ + p⁻ − (p⁺ − p⁻)²) / n (trinomial, Rocks 2016).

    CI = NPS ± z·100·√Var (normal approximation), clipped to [−100, 100]; None when n < 2.
    """
    z = _check_confidence(confidence)
    pro = _check_count(promoters, "promoters")
    pas = _check_count(passives, "passives")
    det = _check_count(detractors, "detractors")
    n = pro + pas + det
    if n == 0:
        return NpsEstimate(None, 0, 0, 0, 0, None, None, None, confidence)
    p_pro, p_det = pro / n, det / n
    value = 100.0 * (p_pro - p_det)
    if n < 2:
        return NpsEstimate(value, n, pro, pas, det, None, None, None, confidence)
    variance = max(p_pro + p_det - (p_pro - p_det) ** 2, 0.0) / n
    se = 100.0 * math.sqrt(variance)
    low, high = max(-100.0, value - z * se), min(100.0, value + z * se)
    return NpsEstimate(value, n, pro, pas, det, low, high, se, confidence)


def nps(scores: npt.ArrayLike, confidence: float = 0.95) -> NpsEstimate:
    """NPS from 0-10 answers: promoters 9-10, passives 7-8, detractors 0-6."""
    arr = _as_scale(scores, 0, 10, "NPS scores")
    pro, det = int(np.count_nonzero(arr >= 9)), int(np.count_nonzero(arr <= 6))
    return nps_from_counts(pro, int(arr.size) - pro - det, det, confidence)


def csat_from_counts(counts: Mapping[int, int], confidence: float = 0.95) -> CsatEstimate:
    """CSAT from a rating histogram {rating: responses}, e.g. ``GROUP BY rating`` in SQL."""
    n = total = total_sq = satisfied = 0
    for rating, count in counts.items():
        if rating not in (1, 2, 3, 4, 5):
            raise ValueError(f"CSAT ratings must be whole numbers in 1..5, got {rating!r}")
        count = _check_count(count, f"count for rating {rating}")
        n, total, total_sq = n + count, total + rating * count, total_sq + rating * rating * count
        satisfied += count if rating >= 4 else 0
    return CsatEstimate(
        mean_from_moments(n, float(total), float(total_sq), confidence),
        proportion_from_counts(satisfied, n, confidence),
    )


def csat(ratings: npt.ArrayLike, confidence: float = 0.95) -> CsatEstimate:
    """CSAT: mean of 1-5 ratings (t interval) and CSAT% = share of 4-5 (Wilson interval)."""
    arr = _as_scale(ratings, 1, 5, "CSAT ratings")
    return CsatEstimate(
        mean_estimate(arr, confidence),
        proportion_from_counts(int(np.count_nonzero(arr >= 4)), int(arr.size), confidence),
    )


def ces(scores: npt.ArrayLike, confidence: float = 0.95, scale_max: int = 7) -> MeanEstimate:
    """CES: mean of 1..scale_max answers with a t interval (direction is the survey's)."""
    return mean_estimate(_as_scale(scores, 1, scale_max, "CES scores"), confidence)


def median_ci(values: npt.ArrayLike, confidence: float = 0.95) -> MedianEstimate:
    """Median with the distribution-free order-statistic interval [x_(j+1), x_(n−j)].

    j is the largest integer with P(B ≤ j) ≤ α/2 for B ~ Binomial(n, 1/2), so the exact
    coverage 1 − 2·P(B ≤ j) is at least the requested level (Conover 1999, §3.2). The CI is None
    when no such j exists (n ≤ 5 at 95%).
    """
    _check_confidence(confidence)
    arr = np.sort(_as_values(values, "values"))
    n = int(arr.size)
    if n == 0:
        return MedianEstimate(None, 0, None, None, None, confidence)
    value = float(np.median(arr))
    tail = (1.0 - confidence) / 2.0
    j = int(stats.binom.ppf(tail, n, 0.5))
    while j >= 0 and stats.binom.cdf(j, n, 0.5) > tail:
        j -= 1
    if j < 0:
        return MedianEstimate(value, n, None, None, None, confidence)
    coverage = 1.0 - 2.0 * float(stats.binom.cdf(j, n, 0.5))
    return MedianEstimate(value, n, float(arr[j]), float(arr[n - 1 - j]), coverage, confidence)


def trend_ratio(current: float | None, previous: float | None) -> float | None:
    """(current − previous) / previous; None when either is missing or previous is 0."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def _p_value(statistic: float, df: float, alternative: Alternative) -> float:
    if alternative == "less":
        return float(stats.t.cdf(statistic, df))
    if alternative == "greater":
        return float(stats.t.sf(statistic, df))
    return float(min(1.0, 2.0 * stats.t.sf(abs(statistic), df)))


def two_sample_difference(
    sample: MeanEstimate,
    reference: MeanEstimate | float,
    *,
    alternative: Alternative = "less",
    null_difference: float = 0.0,
    alpha: float = 0.05,
) -> DifferenceTest:
    """Welch test of H0: μ_sample − μ_reference = null_difference (one-sample t vs a number).

    t = (x̄₁ − x̄₂ − δ₀) / √(s₁²/n₁ + s₂²/n₂), ν = (s₁²/n₁ + s₂²/n₂)² /
    ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)) (Welch 1947). A float reference is a fixed target:
    t = (x̄ − target − δ₀)/(s/√n), ν = n − 1. "Agent below target by more than m" is
    ``alternative="less", null_difference=-m``. Works from raw data or SQL moments alike, since
    both produce :class:`MeanEstimate`. Zero variance gives the limiting p-value (0 or 1).
    Untestable inputs (n < 2) return None statistics and ``significant=False``.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if alternative not in ("less", "greater", "two-sided"):
        raise ValueError(f"alternative must be less, greater or two-sided, got {alternative!r}")
    ref_value = reference if isinstance(reference, (int, float)) else reference.value
    if sample.value is None or ref_value is None:
        return DifferenceTest(None, null_difference, None, None, None, alternative, alpha, False)
    diff = sample.value - ref_value
    untestable = DifferenceTest(diff, null_difference, None, None, None, alternative, alpha, False)
    if sample.std is None or sample.n < 2:
        return untestable
    var1 = sample.std**2 / sample.n
    if isinstance(reference, MeanEstimate):
        if reference.std is None or reference.n < 2:
            return untestable
        var2 = reference.std**2 / reference.n
    else:
        var2 = 0.0
    se2 = var1 + var2
    shift = diff - null_difference
    if se2 == 0.0:
        statistic = math.copysign(math.inf, shift) if shift else 0.0
        df = float(sample.n - 1)
        beyond = {"less": shift < 0, "greater": shift > 0, "two-sided": shift != 0}[alternative]
        p = 0.0 if beyond else 1.0
    else:
        statistic = shift / math.sqrt(se2)
        df = se2**2 / (
            var1**2 / (sample.n - 1)
            + (var2**2 / (reference.n - 1) if isinstance(reference, MeanEstimate) else 0.0)
        )
        p = _p_value(statistic, df, alternative)
    return DifferenceTest(diff, null_difference, statistic, df, p, alternative, alpha, p <= alpha)


def agents_below_target(
    agents: Mapping[str, MeanEstimate],
    reference: MeanEstimate | float,
    *,
    margin: float = 0.0,
    alpha: float = 0.05,
    correction: Literal["benjamini-hochberg", "none"] = "benjamini-hochberg",
) -> tuple[AgentComparison, ...]:
    """One-sided tests "agent mean < reference − margin" for many agents, FDR-controlled.

    Each agent uses :func:`two_sample_difference` (``alternative="less"``,
    ``null_difference=-margin``); with ``correction="benjamini-hochberg"`` an agent is flagged
    when its BH-adjusted p-value is ≤ alpha (Benjamini & Hochberg 1995). If ``reference`` is the
    team's estimate it should exclude the agent being tested. Untestable agents are never
    flagged and do not count towards the number of hypotheses.
    """
    if margin < 0:
        raise ValueError(f"margin must be non-negative, got {margin}")
    if correction not in ("benjamini-hochberg", "none"):
        raise ValueError(f"correction must be 'benjamini-hochberg' or 'none', got {correction!r}")
    tests = {
        name: two_sample_difference(
            est, reference, alternative="less", null_difference=-margin, alpha=alpha
        )
        for name, est in agents.items()
    }
    tested = [name for name, t in tests.items() if t.p_value is not None]
    raw = [p for name in tested if (p := tests[name].p_value) is not None]
    adjusted = dict(zip(tested, benjamini_hochberg(raw), strict=True))
    out = []
    for name, test in tests.items():
        if correction == "none":
            out.append(AgentComparison(name, test, test.p_value, test.significant))
        else:
            p_adj = adjusted.get(name)
            out.append(AgentComparison(name, test, p_adj, p_adj is not None and p_adj <= alpha))
    return tuple(out)
