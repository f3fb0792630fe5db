"""Calibrated logistic risk model on simulated data with a known logistic truth."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from analytics.risk_model import (
    calibration_table,
    evaluate,
    fit_risk_model,
    model_from_json,
    score,
    top_factors,
)

TRUE_COEF = np.array([1.2, -0.8, 0.0, 0.5])
TRUE_INTERCEPT = -1.5
FEATURES = ("a", "b", "noise", "d")


def _simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, 4)) * np.array([1.0, 2.0, 1.0, 0.5]) + np.array([0, 1, 0, 3])
    logit = TRUE_INTERCEPT + x @ TRUE_COEF - 0.5 * 3
    p = 1 / (1 + np.exp(-logit))
    return x, (rng.random(n) < p).astype(int), p


def test_held_out_auc_near_the_truths_and_calibrated() -> None:
    x, y, p = _simulate(8000, 1)
    model = fit_risk_model(x, y, FEATURES, random_state=3)
    ev = model.evaluation
    assert ev.n == 2400 and ev.auc is not None
    # the true probabilities' AUC on all rows bounds what a model can reach
    best = roc_auc_score(y, p)
    assert best - 0.03 < ev.auc <= best + 0.03
    assert ev.brier < ev.base_rate_brier
    # every bin with 30+ rows: mean prediction inside the observed rate's 99% Wilson band
    # (95% bands in the table; widened by the ratio of z-values 2.576 / 1.96)
    for b in ev.calibration:
        if b.n >= 30:
            assert b.observed is not None and b.observed_low is not None
            assert b.observed_high is not None and b.mean_predicted is not None
            half = (b.observed_high - b.observed_low) / 2 * 2.576 / 1.96
            assert abs(b.mean_predicted - b.observed) <= half + 1e-12


def test_coefficient_signs_recovered() -> None:
    x, y, _ = _simulate(20000, 2)
    model = fit_risk_model(x, y, FEATURES)
    per_unit = np.asarray(model.coef) / np.asarray(model.scale) * model.platt_a * -1
    assert per_unit[0] > 0.8 and per_unit[1] < -0.5 and per_unit[3] > 0.2
    assert abs(per_unit[2]) < 0.1


def test_contributions_sum_to_log_odds_and_probability() -> None:
    x, y, _ = _simulate(3000, 4)
    model = fit_risk_model(x, y, FEATURES)
    s = score(model, x)
    total = s.baseline + s.contributions.sum(axis=1)
    assert np.max(np.abs(total - s.log_odds)) < 1e-9
    assert np.max(np.abs(1 / (1 + np.exp(-total)) - s.probability)) < 1e-12
    # sklearn's own calibrated classifier, fitted on the same training rows, agrees
    x_tr, _, y_tr, _ = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    mu, sd = x_tr.mean(axis=0), x_tr.std(axis=0)
    reference = CalibratedClassifierCV(
        LogisticRegression(C=1.0, max_iter=1000), method="sigmoid", cv=5, ensemble=False
    ).fit((x_tr - mu) / sd, y_tr)
    expected = reference.predict_proba((x - mu) / sd)[:, 1]
    assert np.max(np.abs(expected - s.probability)) < 1e-9


def test_json_round_trip_scores_identically() -> None:
    x, y, _ = _simulate(3000, 5)
    model = fit_risk_model(x, y, FEATURES)
    again = model_from_json(model.to_json(), model.evaluation)
    assert np.array_equal(score(model, x).probability, score(again, x).probability)


def test_top_factors_by_absolute_contribution() -> None:
    contributions = np.array([[0.1, -0.5, 0.3], [0.0, 0.2, -0.1]])
    assert top_factors(("a", "b", "c"), contributions, 2) == [
        [("b", -0.5), ("c", 0.3)],
        [("b", 0.2), ("c", -0.1)],
    ]


def test_calibration_table_by_hand() -> None:
    table = calibration_table([0, 1, 1, 0, 1], [0.05, 0.07, 0.55, 0.58, 0.99])
    assert [b.n for b in table] == [2, 0, 0, 0, 0, 2, 0, 0, 0, 1]
    assert table[0].observed == 0.5 and table[0].mean_predicted == pytest.approx(0.06)
    assert table[9].observed == 1.0 and table[1].observed is None


def test_evaluate_by_hand() -> None:
    ev = evaluate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.5)
    assert ev.auc == pytest.approx(0.75)  # 3 of 4 positive-negative pairs ordered
    assert ev.brier == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)
    assert ev.base_rate_brier == pytest.approx(0.25)


def test_too_few_outcomes_refused() -> None:
    x = np.zeros((50, 4))
    y = np.zeros(50, dtype=int)
    y[:3] = 1
    with pytest.raises(ValueError, match="too few outcomes"):
        fit_risk_model(x, y, FEATURES)


def test_group_split_keeps_groups_apart() -> None:
    x, y, _ = _simulate(4000, 6)
    groups = np.arange(4000) // 4
    model = fit_risk_model(x, y, FEATURES, groups=groups)
    assert model.n_train + model.evaluation.n == 4000
    assert model.evaluation.n % 4 == 0
