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
    boosted tree model (``HistGradientBoostingRegressor``, categorical factors native) fitted on
    70% of the rows (of at most :data:`TREE_ROWS`, sampled): the mean drop in R² on the other
    30% when one factor is shuffled, over ``repeats`` shuffles, with its standard deviation. It
    needs no linearity; a factor the linear model calls significant but the trees ignore
    deserves suspicion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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


def driver_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The analysis frame of ``analytics.insight_survey_features`` rows (one per survey)."""
    raw = pd.DataFrame(rows)
    if raw.empty:
        return pd.DataFrame(columns=["csat", *FACTORS])

    def num(name: str) -> pd.Series:
        series = pd.to_numeric(raw[name], errors="coerce").astype(float)
        return series.fillna(series.mean() if series.notna().any() else 0.0)

    frame = pd.DataFrame(
        {
            "csat": raw["csat"].astype(float),
            "first_response_time": np.log1p(num("first_response_minutes").clip(lower=0) / 60),
            "resolution_time": np.log1p(num("resolution_minutes").clip(lower=0) / 60),
            "reopened": (raw["reopen_count"].astype(int) > 0).astype(float),
            "agent_replies": num("agent_replies"),
            "agent_skill": num("agent_skill"),
            "agent_tenure": num("agent_tenure_years"),
            "sentiment": num("sentiment"),
            "first_response_breached": raw["fr_breached"].astype(bool).astype(float),
            "resolution_breached": raw["res_breached"].astype(bool).astype(float),
            "channel": raw["channel"].astype(str),
            "category": raw["category_root"].astype(str),
            "vip_tier": raw["vip_tier"].astype(str),
        }
    )
    return frame


def _design(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str | None]]]:
    parts = [frame[list(NUMERIC)]]
    terms: list[tuple[str, str | None]] = [(f, None) for f in NUMERIC]
    for factor in CATEGORICAL:
        levels = frame[factor].value_counts()
        ref = REFERENCE.get(factor)
        if ref not in levels.index:
            ref = str(levels.index[0])
        for level in sorted(str(v) for v in levels.index if v != ref):
            parts.append(
                pd.DataFrame({f"{factor}={level}": (frame[factor] == level).astype(float)})
            )
            terms.append((factor, level))
    design = pd.concat(parts, axis=1)
    keep = design.std(axis=0) > 0
    kept_terms = [t for t, k in zip(terms, keep.tolist(), strict=True) if k]
    return design.loc[:, keep], kept_terms


def _importance(
    frame: pd.DataFrame, random_state: int, repeats: int
) -> dict[str, tuple[float, float]]:
    if len(frame) > TREE_ROWS:
        frame = frame.sample(TREE_ROWS, random_state=random_state)
    x = frame[list(FACTORS)].copy()
    for factor in CATEGORICAL:
        x[factor] = x[factor].astype("category").cat.codes
    y = frame["csat"].to_numpy()
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=random_state)
    trees = HistGradientBoostingRegressor(
        max_iter=60,
        max_leaf_nodes=15,
        early_stopping=False,
        categorical_features=[x.columns.get_loc(c) for c in CATEGORICAL],
        random_state=random_state,
    )
    # one thread: the gateway's workers share few cores, and OpenMP oversubscription made this
    # several times slower than single-threaded
    with threadpool_limits(limits=1):
        trees.fit(x_tr, y_tr)
        result = permutation_importance(
            trees, x_te, y_te, n_repeats=repeats, random_state=random_state
        )
    return {
        f: (float(m), float(s))
        for f, m, s in zip(FACTORS, result.importances_mean, result.importances_std, strict=True)
    }


def satisfaction_drivers(
    frame: pd.DataFrame, *, alpha: float = 0.05, random_state: int = 0, repeats: int = 3
) -> DriversResult:
    """Effects of every factor on CSAT (see the module docstring), largest |effect| first.

    Raises ``ValueError`` below :data:`MIN_ROWS` surveys.
    """
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
