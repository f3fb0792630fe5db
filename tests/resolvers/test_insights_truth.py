"""Insights against the generator's ground truth (synthetic/outcomes.py for CSAT, synthetic/vip.py
for churn) on the insights database (tests/insights_support.py), read as the trainer reads:
an analyst's rights (every row, no personal data)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import pytest
from insights_support import INSIGHTS_END, TIMEZONE, InsightsDb, trainer_session
from sklearn.metrics import roc_auc_score
from testkit import tq

import sql
from analytics import churn
from analytics.risk_model import score
from resolvers.errors import ForbiddenError
from resolvers.insights import drivers_report
from resolvers.insights_models import CHURN, SATISFACTION_RISK, latest_model
from resolvers.port import Session
from resolvers.prediction_accuracy import prediction_accuracy

#: The generator's latent CSAT effects (synthetic/outcomes.py draw_surveys).
TRUE_EFFECTS = {
    "reopened": -0.6,
    "first_response_breached": -0.55,
    "resolution_breached": -0.45,
    "agent_skill": 0.12,
}
#: Factors the generator's CSAT does not depend on, directly or through the ticket's mood.
#: (Not here: first_response_time and category move the mood, which sentiment only partly
#: captures; agent_replies changes the mix of message kinds behind mean sentiment.)
NULL_FACTORS = {"channel", "vip_tier", "agent_tenure", "resolution_time"}


@pytest.fixture(scope="module")
async def session(insights_db: InsightsDb) -> AsyncIterator[Session]:
    async with trainer_session(insights_db.dsn) as s:
        yield s


async def test_drivers_in_the_generators_order_and_sign(session: Session) -> None:
    report = await drivers_report(session, INSIGHTS_END - timedelta(days=180), INSIGHTS_END, None)
    found = {e.factor: e for e in report.overall.effects if e.level is None}
    for factor, truth in TRUE_EFFECTS.items():
        e = found[factor]
        assert e.significant and np.sign(e.effect) == np.sign(truth), factor
        # rounding and clipping at 5 attenuate the latent effect: 60-115% of it
        assert 0.6 * abs(truth) <= abs(e.effect) <= 1.15 * abs(truth), (factor, e.effect)
    # the true order by size (reopened vs first-response breach differ by 0.05 in truth, about
    # one standard error here: the weakest link of this check)
    assert sorted(TRUE_EFFECTS, key=lambda f: -abs(found[f].effect)) == list(TRUE_EFFECTS)
    assert found["sentiment"].significant and found["sentiment"].effect > 0  # the mood
    nulls = [e for e in report.overall.effects if e.factor in NULL_FACTORS]
    assert len(nulls) >= 8
    assert [(e.factor, e.level) for e in nulls if e.significant] == []
    assert report.overall.n > 50_000


async def test_churn_model_card(session: Session) -> None:
    model = await latest_model(session, CHURN)
    ev = model.evaluation
    assert ev.auc is not None and ev.auc >= 0.75, ev.auc
    assert ev.brier < ev.base_rate_brier
    assert ev.n >= 500 and ev.positives >= 100
    # reliability: every bin with 30+ held-out clients has its mean prediction inside the
    # observed rate's 99% Wilson band (the table's 95% band widened by 2.576 / 1.96)
    for b in ev.calibration:
        if b.n >= 30:
            assert b.observed is not None and b.mean_predicted is not None
            assert b.observed_low is not None and b.observed_high is not None
            half = (b.observed_high - b.observed_low) / 2 * 2.576 / 1.96
            assert abs(b.mean_predicted - b.observed) <= half, b
    # the generator's churn rises with breached tickets and low ratings
    coef = dict(zip(model.model.features, model.model.coef, strict=True))
    assert coef["sla_breaches"] > 0 and coef["tickets"] > 0


async def test_contributions_sum_to_the_stored_log_odds(
    session: Session, insights_db: InsightsDb
) -> None:
    model = await latest_model(session, CHURN)
    day = INSIGHTS_END
    rows = await session.fetch(sql.load("insights_vip_features"), day, 90, 90, None)
    s = score(model.model, churn.churn_design(rows, 90))
    assert np.max(np.abs(s.baseline + s.contributions.sum(axis=1) - s.log_odds)) < 1e-9
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        stored = {
            r["customer_id"]: float(r["predicted_value"])
            for r in await conn.fetch(tq("insights_stored_churn_scores"), day)
        }
    finally:
        await conn.close()
    assert len(stored) == len(rows)
    for r, p in zip(rows, s.probability, strict=True):
        assert abs(stored[r["customer_id"]] - p) < 1e-12


async def test_satisfaction_risk_beats_the_base_rate(session: Session) -> None:
    model = await latest_model(session, SATISFACTION_RISK)
    ev = model.evaluation
    assert ev.auc is not None and ev.auc > 0.7
    assert ev.brier < ev.base_rate_brier
    coef = dict(zip(model.model.features, model.model.coef, strict=True))
    # the generator: reopenings and breaches lower the rating, skill raises it
    assert coef["reopened"] > 0 and coef["first_response_breached"] > 0
    assert coef["agent_skill"] < 0


async def test_predict_twice_writes_nothing_twice(insights_db: InsightsDb) -> None:
    first, second = insights_db.first, insights_db.second
    assert first.written == first.scored and all(v > 0 for v in first.written.values())
    assert second.written == {k: 0 for k in first.written}
    assert (second.churn_version, second.risk_version) == (first.churn_version, first.risk_version)
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        counts = {
            r["prediction_type"]: r["n"] for r in await conn.fetch(tq("insights_prediction_counts"))
        }
        models = await conn.fetchval(tq("insights_model_count"))
    finally:
        await conn.close()
    assert counts == first.written and models == 2


async def _tickets_on(conn: asyncpg.Connection, day: datetime) -> float:
    query = tq("insights_tickets_created_between")
    return float(await conn.fetchval(query, day, day + timedelta(days=1)))


async def test_prediction_accuracy_by_hand(session: Session, insights_db: InsightsDb) -> None:
    """Stored rows written here (model 'hand'), judged by predictionAccuracy and by hand."""
    zone = ZoneInfo(TIMEZONE)
    days = [
        datetime.combine((INSIGHTS_END - timedelta(days=d)).astimezone(zone).date(), time(), zone)
        for d in range(8, 1, -1)
    ]
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        predicted = [1000.0 + 10 * i for i in range(7)]
        for day, value in zip(days, predicted, strict=True):
            await conn.execute(
                tq("insights_plant_volume_prediction"),
                day, day + timedelta(days=1), value, value * 0.9, value * 1.1,
            )  # fmt: skip
        start = INSIGHTS_END - timedelta(days=95)
        vips = await conn.fetch(
            tq("insights_vip_churn_outcomes"), start, start + timedelta(days=90)
        )
        probs = [((i * 37) % 100) / 100 for i in range(len(vips))]
        for v, p in zip(vips, probs, strict=True):
            await conn.execute(
                tq("insights_plant_churn_prediction"),
                start, start + timedelta(days=90), v["id"], p,
            )  # fmt: skip
        actual = [await _tickets_on(conn, d) for d in days]
        earlier = [
            datetime.combine(days[0].date() - timedelta(days=k), time(), zone)
            for k in range(28, 0, -1)
        ]
        history = [await _tickets_on(conn, d) for d in earlier]
    finally:
        await conn.close()
    window = (INSIGHTS_END - timedelta(days=120), INSIGHTS_END)
    found = await prediction_accuracy(
        session, "analyst", "volume", *window, now=INSIGHTS_END, timezone=TIMEZONE
    )
    (hand,) = [f for f in found if f.model == "hand"]
    a, f = np.array(actual), np.array(predicted)
    q = np.mean(np.abs(np.array(history[7:]) - np.array(history[:-7])))
    assert hand.n == 7 and hand.forecast is not None
    assert hand.forecast.mase == pytest.approx(np.mean(np.abs(a - f)) / q, rel=1e-9)
    assert hand.forecast.wape == pytest.approx(np.abs(a - f).sum() / a.sum(), rel=1e-9)
    inside = np.mean((a >= 0.9 * f) & (a <= 1.1 * f))
    assert hand.forecast.coverage80 == pytest.approx(inside) and hand.forecast.coverage95 is None
    found = await prediction_accuracy(
        session, "analyst", "churn_risk", *window, now=INSIGHTS_END, timezone=TIMEZONE
    )
    (hand,) = [f for f in found if f.model == "hand"]
    y = np.array([int(v["churned"]) for v in vips])
    assert hand.risk is not None and hand.n == len(vips)
    assert hand.risk.auc == pytest.approx(roc_auc_score(y, probs), rel=1e-12)
    assert hand.risk.brier == pytest.approx(np.mean((np.array(probs) - y) ** 2), rel=1e-12)
    with pytest.raises(ForbiddenError, match="analysts only"):
        await prediction_accuracy(
            session, "agent", "volume", *window, now=INSIGHTS_END, timezone=TIMEZONE
        )
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        await conn.execute(tq("insights_delete_hand_predictions"))
    finally:
        await conn.close()
