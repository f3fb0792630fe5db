"""Tests for analytics.correlation against scipy.stats.spearmanr and statsmodels' fdr_bh."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analytics.correlation import benjamini_hochberg, bh_reject, spearman_matrix


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bh_matches_statsmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 40), [1.0, 0.0]])
    rng.shuffle(p)
    reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    assert benjamini_hochberg(list(p)) == pytest.approx(list(adjusted), rel=1e-12, abs=1e-15)
    assert bh_reject(list(p), 0.05) == tuple(bool(r) for r in reject)


def test_bh_ties_and_edges() -> None:
    p = [0.01, 0.01, 0.04, 0.04, 0.5]
    _, adjusted, _, _ = multipletests(p, method="fdr_bh")
    assert benjamini_hochberg(p) == pytest.approx(list(adjusted), rel=1e-12)
    assert benjamini_hochberg([]) == ()
    assert benjamini_hochberg([0.3]) == (0.3,)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([0.2, 1.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        benjamini_hochberg([float("nan")])


def _columns(seed: int, n: int = 60) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    frt = rng.lognormal(3, 0.6, n)
    return {
        "frt": frt,
        "csat": 5 - 0.02 * frt + rng.normal(0, 0.4, n),
        "aht": rng.gamma(4, 60, n),
        "reopen": np.round(rng.uniform(0, 5, n)),  # ties
    }


def test_matrix_matches_scipy_and_bh() -> None:
    cols = _columns(3)
    names = list(cols)
    res = spearman_matrix(cols)
    ref = stats.spearmanr(np.column_stack([cols[k] for k in names]))
    k = len(names)
    upper = [(i, j) for i in range(k) for j in range(i + 1, k)]
    for i, j in upper:
        assert res.rho[i][j] == pytest.approx(ref.statistic[i, j], rel=1e-12)
        assert res.rho[j][i] == res.rho[i][j]
        assert res.p_values[i][j] == pytest.approx(ref.pvalue[i, j], rel=1e-9)
        assert res.n[i][j] == 60
    reject, adjusted, _, _ = multipletests([ref.pvalue[i, j] for i, j in upper], method="fdr_bh")
    assert [res.p_adjusted[i][j] for i, j in upper] == pytest.approx(list(adjusted), rel=1e-9)
    assert [p.significant for p in res.pairs] == list(reject)
    assert res.names == tuple(names)
    assert [res.rho[i][i] for i in range(k)] == [1.0] * k
    assert res.pair("csat", "frt").rho == pytest.approx(ref.statistic[0, 1])
    assert res.pair("frt", "csat").significant  # built-in strong negative relation


def test_pairwise_missing_values() -> None:
    cols = _columns(4, n=40)
    cols["csat"] = cols["csat"].copy()
    cols["csat"][[1, 5, 9]] = np.nan
    res = spearman_matrix(cols)
    keep = ~np.isnan(cols["csat"])
    ref = stats.spearmanr(cols["frt"][keep], cols["csat"][keep])
    pair = res.pair("frt", "csat")
    assert pair.n == 37
    assert pair.rho == pytest.approx(ref.statistic, rel=1e-12)
    assert pair.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.pair("frt", "aht").n == 40


def test_constant_and_short_columns_are_untestable() -> None:
    rng = np.random.default_rng(9)
    cols = {"a": rng.normal(size=10), "b": rng.normal(size=10), "flat": np.full(10, 4.0)}
    res = spearman_matrix(cols)
    flat = res.pair("a", "flat")
    assert (flat.rho, flat.p_value, flat.p_adjusted, flat.significant) == (None, None, None, False)
    assert res.rho[2][2] is None
    # BH family has one member (a, b), so its adjusted p equals its raw p.
    ab = res.pair("a", "b")
    assert ab.p_adjusted == pytest.approx(ab.p_value)
    sparse = {"a": [1.0, 2.0, np.nan, np.nan], "b": [2.0, 1.0, 3.0, 4.0]}
    assert spearman_matrix(sparse).pair("a", "b").rho is None  # 2 complete rows < 3


def test_validation() -> None:
    with pytest.raises(ValueError, match="equal length"):
        spearman_matrix({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]})
    with pytest.raises(ValueError, match="at least one"):
        spearman_matrix({})
    with pytest.raises(KeyError):
        spearman_matrix({"a": [1.0, 2.0, 3.0]}).pair("a", "b")
