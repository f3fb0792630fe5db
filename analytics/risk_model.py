"""Calibrated logistic risk models with additive explanations (churn, low satisfaction).

Model
    Features are standardised, z = (x − μ) / σ (μ, σ of the training rows), and a logistic
    regression (L2, C = 1) gives the score f(z) = β₀ + Σ βⱼ zⱼ. Probabilities are calibrated by
    Platt scaling (``CalibratedClassifierCV(method="sigmoid", ensemble=False)``: the sigmoid is
    fitted on 5-fold cross-validated scores of the training rows, the regression itself on all of
    them; Platt 1999), so the calibrated log-odds stay linear in the features:

        logit p = −(a·f(z) + b) = c₀ + Σⱼ cⱼ,   cⱼ = −a·βⱼ·zⱼ,   c₀ = −(a·β₀ + b).

    cⱼ is feature j's signed contribution (in log-odds, against a client or ticket at the
    training mean) and the contributions plus c₀ sum to the model's log-odds exactly (up to
    floating point). This is what scoring applies; the fitted numbers are plain JSON
    (:meth:`RiskModel.to_json`), so a stored model is data, never code.

Evaluation
    A stratified held-out split (``test_size``, ``random_state``) gives the ROC AUC
    (Mann–Whitney), the Brier score and the Brier score of the base-rate model (the training
    prevalence for everyone), and a calibration table of 10 equal-width bins of predicted
    probability with the observed rate and its Wilson 95% interval (the reliability diagram's
    bands; Bröcker & Smith 2007).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from analytics.statistics import wilson_interval

FloatArray = npt.NDArray[np.float64]
METHOD = (
    "logistic regression (L2, standardised features) calibrated by Platt scaling "
    "(sklearn CalibratedClassifierCV, method='sigmoid', 5-fold, ensemble=False)"
)
CALIBRATION_BINS = 10


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Held-out rows whose prediction fell in [low, high): mean prediction against outcome."""

    low: float
    high: float
    n: int
    mean_predicted: float | None
    observed: float | None
    observed_low: float | None
    observed_high: float | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    n: int
    positives: int
    auc: float | None
    brier: float
    base_rate_brier: float
    calibration: tuple[CalibrationBin, ...]


@dataclass(frozen=True, slots=True)
class RiskModel:
    """A fitted model: feature names, standardisation, coefficients and the Platt sigmoid."""

    features: tuple[str, ...]
    center: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    platt_a: float
    platt_b: float
    base_rate: float
    n_train: int
    evaluation: Evaluation

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "center": list(self.center),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "platt_a": self.platt_a,
            "platt_b": self.platt_b,
            "base_rate": self.base_rate,
            "n_train": self.n_train,
        }


@dataclass(frozen=True, slots=True)
class Scores:
    """Per row: probability, log-odds, and each feature's contribution (rows × features)."""

    probability: FloatArray
    log_odds: FloatArray
    baseline: float
    contributions: FloatArray


def calibration_table(
    y: npt.ArrayLike, p: npt.ArrayLike, bins: int = CALIBRATION_BINS
) -> tuple[CalibrationBin, ...]:
    """Equal-width bins of predicted probability: n, mean prediction, observed rate and its
    Wilson 95% interval (empty bins have null figures)."""
    yy = np.asarray(y, dtype=np.float64)
    pp = np.asarray(p, dtype=np.float64)
    index = np.minimum((pp * bins).astype(np.int64), bins - 1)
    out: list[CalibrationBin] = []
    for b in range(bins):
        rows = index == b
        n = int(rows.sum())
        if n == 0:
            out.append(CalibrationBin(b / bins, (b + 1) / bins, 0, None, None, None, None))
            continue
        hits = int(yy[rows].sum())
        lo, hi = wilson_interval(hits, n)
        out.append(
            CalibrationBin(b / bins, (b + 1) / bins, n, float(pp[rows].mean()), hits / n, lo, hi)
        )
    return tuple(out)


def evaluate(y: npt.ArrayLike, p: npt.ArrayLike, base_rate: float) -> Evaluation:
    """AUC, Brier score (and the base-rate model's) and the calibration table of ``p``."""
    yy = np.asarray(y, dtype=np.float64)
    pp = np.asarray(p, dtype=np.float64)
    positives = int(yy.sum())
    auc = float(roc_auc_score(yy, pp)) if 0 < positives < len(yy) else None
    return Evaluation(
        n=len(yy),
        positives=positives,
        auc=auc,
        brier=float(brier_score_loss(yy, pp)) if len(yy) else math.nan,
        base_rate_brier=float(np.mean((yy - base_rate) ** 2)) if len(yy) else math.nan,
        calibration=calibration_table(yy, pp),
    )


def fit_risk_model(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    features: Sequence[str],
    *,
    random_state: int = 0,
    test_size: float = 0.3,
    groups: npt.ArrayLike | None = None,
) -> RiskModel:
    """Fit on a stratified ``1 − test_size`` share of the rows, evaluate on the rest (see the
    module docstring). With ``groups`` (e.g. the client of each row when a client appears at
    several scoring dates) the split keeps each group on one side instead, so the held-out
    figures never score a client the model was trained on. Raises ``ValueError`` with fewer
    than 10 rows of either outcome."""
    xx = np.asarray(x, dtype=np.float64)
    yy = np.asarray(y, dtype=np.int64)
    if xx.ndim != 2 or xx.shape[1] != len(features) or len(yy) != len(xx):
        raise ValueError("x must be rows × features and y one outcome per row")
    positives = int(yy.sum())
    if positives < 10 or len(yy) - positives < 10:
        raise ValueError(f"too few outcomes to fit: {positives} positive of {len(yy)} rows")
    if groups is None:
        x_tr, x_te, y_tr, y_te = train_test_split(
            xx, yy, test_size=test_size, random_state=random_state, stratify=yy
        )
    else:
        splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
        train, test = next(splitter.split(xx, yy, np.asarray(groups)))
        x_tr, x_te, y_tr, y_te = xx[train], xx[test], yy[train], yy[test]
    center = x_tr.mean(axis=0)
    scale = x_tr.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    z_tr = (x_tr - center) / scale
    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=1.0, max_iter=1000), method="sigmoid", cv=5, ensemble=False
    )
    calibrated.fit(z_tr, y_tr)
    (member,) = calibrated.calibrated_classifiers_
    base: LogisticRegression = member.estimator
    (sigmoid,) = member.calibrators
    base_rate = float(y_tr.mean())
    draft = RiskModel(
        features=tuple(features),
        center=tuple(float(v) for v in center),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in base.coef_[0]),
        intercept=float(base.intercept_[0]),
        platt_a=float(sigmoid.a_),
        platt_b=float(sigmoid.b_),
        base_rate=base_rate,
        n_train=len(y_tr),
        evaluation=Evaluation(0, 0, None, math.nan, math.nan, ()),
    )
    held_out = score(draft, x_te).probability
    return RiskModel(
        **{
            **{f: getattr(draft, f) for f in RiskModel.__dataclass_fields__},
            "evaluation": evaluate(y_te, held_out, base_rate),
        }
    )


def model_from_json(data: Mapping[str, Any], evaluation: Evaluation) -> RiskModel:
    """The model :meth:`RiskModel.to_json` stored (with its stored evaluation)."""
    return RiskModel(
        features=tuple(str(f) for f in data["features"]),
        center=tuple(float(v) for v in data["center"]),
        scale=tuple(float(v) for v in data["scale"]),
        coef=tuple(float(v) for v in data["coef"]),
        intercept=float(data["intercept"]),
        platt_a=float(data["platt_a"]),
        platt_b=float(data["platt_b"]),
        base_rate=float(data["base_rate"]),
        n_train=int(data["n_train"]),
        evaluation=evaluation,
    )


def score(model: RiskModel, x: npt.ArrayLike) -> Scores:
    """Probabilities, log-odds and contributions of rows ``x`` (same columns as the features)."""
    xx = np.asarray(x, dtype=np.float64).reshape(-1, len(model.features))
    z = (xx - np.asarray(model.center)) / np.asarray(model.scale)
    contributions = -model.platt_a * z * np.asarray(model.coef)
    baseline = -(model.platt_a * model.intercept + model.platt_b)
    log_odds = baseline + contributions.sum(axis=1)
    probability = 1.0 / (1.0 + np.exp(-log_odds))
    return Scores(probability, log_odds, baseline, contributions)


def top_factors(
    features: Sequence[str], contributions: FloatArray, k: int = 3
) -> list[list[tuple[str, float]]]:
    """Per row, the ``k`` features with the largest absolute contribution, largest first."""
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(contributions, order, axis=1).tolist()
    names = list(features)
    return [
        [(names[j], v) for j, v in zip(picks, values, strict=True)]
        for picks, values in zip(order.tolist(), picked, strict=True)
    ]
