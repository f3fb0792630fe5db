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
import numpy.typing as npt

import sql
from analytics import churn, satisfaction_risk
from analytics.risk_model import FloatArray, Scores, score, top_factors
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


@dataclass(frozen=True, slots=True)
class ScoredRows:
    """Feature rows scored at once (vectorised): probabilities and contributions of every row;
    the result objects (factors, calibration bin) are built only for the rows returned
    (:meth:`result`)."""

    model: StoredModel
    rows: Sequence[Row]
    scores: Scores

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def probability(self) -> FloatArray:
        return self.scores.probability

    def result(self, i: int) -> RiskScoreResult:
        """Row ``i``'s score with its top factors and calibration bin."""
        s, table = self.scores, self.model.evaluation.calibration
        p = float(s.probability[i])
        top = top_factors(self.model.model.features, s.contributions[i : i + 1], TOP_FACTORS)[0]
        b = table[min(int(p * len(table)), len(table) - 1)] if table else None
        return RiskScoreResult(
            probability=p,
            log_odds=float(s.log_odds[i]),
            baseline_log_odds=s.baseline,
            factors=tuple(Factor(n, c) for n, c in top),
            model_version=self.model.version,
            calibration_low=b.observed_low if b else None,
            calibration_high=b.observed_high if b else None,
            calibration_observed=b.observed if b else None,
        )


async def score_tickets(
    session: Session,
    as_of: datetime,
    model: StoredModel | None = None,
    ids: Sequence[int] | None = None,
) -> ScoredRows:
    """The open tickets the caller may see (all, or ``ids``) scored by ``model`` (default the
    latest low-satisfaction model)."""
    model = model or await latest_model(session, SATISFACTION_RISK)
    keys = None if ids is None else list(ids)
    rows = await session.fetch(sql.load("insights_open_ticket_features"), as_of, keys)
    return ScoredRows(model, rows, score(model.model, satisfaction_risk.risk_design(rows)))


async def ticket_risks(
    session: Session, ticket_ids: Sequence[int], as_of: datetime
) -> list[RiskScoreResult | None]:
    """Low-satisfaction risk of each ticket (None when closed, not visible or not profiled)."""
    scored = await score_tickets(session, as_of, ids=ticket_ids)
    index = {int(r["ticket_id"]): i for i, r in enumerate(scored.rows)}
    return [scored.result(index[int(t)]) if int(t) in index else None for t in ticket_ids]


async def score_clients(
    session: Session,
    as_of: datetime,
    model: StoredModel | None = None,
    ids: Sequence[UUID] | None = None,
    features: str = "insights_vip_features",
) -> ScoredRows:
    """The active VIP clients the caller may see (all, or ``ids``) scored by ``model`` (default
    the latest churn model); ``features`` names the query of their rows."""
    model = model or await latest_model(session, CHURN)
    keys = None if ids is None else list(ids)
    rows = await session.fetch(
        sql.load(features), as_of, CHURN_LOOKBACK_DAYS, CHURN_HORIZON_DAYS, keys
    )
    x = churn.churn_design(rows, CHURN_LOOKBACK_DAYS)
    return ScoredRows(model, rows, score(model.model, x))


def client_risk(scored: ScoredRows, i: int) -> ClientRisk:
    """Row ``i`` of scored VIP features as a client's risk (revenue at risk, action)."""
    r, s = scored.rows[i], scored.result(i)
    ltv = float(r["lifetime_value"])
    return ClientRisk(
        customer_id=r["customer_id"],
        vip_tier=r["vip_tier"],
        lifetime_value=ltv,
        revenue_at_risk=ltv * s.probability,
        action=churn.recommended_action(
            s.probability, [(f.name, f.contribution) for f in s.factors]
        ),
        risk=s,
    )


def _id_bytes(scored: ScoredRows) -> npt.NDArray[np.bytes_]:
    return np.array([r["customer_id"].bytes for r in scored.rows], dtype="S16")


def ranking(scored: ScoredRows) -> npt.NDArray[np.int64]:
    """Row indices by descending probability, ties by ascending client id (byte order of a UUID
    is the order of its text)."""
    order: npt.NDArray[np.int64] = np.lexsort((_id_bytes(scored), -scored.probability))
    return order


async def client_risks(
    session: Session, customer_ids: Sequence[UUID], as_of: datetime
) -> list[ClientRisk | None]:
    """Churn risk of each client (None when not an active VIP, not visible or not profiled)."""
    scored = await score_clients(session, as_of, ids=customer_ids)
    index = {r["customer_id"]: i for i, r in enumerate(scored.rows)}
    return [client_risk(scored, index[c]) if c in index else None for c in customer_ids]


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
    scored = await score_clients(session, as_of)
    order = ranking(scored)
    keep = scored.probability[order] >= min_probability
    if tiers:
        tier = np.array([str(r["vip_tier"]) for r in scored.rows], dtype=object)
        keep &= np.isin(tier[order], list(tiers))
    order = order[keep]
    start = 0
    if after is not None:
        at = np.nonzero(_id_bytes(scored)[order] == _cursor_bytes(after))[0]
        if not len(at):
            raise UserInputError(
                "unknown cursor 'after' (scores change: start again)", field="after"
            )
        start = int(at[0]) + 1
    page = tuple(client_risk(scored, int(i)) for i in order[start : start + first])
    return ClientRiskPage(
        total=len(order),
        nodes=page,
        has_next=start + first < len(order),
        end_cursor=str(page[-1].customer_id) if page else None,
    )


def _cursor_bytes(after: str) -> bytes:
    try:
        return UUID(after).bytes
    except ValueError:
        raise UserInputError(
            "unknown cursor 'after' (scores change: start again)", field="after"
        ) from None


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
    # clients refusing marketing are left out by the query (churn's own check is a second one)
    scored = await score_clients(session, as_of, features="insights_upsell_features")
    found = churn.upsell_candidates(scored.rows, scored.probability.tolist())
    return [
        Upsell(client_risk(scored, c.index), c.next_tier, c.score, c.reason) for c in found[:first]
    ]


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
