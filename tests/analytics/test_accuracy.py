"""Accuracy of stored predictions against hand computations."""

from __future__ import annotations

import math

import pytest

from analytics.accuracy import forecast_accuracy, risk_accuracy


def test_forecast_accuracy_by_hand() -> None:
    training = [10.0, 12, 11, 9, 10, 14, 13, 12, 12, 10, 10, 15, 12, 14]  # two weeks
    # Q = mean |y_t - y_{t-7}| over the second week: |12-10|, |12-12|, |10-11|, |10-9|,
    # |15-10|, |12-14|, |14-13|
    q = (2 + 0 + 1 + 1 + 5 + 2 + 1) / 7
    actual = [11.0, 13, 9]
    predicted = [10.0, 12, 12]
    acc = forecast_accuracy(
        actual,
        predicted,
        training,
        [9.5, 12.5, 10],
        [11.5, 13.5, 13],
        [8, 11, None],
        [12, 14, None],
    )
    assert acc.n == 3
    assert acc.mase == pytest.approx(((1 + 1 + 3) / 3) / q)
    assert acc.wape == pytest.approx(5 / 33)
    assert acc.coverage80 == pytest.approx(2 / 3)  # 9 is outside [10, 13]
    assert acc.coverage95 == pytest.approx(1.0)  # the third has no 95% interval


def test_forecast_accuracy_without_history_has_no_mase() -> None:
    acc = forecast_accuracy([1.0], [2.0], [], [None], [None], [None], [None])
    assert math.isnan(acc.mase) and acc.wape == 1.0 and acc.coverage80 is None


def test_risk_accuracy_by_hand() -> None:
    ev = risk_accuracy([1, 0, 0, 1, 0], [0.9, 0.2, 0.6, 0.4, 0.1])
    # positive-negative pairs: (0.9 > all 3), (0.4 > 0.2, 0.1; < 0.6) -> 5 of 6
    assert ev.auc == pytest.approx(5 / 6)
    assert ev.brier == pytest.approx((0.01 + 0.04 + 0.36 + 0.36 + 0.01) / 5)
    assert ev.base_rate_brier == pytest.approx((2 * 0.36 + 3 * 0.16) / 5)
    with pytest.raises(ValueError):
        risk_accuracy([], [])
