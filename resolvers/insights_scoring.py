"""Risk scores of tickets and VIP clients under the caller's rights: low-satisfaction risk of
open tickets, churn risk of VIP clients, the churn-risk page and upsell candidates.

Scores are computed only for the tickets and clients the caller may see, from the rows they may
see (``analytics.insight_*`` feature functions are security invoker, so an agent's view of a
client's risk rests on that agent's tickets). The models applied are the organisation's stored
versions (:mod:`resolvers.insights_models`), trained on every row by the trainer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import numpy as np

import sql
from analytics import churn, satisfaction_risk
from analytics.risk_model import score, top_factors
from resolvers.errors import UserInputError
from resolvers.insights_models import (
    CHURN,
    CHURN_HORIZON_DAYS,
    CHURN_LOOKBACK_DAYS,
    SATISFACTION_RISK,
    StoredModel,
    latest_model,
)
from resolvers.loaders import DataLoader, Loaders
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.port import Row, Session

TOP_FACTORS = 3


@dataclass(frozen=True, slots=True)
class Factor:
    name: str
    contribution: float


@dataclass(frozen=True, slots=True)
class RiskScoreResult:
    probability: float
    log_odds: float
    baseline_log_odds: float
    factors: tuple[Factor, ...]
    model_version: int
    calibration_low: float | None
    calibration_high: float | None
    calibration_observed: float | None


@dataclass(frozen=True, slots=True)
class ClientRisk:
    customer_id: UUID
    vip_tier: str
    lifetime_value: float
    revenue_at_risk: float
    action: str
    risk: RiskScoreResult


def _scores(model: StoredModel, x: np.ndarray) -> list[RiskScoreResult]:
    s = score(model.model, x)
    tops = top_factors(model.model.features, s.contributions, TOP_FACTORS)
    table = model.evaluation.calibration
    bins = np.minimum((s.probability * max(len(table), 1)).astype(np.int64), len(table) - 1)
    out = []
    # plain floats and ints: iterating numpy arrays element by element is several times slower
    for p, lo, top, k in zip(
        s.probability.tolist(), s.log_odds.tolist(), tops, bins.tolist(), strict=True
    ):
        b = table[k] if table else None
        out.append(
            RiskScoreResult(
                probability=p,
                log_odds=lo,
                baseline_log_odds=s.baseline,
                factors=tuple(Factor(n, c) for n, c in top),
                model_version=model.version,
                calibration_low=b.observed_low if b else None,
                calibration_high=b.observed_high if b else None,
                calibration_observed=b.observed if b else None,
            )
        )
    return out


async def ticket_risks(
    session: Session, ticket_ids: Sequence[int], as_of: datetime
) -> list[RiskScoreResult | None]:
    """Low-satisfaction risk of each ticket (None when closed, not visible or not profiled)."""
    model = await latest_model(session, SATISFACTION_RISK)
    rows = await session.fetch(sql.load("insights_open_ticket_features"), as_of, list(ticket_ids))
    found = dict(
        zip(
            [int(r["ticket_id"]) for r in rows],
            _scores(model, satisfaction_risk.risk_design(rows)),
            strict=True,
        )
    )
    return [found.get(int(t)) for t in ticket_ids]


async def open_ticket_risks(
    session: Session, as_of: datetime, model: StoredModel | None = None
) -> list[tuple[int, RiskScoreResult]]:
    """Every open ticket the caller may see, scored by ``model`` (default the latest; the bench
    and ``predict`` use this)."""
    model = model or await latest_model(session, SATISFACTION_RISK)
    rows = await session.fetch(sql.load("insights_open_ticket_features"), as_of, None)
    scores = _scores(model, satisfaction_risk.risk_design(rows))
    return [(int(r["ticket_id"]), s) for r, s in zip(rows, scores, strict=True)]


def _client_risks(model: StoredModel, rows: Sequence[Row]) -> list[ClientRisk]:
    scores = _scores(model, churn.churn_design(rows, CHURN_LOOKBACK_DAYS))
    out = []
    for r, s in zip(rows, scores, strict=True):
        ltv = float(r["lifetime_value"])
        factors = [(f.name, f.contribution) for f in s.factors]
        out.append(
            ClientRisk(
                customer_id=r["customer_id"],
                vip_tier=r["vip_tier"],
                lifetime_value=ltv,
                revenue_at_risk=ltv * s.probability,
                action=churn.recommended_action(s.probability, factors),
                risk=s,
            )
        )
    return out


async def _vip_rows(session: Session, as_of: datetime, ids: list[UUID] | None) -> Sequence[Row]:
    return await session.fetch(
        sql.load("insights_vip_features"), as_of, CHURN_LOOKBACK_DAYS, CHURN_HORIZON_DAYS, ids
    )


async def all_client_risks(
    session: Session, as_of: datetime, model: StoredModel | None = None
) -> list[ClientRisk]:
    """Every active VIP client the caller may see, scored by ``model`` (default the latest),
    highest probability first."""
    model = model or await latest_model(session, CHURN)
    risks = _client_risks(model, await _vip_rows(session, as_of, None))
    risks.sort(key=lambda c: (-c.risk.probability, str(c.customer_id)))
    return risks


async def client_risks(
    session: Session, customer_ids: Sequence[UUID], as_of: datetime
) -> list[ClientRisk | None]:
    """Churn risk of each client (None when not an active VIP, not visible or not profiled)."""
    model = await latest_model(session, CHURN)
    rows = await _vip_rows(session, as_of, list(customer_ids))
    found = {c.customer_id: c for c in _client_risks(model, rows)}
    return [found.get(c) for c in customer_ids]


@dataclass(frozen=True, slots=True)
class ClientRiskPage:
    total: int
    nodes: tuple[ClientRisk, ...]
    has_next: bool
    end_cursor: str | None


async def churn_risk_page(
    session: Session,
    as_of: datetime,
    *,
    tiers: Sequence[str] | None,
    min_probability: float,
    first: int,
    after: str | None,
) -> ClientRiskPage:
    """Clients by descending churn probability; ``after`` is the last client id of the previous
    page (opaque to callers)."""
    if not 0.0 <= min_probability <= 1.0:
        raise UserInputError("minProbability must be in [0, 1]", field="minProbability")
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise UserInputError(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    risks = [
        c
        for c in await all_client_risks(session, as_of)
        if c.risk.probability >= min_probability and (not tiers or c.vip_tier in tiers)
    ]
    start = 0
    if after is not None:
        ids = [str(c.customer_id) for c in risks]
        if after not in ids:
            raise UserInputError(
                "unknown cursor 'after' (scores change: start again)", field="after"
            )
        start = ids.index(after) + 1
    page = risks[start : start + first]
    return ClientRiskPage(
        total=len(risks),
        nodes=tuple(page),
        has_next=start + first < len(risks),
        end_cursor=str(page[-1].customer_id) if page else None,
    )


@dataclass(frozen=True, slots=True)
class Upsell:
    client: ClientRisk
    next_tier: str
    score: float
    reason: str


async def upsell_list(session: Session, as_of: datetime, first: int) -> list[Upsell]:
    """The upsell rule of :mod:`analytics.churn` over the clients the caller may see."""
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise UserInputError(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    model = await latest_model(session, CHURN)
    rows = await _vip_rows(session, as_of, None)
    risks = _client_risks(model, rows)
    found = churn.upsell_candidates(rows, [c.risk.probability for c in risks])
    return [Upsell(risks[c.index], c.next_tier, c.score, c.reason) for c in found[:first]]


def ticket_risk_loader(loaders: Loaders, session: Session, as_of: datetime) -> DataLoader:
    """Batches ``Ticket.satisfactionRisk`` of one request: one statement per batch."""

    def factory() -> Callable[[list[int]], Awaitable[list[RiskScoreResult | None]]]:
        async def batch(keys: list[int]) -> list[RiskScoreResult | None]:
            return await ticket_risks(session, keys, as_of)

        return batch

    return loaders.keyed(("insights_ticket_risk", as_of), factory)


def client_risk_loader(loaders: Loaders, session: Session, as_of: datetime) -> DataLoader:
    """Batches ``Customer.churnRisk`` of one request: one statement per batch."""

    def factory() -> Callable[[list[UUID]], Awaitable[list[ClientRisk | None]]]:
        async def batch(keys: list[UUID]) -> list[ClientRisk | None]:
            return await client_risks(session, keys, as_of)

        return batch

    return loaders.keyed(("insights_client_risk", as_of), factory)
