"""Satisfaction drivers: which ticket factors move CSAT, by how much, and how sure we are.

Model
    CSAT (1–5) of each answered survey is regressed on the ticket's factors by ordinary least
    squares, y = β₀ + Σ βⱼ xⱼ + ε, with heteroskedasticity-robust HC3 standard errors
    (MacKinnon & White 1985; a linear model of a bounded ordinal score, read as "points of CSAT
    per unit of the factor"). Each βⱼ has a 95% Wald interval and a two-sided p-value; p-values
    are adjusted across all terms by Benjamini–Hochberg (1995), which controls the false
    discovery rate at ``alpha``.

    Factors and units: ``first_response_time`` and ``resolution_time`` per unit of
    log(1 + hours); ``reopened`` (0/1); ``agent_replies`` per reply; ``agent_skill`` per skill
    level (1–5); ``agent_tenure`` per year; ``sentiment`` per unit of the mean customer message
    sentiment (−1..1); ``first_response_breached`` and ``resolution_breached`` (0/1); and
    ``channel``, ``category``, ``vip_tier`` as levels against a reference level (email, the most
    frequent category, standard). A missing sentiment or agent is filled with the sample mean.

Cross-check
    Permutation importance (Breiman 2001; sklearn ``permutation_importance``) of a gradient
    boosted tree model (``HistGradientBoostingRegressor``, 60 iterations of at most 15 leaves,
    categorical factors native) fitted on 70% of the rows: the mean drop in R² on the other 30%
    when one factor is shuffled, over ``repeats`` shuffles (default 3), with its standard
    deviation. Beyond :data:`TREE_ROWS` (12,000) surveys it uses a simple random sample of that
    many, drawn with ``random_state`` (default 0, as are the split and the shuffles): it is a
    check on the estimate, not the estimate (on a month of the 1M benchmark, 12,000 rows put the
    importance of each of the generator's true effects 4-30 standard deviations above zero). It
    needs no linearity; a factor the linear model calls significant but the trees ignore
    deserves suspicion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
import statsmodels.api as sm
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from statsmodels.stats.multitest import multipletests
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

NUMERIC = (
    "first_response_time",
    "resolution_time",
    "reopened",
    "agent_replies",
    "agent_skill",
    "agent_tenure",
    "sentiment",
    "first_response_breached",
    "resolution_breached",
)
CATEGORICAL = ("channel", "category", "vip_tier")
FACTORS = NUMERIC + CATEGORICAL
UNITS = {
    "first_response_time": "per unit of log(1 + hours)",
    "resolution_time": "per unit of log(1 + hours)",
    "reopened": "reopened vs not",
    "agent_replies": "per agent reply",
    "agent_skill": "per skill level (1-5)",
    "agent_tenure": "per year of tenure",
    "sentiment": "per unit of mean customer sentiment (-1..1)",
    "first_response_breached": "first-response SLA breached vs met",
    "resolution_breached": "resolution SLA breached vs met",
}
REFERENCE = {"channel": "email", "vip_tier": "standard"}
MIN_ROWS = 50
#: Rows the tree cross-check uses at most (a random sample beyond that; it is a check, not the
#: estimate).
TREE_ROWS = 12_000


@dataclass(frozen=True, slots=True)
class DriverEffect:
    """One term: a factor (and level, for categorical factors) and its effect on CSAT."""

    factor: str
    level: str | None
    unit: str
    effect: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float
    significant: bool
    n: int
    importance: float
    importance_sd: float

    @property
    def direction(self) -> str:
        if not self.significant:
            return "none"
        return "raises" if self.effect > 0 else "lowers"


@dataclass(frozen=True, slots=True)
class DriversResult:
    n: int
    mean_csat: float
    r_squared: float
    alpha: float
    effects: tuple[DriverEffect, ...]


#: The feature-row columns the frame reads.
_COLUMNS = (
    "csat", "first_response_minutes", "resolution_minutes", "reopen_count", "agent_replies",
    "agent_skill", "agent_tenure_years", "sentiment", "fr_breached", "res_breached", "channel",
    "category_root", "vip_tier",
)  # fmt: skip


def driver_frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """The analysis frame of ``analytics.insight_survey_features`` rows (one per survey)."""
    if not rows:
        return pd.DataFrame(columns=["csat", *FACTORS])
    raw = {c: [r[c] for r in rows] for c in _COLUMNS}  # column-wise: no frame of dicts

    def num(name: str) -> pd.Series:
        series = pd.Series(pd.to_numeric(raw[name], errors="coerce"), dtype=float)
        return series.fillna(series.mean() if series.notna().any() else 0.0)

    def flag(name: str) -> npt.NDArray[np.float64]:
        return np.array([bool(v) for v in raw[name]], dtype=np.float64)

    def label(name: str) -> npt.NDArray[np.object_]:
        return np.array([str(v) for v in raw[name]], dtype=object)

    return pd.DataFrame(
        {
            "csat": np.asarray(raw["csat"], dtype=np.float64),
            "first_response_time": np.log1p(num("first_response_minutes").clip(lower=0) / 60),
            "resolution_time": np.log1p(num("resolution_minutes").clip(lower=0) / 60),
            "reopened": (np.asarray(raw["reopen_count"], dtype=np.int64) > 0).astype(float),
            "agent_replies": num("agent_replies"),
            "agent_skill": num("agent_skill"),
            "agent_tenure": num("agent_tenure_years"),
            "sentiment": num("sentiment"),
            "first_response_breached": flag("fr_breached"),
            "resolution_breached": flag("res_breached"),
            "channel": label("channel"),
            "category": label("category_root"),
            "vip_tier": label("vip_tier"),
        }
    )


def _design(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str | None]]]:
    columns: dict[str, npt.NDArray[np.float64]] = {
        f: frame[f].to_numpy(dtype=np.float64) for f in NUMERIC
    }
    terms: list[tuple[str, str | None]] = [(f, None) for f in NUMERIC]
    for factor in CATEGORICAL:
        codes, uniques = pd.factorize(frame[factor].to_numpy(dtype=object))
        names = [str(u) for u in uniques]
        counts = np.bincount(codes, minlength=len(names))
        ref = REFERENCE.get(factor)
        if ref not in names:  # else the most frequent level (first seen among equals)
            ref = names[int(np.argmax(counts))]
        for level in sorted(n for n in names if n != ref):
            columns[f"{factor}={level}"] = (codes == names.index(level)).astype(np.float64)
            terms.append((factor, level))
    design = pd.DataFrame(columns, index=frame.index)
    keep = design.std(axis=0) > 0
    kept_terms = [t for t, k in zip(terms, keep.tolist(), strict=True) if k]
    return design.loc[:, keep], kept_terms


def _importance(
    frame: pd.DataFrame, random_state: int, repeats: int
) -> dict[str, tuple[float, float]]:
    if len(frame) > TREE_ROWS:
        frame = frame.sample(TREE_ROWS, random_state=random_state)
    # a plain float matrix, categorical factors as integer codes: the trees treat those columns
    # as categories, and no per-call DataFrame conversion runs inside the shuffles' predictions
    x = np.column_stack(
        [frame[f].to_numpy(dtype=float) for f in NUMERIC]
        + [frame[f].astype("category").cat.codes.to_numpy(dtype=float) for f in CATEGORICAL]
    )
    y = frame["csat"].to_numpy(dtype=float)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=random_state)
    trees = HistGradientBoostingRegressor(
        max_iter=60,
        max_leaf_nodes=15,
        early_stopping=False,
        categorical_features=[FACTORS.index(c) for c in CATEGORICAL],
        random_state=random_state,
    )
    trees.fit(x_tr, y_tr)
    result = permutation_importance(trees, x_te, y_te, n_repeats=repeats, random_state=random_state)
    return {
        f: (float(m), float(s))
        for f, m, s in zip(FACTORS, result.importances_mean, result.importances_std, strict=True)
    }


def satisfaction_drivers(
    frame: pd.DataFrame, *, alpha: float = 0.05, random_state: int = 0, repeats: int = 3
) -> DriversResult:
    """Effects of every factor on CSAT (see the module docstring), largest |effect| first.

    Raises ``ValueError`` below :data:`MIN_ROWS` surveys. Runs with one BLAS/OpenMP thread: the
    gateway's CPU workers share few cores, and oversubscribed threads made the least squares
    fit at 66k surveys take 0.1-2 s instead of 0.1 s, and the trees several times longer.
    """
    with threadpool_limits(limits=1):
        return _fit(frame, alpha, random_state, repeats)


def _fit(frame: pd.DataFrame, alpha: float, random_state: int, repeats: int) -> DriversResult:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    n = len(frame)
    if n < MIN_ROWS:
        raise ValueError(f"at least {MIN_ROWS} answered surveys are needed, got {n}")
    design, terms = _design(frame)
    y = frame["csat"].to_numpy(dtype=float)
    fit = sm.OLS(y, sm.add_constant(design, has_constant="add")).fit(cov_type="HC3")
    names = list(design.columns)
    coef = fit.params[names].to_numpy()
    ci = fit.conf_int(alpha=0.05).loc[names].to_numpy()
    p = fit.pvalues[names].to_numpy()
    p = np.where(np.isfinite(p), p, 1.0)
    _, p_adj, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
    importance = _importance(frame, random_state, repeats)
    effects = []
    for j, (factor, level) in enumerate(terms):
        if level is None:
            unit = UNITS[factor]
            on = design[names[j]]
            count = int((on > 0).sum()) if set(np.unique(on)) <= {0.0, 1.0} else n
        else:
            unit = f"{level} vs the reference level"
            count = int((frame[factor] == level).sum())
        imp, imp_sd = importance[factor]
        effects.append(
            DriverEffect(
                factor=factor,
                level=level,
                unit=unit,
                effect=float(coef[j]),
                ci_low=float(ci[j, 0]),
                ci_high=float(ci[j, 1]),
                p_value=float(p[j]),
                p_adjusted=float(p_adj[j]),
                significant=bool(p_adj[j] < alpha),
                n=count,
                importance=imp,
                importance_sd=imp_sd,
            )
        )
    effects.sort(key=lambda e: -abs(e.effect))
    return DriversResult(
        n=n,
        mean_csat=float(y.mean()),
        r_squared=float(fit.rsquared),
        alpha=alpha,
        effects=tuple(effects),
    )
