"""predictionAccuracy for CSAT forecasts and satisfaction-risk scores, and its calibration
table, against a hand computation over stored rows written here (model 'hand'), read as the
database owner: actual daily CSAT means and survey outcomes straight from
``support_feedback_surveys``, MASE/WAPE/coverage by their definitions (docs/metrics.md), AUC as
the Mann–Whitney probability over every positive–negative pair, Brier scores, and 10 equal-width
calibration bins with ``statsmodels``' Wilson interval. Tolerance: relative 1e-9 (1e-12 for
AUC and Brier: the same sums in a different order)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import pytest
from insights_support import INSIGHTS_END, TIMEZONE, InsightsDb, trainer_session
from statsmodels.stats.proportion import proportion_confint  # type: ignore[import-untyped]
from testkit import tq

from analytics.risk_model import Evaluation
from resolvers.port import Session
from resolvers.prediction_accuracy import prediction_accuracy

WINDOW = (INSIGHTS_END - timedelta(days=120), INSIGHTS_END)


@pytest.fixture(scope="module")
async def session(insights_db: InsightsDb) -> AsyncIterator[Session]:
    async with trainer_session(insights_db.dsn) as s:
        yield s


def _local_days(first_back: int, last_back: int) -> list[datetime]:
    zone = ZoneInfo(TIMEZONE)
    return [
        datetime.combine((INSIGHTS_END - timedelta(days=d)).astimezone(zone).date(), time(), zone)
        for d in range(first_back, last_back, -1)
    ]


async def _csat_on(conn: asyncpg.Connection, day: datetime) -> float:
    end = datetime.combine(day.date() + timedelta(days=1), time(), day.tzinfo)
    return float(await conn.fetchval(tq("insights_csat_between"), day, end))


def _check_risk(ev: Evaluation, y: np.ndarray, p: np.ndarray) -> None:
    pos, neg = p[y == 1], p[y == 0]
    pairs = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    assert ev.n == len(y) and ev.positives == int(y.sum())
    assert ev.auc == pytest.approx(pairs / (len(pos) * len(neg)), rel=1e-12)
    assert ev.brier == pytest.approx(np.mean((p - y) ** 2), rel=1e-12)
    assert ev.base_rate_brier == pytest.approx(np.mean((y.mean() - y) ** 2), rel=1e-12)
    assert len(ev.calibration) == 10
    for k, b in enumerate(ev.calibration):
        inside = (p >= k / 10) & (p < (k + 1) / 10) if k < 9 else p >= 0.9
        assert (b.low, b.high, b.n) == (
            pytest.approx(k / 10),
            pytest.approx((k + 1) / 10),
            int(inside.sum()),
        )
        if not inside.any():
            assert b.observed is None and b.mean_predicted is None
            continue
        hits = int(y[inside].sum())
        lo, hi = proportion_confint(hits, int(inside.sum()), alpha=0.05, method="wilson")
        assert b.mean_predicted == pytest.approx(p[inside].mean(), rel=1e-9)
        assert b.observed == pytest.approx(hits / inside.sum(), rel=1e-9)
        assert (b.observed_low, b.observed_high) == pytest.approx((lo, hi), rel=1e-9, abs=1e-12)
    assert sum(b.n > 0 for b in ev.calibration) >= 5


async def test_csat_and_satisfaction_risk_by_hand(
    session: Session, insights_db: InsightsDb
) -> None:
    days = _local_days(8, 1)
    predicted = [4.0 + 0.05 * i for i in range(7)]
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        for day, value in zip(days, predicted, strict=True):
            end = datetime.combine(day.date() + timedelta(days=1), time(), day.tzinfo)
            await conn.execute(
                tq("insights_plant_csat_prediction"),
                day, end, value, value - 0.1, value + 0.1, value - 0.3, value + 0.3,
            )  # fmt: skip
        tickets = await conn.fetch(tq("insights_answered_surveys"), INSIGHTS_END)
        probs = [((i * 37) % 100) / 100 + 0.005 for i in range(len(tickets))]
        start = INSIGHTS_END - timedelta(days=50)
        for t, p in zip(tickets, probs, strict=True):
            await conn.execute(
                tq("insights_plant_ticket_risk"), start, start + timedelta(days=1), t["id"], p
            )
        actual = [await _csat_on(conn, d) for d in days]
        history = [await _csat_on(conn, d) for d in _local_days(36, 8)]
    finally:
        await conn.close()
    try:
        found = await prediction_accuracy(
            session, "analyst", "csat", *WINDOW, now=INSIGHTS_END, timezone=TIMEZONE
        )
        (hand,) = [f for f in found if f.model == "hand"]
        a, f = np.array(actual), np.array(predicted)
        q = np.mean(np.abs(np.array(history[7:]) - np.array(history[:-7])))
        assert len(history) == 28 and hand.n == 7 and hand.forecast is not None
        assert hand.forecast.mase == pytest.approx(np.mean(np.abs(a - f)) / q, rel=1e-9)
        assert hand.forecast.wape == pytest.approx(np.abs(a - f).sum() / a.sum(), rel=1e-9)
        assert hand.forecast.coverage80 == pytest.approx(np.mean(np.abs(a - f) <= 0.1 + 1e-12))
        assert hand.forecast.coverage95 == pytest.approx(np.mean(np.abs(a - f) <= 0.3 + 1e-12))
        found = await prediction_accuracy(
            session, "analyst", "satisfaction_risk", *WINDOW, now=INSIGHTS_END, timezone=TIMEZONE
        )
        (hand,) = [f for f in found if f.model == "hand"]
        assert hand.risk is not None and hand.forecast is None
        y = np.array([int(t["low"]) for t in tickets], dtype=np.float64)
        assert 0 < y.sum() < len(y)
        _check_risk(hand.risk, y, np.array(probs))
    finally:
        conn = await asyncpg.connect(insights_db.dsn)
        try:
            await conn.execute(tq("insights_delete_hand_predictions"))
        finally:
            await conn.close()
