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


def test_pearson_matrix_matches_scipy_pearsonr() -> None:
    cols = _columns(4)
    res = spearman_matrix(cols, method="pearson")
    names = list(cols)
    raw = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ref = stats.pearsonr(cols[a], cols[b])
            pair = res.pair(a, b)
            assert pair.rho == pytest.approx(ref.statistic, rel=1e-12)
            assert pair.p_value == pytest.approx(ref.pvalue, rel=1e-9)
            raw.append((pair, ref.pvalue))
    _, adjusted, _, _ = multipletests([p for _, p in raw], method="fdr_bh")
    for (pair, _), q in zip(raw, adjusted, strict=True):
        assert pair.p_adjusted == pytest.approx(q, rel=1e-9)


def test_lagged_correlation_finds_a_lead_and_matches_scipy() -> None:
    from analytics.correlation import lagged_correlations

    rng = np.random.default_rng(8)
    n = 120
    frt = rng.normal(60, 15, n)
    csat = np.empty(n)
    csat[0] = 4.5
    csat[1:] = 6.0 - 0.025 * frt[:-1] + rng.normal(0, 0.15, n - 1)  # FRT today -> CSAT tomorrow
    frt[7] = np.nan
    pairs = lagged_correlations({"frt": frt, "csat": csat}, 3)
    assert len(pairs) == 2 * 3
    lead = next(p for p in pairs if (p.first, p.second, p.lag) == ("frt", "csat", 1))
    keep = ~np.isnan(frt[:-1])
    ref = stats.spearmanr(frt[:-1][keep], csat[1:][keep])
    assert lead.n == int(keep.sum())
    assert lead.rho == pytest.approx(ref.statistic, rel=1e-12)
    assert lead.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert lead.significant and lead.rho < -0.5
    _, adjusted, _, _ = multipletests([p.p_value for p in pairs], method="fdr_bh")
    assert [p.p_adjusted for p in pairs] == pytest.approx(list(adjusted), rel=1e-9)
    others = [p for p in pairs if p is not lead and not (p.first == "frt" and p.lag == 1)]
    assert sum(p.significant for p in others) <= 1
    with pytest.raises(ValueError, match="max_lag"):
        lagged_correlations({"a": frt, "b": csat}, 0)
