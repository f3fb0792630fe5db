"""Tests for analytics.statistics against scipy/statsmodels and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference_values import CSAT_HAND, NPS_CLIPPED, NPS_HAND, NPS_RAW
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from analytics.statistics import (
    MeanEstimate,
    agents_below_target,
    ces,
    csat,
    csat_from_counts,
    mean_estimate,
    mean_from_moments,
    median_ci,
    nps,
    nps_from_counts,
    proportion_estimate,
    proportion_from_counts,
    trend_ratio,
    two_sample_difference,
    wilson_interval,
)

REL = 1e-12  # both sides evaluate the same closed form in double precision


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


# --- means ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 10, 250])
def test_mean_ci_matches_scipy_t_interval(rng: np.random.Generator, n: int) -> None:
    x = rng.gamma(2.0, 30.0, size=n)
    est = mean_estimate(x)
    low, high = stats.t.interval(0.95, df=n - 1, loc=x.mean(), scale=stats.sem(x))
    assert est.n == n
    assert est.value == pytest.approx(x.mean(), rel=REL)
    assert est.std == pytest.approx(x.std(ddof=1), rel=REL)
    assert est.ci_low == pytest.approx(low, rel=REL)
    assert est.ci_high == pytest.approx(high, rel=REL)


def test_mean_ci_other_confidence(rng: np.random.Generator) -> None:
    x = rng.normal(10, 2, size=40)
    est = mean_estimate(x, confidence=0.80)
    low, high = stats.t.interval(0.80, df=39, loc=x.mean(), scale=stats.sem(x))
    assert (est.ci_low, est.ci_high) == (pytest.approx(low), pytest.approx(high))


def test_mean_small_samples() -> None:
    empty = mean_estimate([])
    assert (empty.value, empty.n, empty.ci_low, empty.std) == (None, 0, None, None)
    one = mean_estimate([4.0])
    assert (one.value, one.n, one.ci_low, one.ci_high, one.std) == (4.0, 1, None, None, None)


def test_mean_from_moments_equals_raw(rng: np.random.Generator) -> None:
    x = rng.exponential(3600.0, size=500)  # e.g. first-response seconds
    raw = mean_estimate(x)
    agg = mean_from_moments(len(x), float(x.sum()), float((x * x).sum()))
    assert agg.value == pytest.approx(raw.value, rel=1e-12)
    assert agg.std == pytest.approx(raw.std, rel=1e-9)
    assert agg.ci_low == pytest.approx(raw.ci_low, rel=1e-9)
    assert agg.ci_high == pytest.approx(raw.ci_high, rel=1e-9)


def test_mean_from_moments_large_offset(rng: np.random.Generator) -> None:
    # Σx² − (Σx)²/n cancels when the spread is tiny relative to the level; the aggregate form is
    # documented as approximate there. Level 1e5 s with sd 10 s keeps the relative error < 1e-6.
    x = 1e5 + rng.normal(0, 10, size=2000)
    agg = mean_from_moments(len(x), float(x.sum()), float((x * x).sum()))
    assert agg.std == pytest.approx(x.std(ddof=1), rel=1e-6)


def test_mean_from_moments_edges() -> None:
    assert mean_from_moments(0, 0.0, 0.0).value is None
    single = mean_from_moments(1, 7.0, 49.0)
    assert (single.value, single.ci_low) == (7.0, None)
    constant = mean_from_moments(3, 15.0, 75.0)
    assert (constant.std, constant.ci_low, constant.ci_high) == (0.0, 5.0, 5.0)
    with pytest.raises(ValueError, match="inconsistent moments"):
        mean_from_moments(3, 15.0, 10.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        mean_from_moments(-1, 0.0, 0.0)


def test_mean_rejects_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        mean_estimate([1.0, float("nan")])


# --- proportions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n"), [(0, 1), (0, 10), (1, 10), (7, 10), (10, 10), (83, 120)])
def test_wilson_matches_scipy_and_statsmodels(k: int, n: int) -> None:
    low, high = wilson_interval(k, n)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    sm_low, sm_high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-12)
    assert high == pytest.approx(ci.high, abs=1e-12)
    assert low == pytest.approx(sm_low, abs=1e-12)
    assert high == pytest.approx(sm_high, abs=1e-12)


def test_proportion_estimates() -> None:
    est = proportion_from_counts(45, 60)
    assert (est.value, est.successes, est.n) == (0.75, 45, 60)
    assert est.ci_low is not None and est.ci_low < 0.75 < (est.ci_high or 0)
    assert proportion_estimate([True, False, True, True]).value == 0.75
    empty = proportion_from_counts(0, 0)
    assert (empty.value, empty.ci_low, empty.ci_high) == (None, None, None)
    with pytest.raises(ValueError, match="cannot exceed"):
        proportion_from_counts(5, 4)


# --- NPS / CSAT / CES ----------------------------------------------------------------------


def test_nps_hand_computed_counts() -> None:
    ref = NPS_HAND
    est = nps_from_counts(ref["promoters"], ref["passives"], ref["detractors"])
    assert est.n == 100
    assert est.value == pytest.approx(ref["value"], abs=1e-12)
    assert est.std_error == pytest.approx(ref["std_error"], rel=1e-12)
    assert est.ci_low == pytest.approx(ref["ci_low"], rel=1e-12)
    assert est.ci_high == pytest.approx(ref["ci_high"], rel=1e-12)


def test_nps_from_raw_scores() -> None:
    est = nps(NPS_RAW["scores"])
    assert (est.promoters, est.passives, est.detractors) == (
        NPS_RAW["promoters"],
        NPS_RAW["passives"],
        NPS_RAW["detractors"],
    )
    assert est.value == pytest.approx(NPS_RAW["value"], abs=1e-12)


def test_nps_ci_is_clipped_to_scale() -> None:
    ref = NPS_CLIPPED
    est = nps_from_counts(ref["promoters"], ref["passives"], ref["detractors"])
    assert est.value == pytest.approx(ref["value"])
    assert est.ci_low == ref["ci_low"]
    assert est.ci_high == pytest.approx(ref["ci_high"], rel=1e-12)


def test_nps_edges_and_validation() -> None:
    assert nps([]).value is None
    one = nps([10])
    assert (one.value, one.ci_low) == (100.0, None)
    with pytest.raises(ValueError, match=r"0\.\.10"):
        nps([11])
    with pytest.raises(ValueError, match=r"0\.\.10"):
        nps([7.5])


def test_csat_mean_and_share_never_mixed() -> None:
    est = csat(CSAT_HAND["ratings"])
    assert est.mean.value == pytest.approx(CSAT_HAND["mean"])
    assert est.mean.n == 8
    assert est.satisfied.successes == CSAT_HAND["satisfied"]
    assert est.satisfied.value == pytest.approx(CSAT_HAND["share"])
    ci = stats.binomtest(5, 8).proportion_ci(method="wilson")
    assert est.satisfied.ci_low == pytest.approx(ci.low, abs=1e-12)
    low, _ = stats.t.interval(0.95, 7, loc=3.625, scale=stats.sem(CSAT_HAND["ratings"]))
    assert est.mean.ci_low == pytest.approx(low, rel=1e-12)


def test_csat_from_counts_equals_raw() -> None:
    ratings = CSAT_HAND["ratings"]
    histogram = {r: ratings.count(r) for r in set(ratings)}
    assert csat_from_counts(histogram) == csat(ratings)
    with pytest.raises(ValueError, match=r"1\.\.5"):
        csat_from_counts({6: 1})
    with pytest.raises(ValueError, match=r"1\.\.5"):
        csat([0, 5])


def test_ces_scale() -> None:
    est = ces([1, 2, 3, 7, 4])
    assert est.value == pytest.approx(3.4)
    with pytest.raises(ValueError, match=r"1\.\.7"):
        ces([8])


# --- median CI -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [6, 10, 20, 57, 200])
def test_median_ci_matches_scipy_quantile_test(rng: np.random.Generator, n: int) -> None:
    x = rng.lognormal(3.0, 1.0, size=n)
    est = median_ci(x)
    ci = stats.quantile_test(x, q=float(np.median(x)), p=0.5).confidence_interval(0.95)
    assert est.value == pytest.approx(np.median(x))
    assert est.ci_low == pytest.approx(ci.low, rel=1e-12)
    assert est.ci_high == pytest.approx(ci.high, rel=1e-12)
    assert est.coverage is not None and est.coverage >= 0.95


def test_median_ci_ranks_from_binomial() -> None:
    # x = 1..n, so the CI endpoints are the order-statistic ranks. For n = 20 the 95% ranks are
    # 6 and 15 with coverage 1 − 2·P(B ≤ 5), B ~ Bin(20, 1/2) (sum of C(20, k)/2^20, k ≤ 5).
    est = median_ci(np.arange(1, 21, dtype=float))
    tail = sum(math.comb(20, k) for k in range(6)) / 2**20
    assert (est.ci_low, est.ci_high) == (6.0, 15.0)
    assert est.coverage == pytest.approx(1 - 2 * tail, rel=1e-12)


def test_median_ci_too_small() -> None:
    est = median_ci([3.0, 1.0, 2.0, 5.0, 4.0])  # P(B = 0) = 1/32 > 0.025: no 95% interval
    assert (est.value, est.ci_low, est.ci_high, est.coverage) == (3.0, None, None, None)
    assert median_ci([]).value is None


# --- trend ratio ---------------------------------------------------------------------------


def test_trend_ratio() -> None:
    assert trend_ratio(120.0, 100.0) == pytest.approx(0.2)
    assert trend_ratio(80.0, 100.0) == pytest.approx(-0.2)
    assert trend_ratio(5.0, 0.0) is None
    assert trend_ratio(5.0, None) is None
    assert trend_ratio(None, 3.0) is None


# --- Welch / one-sample tests --------------------------------------------------------------


@pytest.mark.parametrize("alternative", ["less", "greater", "two-sided"])
def test_welch_matches_scipy(rng: np.random.Generator, alternative: str) -> None:
    agent = rng.normal(4.1, 0.7, size=23)
    team = rng.normal(4.4, 0.5, size=180)
    res = two_sample_difference(
        mean_estimate(agent),
        mean_estimate(team),
        alternative=alternative,  # type: ignore[arg-type]
    )
    ref = stats.ttest_ind(agent, team, equal_var=False, alternative=alternative)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.df == pytest.approx(ref.df, rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.significant == (ref.pvalue <= 0.05)


def test_welch_with_margin_equals_shifted_samples(rng: np.random.Generator) -> None:
    agent = rng.normal(3.6, 0.8, size=30)
    team = rng.normal(4.5, 0.6, size=200)
    res = two_sample_difference(
        mean_estimate(agent), mean_estimate(team), alternative="less", null_difference=-0.5
    )
    # H0: μa − μt = −0.5  ⇔  H0: μ(a + 0.5) − μt = 0
    ref = stats.ttest_ind(agent + 0.5, team, equal_var=False, alternative="less")
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_one_sample_against_target(rng: np.random.Generator) -> None:
    agent = rng.normal(4.2, 0.6, size=15)
    res = two_sample_difference(mean_estimate(agent), 4.5, alternative="less")
    ref = stats.ttest_1samp(agent, popmean=4.5, alternative="less")
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert res.df == 14
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_welch_from_sql_moments(rng: np.random.Generator) -> None:
    a, b = rng.normal(50, 9, size=40), rng.normal(55, 12, size=60)
    ma = mean_from_moments(40, float(a.sum()), float((a * a).sum()))
    mb = mean_from_moments(60, float(b.sum()), float((b * b).sum()))
    res = two_sample_difference(ma, mb, alternative="two-sided")
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-7)


def test_difference_degenerate_cases() -> None:
    single = two_sample_difference(mean_estimate([3.0]), 4.5)
    assert (single.p_value, single.significant) == (None, False)
    assert single.difference == pytest.approx(-1.5)
    constant = two_sample_difference(mean_estimate([3.0, 3.0, 3.0]), 4.5, alternative="less")
    assert (constant.p_value, constant.significant) == (0.0, True)
    assert two_sample_difference(MeanEstimate(None, 0, None, None, None), 4.5).p_value is None
    with pytest.raises(ValueError, match="alpha"):
        two_sample_difference(mean_estimate([1.0, 2.0]), 1.0, alpha=1.5)


def test_agents_below_target_uses_bh(rng: np.random.Generator) -> None:
    team = mean_estimate(rng.normal(4.5, 0.5, size=400))
    means = [3.9, 4.0, 4.4, 4.5, 4.6, 4.2, 4.45, 3.7]
    agents = {f"a{i}": mean_estimate(rng.normal(m, 0.6, size=25)) for i, m in enumerate(means)}
    agents["new"] = mean_estimate([4.0])  # untestable: excluded from the BH family
    out = agents_below_target(agents, team, alpha=0.05)
    tested = [c for c in out if c.test.p_value is not None]
    raw = [c.test.p_value for c in tested]
    reject, adjusted, _, _ = multipletests(raw, alpha=0.05, method="fdr_bh")
    assert [c.p_adjusted for c in tested] == pytest.approx(list(adjusted), rel=1e-12)
    assert [c.significant for c in tested] == list(reject)
    assert 0 < sum(reject) < len(tested)  # the example has both outcomes
    new = next(c for c in out if c.agent == "new")
    assert (new.p_adjusted, new.significant) == (None, False)
    uncorrected = agents_below_target(agents, team, correction="none")
    assert [c.significant for c in uncorrected if c.test.p_value is not None] == [
        p <= 0.05 for p in raw
    ]
