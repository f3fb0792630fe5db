"""Benchmark comparisons: pooled peers against a direct computation on simulated raw
observations, Welch's test against scipy.stats.ttest_ind, percentile ranks by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analytics.benchmark import Member, compare, percentile_rank, pooled


def test_percentile_rank_by_hand() -> None:
    assert percentile_rank(3.0, [1.0, 2.0, 3.0, 4.0]) == pytest.approx(62.5)  # (2 + .5)/4
    assert percentile_rank(0.0, [1.0, 2.0]) == 0.0
    assert percentile_rank(1.0, []) is None


def test_pooled_peers_and_welch_match_raw_data() -> None:
    rng = np.random.default_rng(2)
    raw = {f"a{i}": rng.normal(4.3 + 0.05 * i, 0.7, int(rng.integers(20, 60))) for i in range(6)}
    raw["me"] = rng.normal(3.9, 0.7, 40)
    members = [Member(k, float(v.mean()), v.size, float(v.std(ddof=1))) for k, v in raw.items()]
    peers_raw = np.concatenate([v for k, v in raw.items() if k != "me"])
    pool = pooled([m for m in members if m.key != "me"])
    assert pool is not None and pool.std is not None
    assert pool.value == pytest.approx(peers_raw.mean(), rel=1e-12)
    assert pool.std == pytest.approx(peers_raw.std(ddof=1), rel=1e-10)
    me = next(m for m in members if m.key == "me")
    res = compare(me, members)
    ref = stats.ttest_ind(raw["me"], peers_raw, equal_var=False)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-8)
    assert res.difference == pytest.approx(raw["me"].mean() - peers_raw.mean(), rel=1e-12)
    ci = ref.confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == (
        pytest.approx(ci.low, rel=1e-8),
        pytest.approx(ci.high, rel=1e-8),
    )
    assert res.peers == 6 and res.peer_n == peers_raw.size and res.significant
    values = [m.value for m in members if m.key != "me"]
    assert res.percentile == percentile_rank(me.value, values)  # type: ignore[arg-type]


def test_without_std_only_percentile_and_difference() -> None:
    res = compare(Member("me", 30.0, 10), [Member("a", 20.0, 5), Member("b", 40.0, 5)])
    assert (res.percentile, res.peer_mean, res.difference) == (50.0, 30.0, 0.0)
    assert res.p_value is None and not res.significant
    empty = compare(Member("me", None, 0), [Member("a", 1.0, 3)])
    assert empty.percentile is None and empty.peers == 1
