"""Vectorised scoring with result objects for the returned page only
(``resolvers/insights_scoring.py``) against an independent full scoring: every feature row
scored by :func:`analytics.risk_model.score`, filtered and sorted in plain Python, every
result built. Read as the trainer reads (an analyst: every row) on the insights database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pytest
from insights_support import INSIGHTS_END, InsightsDb, trainer_session

import sql
from analytics import churn, satisfaction_risk
from analytics.risk_model import score, top_factors
from resolvers.errors import UserInputError
from resolvers.insights_models import CHURN, SATISFACTION_RISK, latest_model
from resolvers.insights_scoring import churn_risk_page, client_risks, ticket_risks
from resolvers.port import Session

AT = INSIGHTS_END


@pytest.fixture(scope="module")
async def session(insights_db: InsightsDb) -> AsyncIterator[Session]:
    async with trainer_session(insights_db.dsn) as s:
        yield s


async def _reference(session: Session) -> list[dict[str, Any]]:
    """Every VIP client scored and explained, by descending probability then id."""
    model = await latest_model(session, CHURN)
    rows = await session.fetch(sql.load("insights_vip_features"), AT, 90, 90, None)
    s = score(model.model, churn.churn_design(rows, 90))
    tops = top_factors(model.model.features, s.contributions, 3)
    out = [
        {"id": r["customer_id"], "tier": r["vip_tier"], "p": p, "lo": lo, "top": top,
         "ltv": float(r["lifetime_value"])}
        for r, p, lo, top in zip(rows, s.probability.tolist(), s.log_odds.tolist(), tops,
                                 strict=True)
    ]  # fmt: skip
    out.sort(key=lambda c: (-c["p"], str(c["id"])))
    return out


@pytest.mark.parametrize(
    ("tiers", "minimum"), [(None, 0.0), (["gold", "diamond"], 0.0), (["platinum"], 0.2)]
)
async def test_churn_pages_match_full_scoring(
    session: Session, tiers: list[str] | None, minimum: float
) -> None:
    expected = [
        c for c in await _reference(session)
        if c["p"] >= minimum and (tiers is None or c["tier"] in tiers)
    ]  # fmt: skip
    assert len(expected) >= 100
    seen: list[Any] = []
    after = None
    while True:  # pages of 97: the last one is partial
        page = await churn_risk_page(
            session, AT, tiers=tiers, min_probability=minimum, first=97, after=after
        )
        assert page.total == len(expected)
        seen += page.nodes
        if not page.has_next:
            break
        after = page.end_cursor
    assert [c.customer_id for c in seen] == [c["id"] for c in expected]
    for got, want in zip(seen, expected, strict=True):
        assert got.risk.probability == pytest.approx(want["p"], abs=1e-12)
        assert got.risk.log_odds == pytest.approx(want["lo"], abs=1e-9)
        assert [f.name for f in got.risk.factors] == [n for n, _ in want["top"]]
        assert [f.contribution for f in got.risk.factors] == pytest.approx(
            [c for _, c in want["top"]], abs=1e-12
        )
        assert got.revenue_at_risk == pytest.approx(want["ltv"] * want["p"])
        assert got.action == churn.recommended_action(want["p"], want["top"])


async def test_churn_cursor_errors(session: Session) -> None:
    for bad in ("not-a-uuid", "00000000-0000-4000-8000-000000000000"):
        with pytest.raises(UserInputError, match="unknown cursor"):
            await churn_risk_page(session, AT, tiers=None, min_probability=0.0, first=10, after=bad)


async def test_batched_client_and_ticket_risks_match(session: Session) -> None:
    reference = await _reference(session)
    ids = [c["id"] for c in reference[::40]]
    got = await client_risks(session, ids, AT)
    by_id = {c["id"]: c for c in reference}
    assert all(g is not None for g in got)
    for g in got:
        assert g is not None
        assert g.risk.probability == pytest.approx(by_id[g.customer_id]["p"], abs=1e-12)
    model = await latest_model(session, SATISFACTION_RISK)
    rows = await session.fetch(sql.load("insights_open_ticket_features"), AT, None)
    s = score(model.model, satisfaction_risk.risk_design(rows))
    picked = list(range(0, len(rows), 17))
    asked = [int(rows[i]["ticket_id"]) for i in picked] + [-1]  # -1: no such ticket
    found = await ticket_risks(session, asked, AT)
    assert found[-1] is None
    table = model.evaluation.calibration
    for i, r in zip(picked, found, strict=False):
        assert r is not None
        assert r.probability == pytest.approx(float(s.probability[i]), abs=1e-12)
        assert r.baseline_log_odds + sum(float(c) for c in s.contributions[i]) == pytest.approx(
            r.log_odds, abs=1e-9
        )
        k = min(int(r.probability * len(table)), len(table) - 1)
        assert r.calibration_observed == table[k].observed
    assert np.all((s.probability > 0) & (s.probability < 1))
