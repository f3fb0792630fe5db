"""How good were past predictions: forecasts against what happened, risk scores against outcomes.

Forecasts (docs/metrics.md "Statistics"): for predicted values fᵢ with intervals and actuals aᵢ,

    MASE = mean |aᵢ − fᵢ| / Q,  Q = mean |y_t − y_{t−7}| over the daily actuals ``training``
           before the judged period (the in-sample weekly seasonal-naive MAE; Hyndman &
           Koehler 2006) — NaN when Q = 0 or too little history;
    WAPE = Σ |aᵢ − fᵢ| / Σ |aᵢ|;
    coverage = share of aᵢ inside [lower, upper] (80% and 95% intervals, where given).

Risk scores (churn, low satisfaction): ROC AUC, Brier score, the Brier score of a constant
prediction at the observed rate (what skill is measured against) and the 10-bin calibration table
of :func:`analytics.risk_model.calibration_table`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analytics.forecasting import mase
from analytics.risk_model import Evaluation, evaluate

WEEK = 7


@dataclass(frozen=True, slots=True)
class ForecastAccuracy:
    n: int
    mase: float
    wape: float
    coverage80: float | None
    coverage95: float | None


def _coverage(
    actual: np.ndarray, lower: Sequence[float | None], upper: Sequence[float | None]
) -> float | None:
    pairs = [(a, lo, hi) for a, lo, hi in zip(actual, lower, upper, strict=True)]
    known = [(a, lo, hi) for a, lo, hi in pairs if lo is not None and hi is not None]
    if not known:
        return None
    return float(sum(bool(lo <= a <= hi) for a, lo, hi in known)) / len(known)


def forecast_accuracy(
    actual: Sequence[float],
    predicted: Sequence[float],
    training: Sequence[float],
    lower80: Sequence[float | None],
    upper80: Sequence[float | None],
    lower95: Sequence[float | None],
    upper95: Sequence[float | None],
) -> ForecastAccuracy:
    """MASE, WAPE and coverage of the module docstring; ``ValueError`` when empty."""
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(predicted, dtype=np.float64)
    if a.size == 0 or a.shape != f.shape:
        raise ValueError("actual and predicted must be non-empty and of equal length")
    scaled = mase(a, f, training, WEEK) if len(training) > WEEK else math.nan
    total = float(np.abs(a).sum())
    wape = float(np.abs(a - f).sum() / total) if total > 0 else math.nan
    return ForecastAccuracy(
        n=int(a.size),
        mase=scaled,
        wape=wape,
        coverage80=_coverage(a, lower80, upper80),
        coverage95=_coverage(a, lower95, upper95),
    )


def risk_accuracy(outcome: Sequence[int], probability: Sequence[float]) -> Evaluation:
    """AUC, Brier, the observed-rate Brier and the calibration table of judged risk scores."""
    y = np.asarray(outcome, dtype=np.float64)
    if y.size == 0:
        raise ValueError("no judged predictions")
    return evaluate(y, probability, float(y.mean()))
