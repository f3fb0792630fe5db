"""Predictive insights on the graph: satisfaction drivers, risk and forecast; VIP churn risk,
the churn model card and upsell candidates.

Everything is read under the caller's row level security (``analytics.insight_*`` feature
functions are security invoker): drivers and forecasts use the surveys the caller may see, and
scores are computed only for the tickets and clients the caller may see, from the rows they may
see (so an agent's view of a client's risk rests on that agent's tickets). The models applied
are the organisation's stored versions (:mod:`resolvers.insights_models`), trained on every row
by the trainer. Fitting the drivers' models runs in a worker thread, off the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

import sql
from analytics import churn, satisfaction_risk
from analytics.drivers import DriversResult, driver_frame, satisfaction_drivers
from analytics.risk_model import score, top_factors
from analytics.satisfaction_risk import CsatForecast, forecast_daily_csat
from resolvers.buckets import Granularity
from resolvers.errors import UserInputError
from resolvers.insights_models import (
    CHURN,
    CHURN_HORIZON_DAYS,
    CHURN_LOOKBACK_DAYS,
    SATISFACTION_RISK,
    StoredModel,
    latest_model,
)
from resolvers.kpi_series import series
from resolvers.loaders import DataLoader, Loaders
from resolvers.offload import run_cpu
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.port import Row, Session
from resolvers.windows import require_aware, validate_window

MIN_GROUP_SURVEYS = 100
TOP_FACTORS = 3


class DriverGrouping(Enum):
    CHANNEL = "channel"
    CATEGORY = "category"
    VIP_TIER = "vip_tier"
    TEAM = "team"


@dataclass(frozen=True, slots=True)
class DriverGroup:
    key: str
    result: DriversResult


@dataclass(frozen=True, slots=True)
class DriversReport:
    window_from: datetime
    window_to: datetime
    overall: DriversResult
    groups: tuple[DriverGroup, ...]


def _drivers(
    frame: pd.DataFrame, keys: pd.Series | None
) -> tuple[DriversResult, list[DriverGroup]]:
    overall = satisfaction_drivers(frame)
    groups: list[DriverGroup] = []
    if keys is not None:
        for key in sorted(keys.dropna().unique(), key=str):
            part = frame[keys == key]
            if len(part) >= MIN_GROUP_SURVEYS:
                groups.append(DriverGroup(str(key), satisfaction_drivers(part)))
    return overall, groups


async def drivers_report(
    session: Session, start: datetime, end: datetime, group_by: DriverGrouping | None
) -> DriversReport:
    """What moves CSAT over the surveys sent in ``[start, end)`` that the caller may see, for
    everyone and (with ``group_by``) per group of at least :data:`MIN_GROUP_SURVEYS` surveys."""
    validate_window(start, end)
    rows = await session.fetch(sql.load("insights_survey_features"), start, end)
    raw = [dict(r) for r in rows]
    frame = driver_frame(raw)
    keys = None
    if group_by is DriverGrouping.TEAM:
        keys = pd.Series([str(r["team_id"]) for r in raw], index=frame.index)
    elif group_by is not None:
        keys = frame[group_by.value]
    try:
        overall, groups = await run_cpu(_drivers, frame, keys)
    except ValueError as exc:
        raise UserInputError(f"cannot analyse satisfaction drivers here: {exc}") from exc
    return DriversReport(start, end, overall, tuple(groups))


# ------------------------------------------------------------------------------------------
# risk scores (tickets and clients)
# ------------------------------------------------------------------------------------------


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


async def churn_model_card(session: Session) -> StoredModel:
    return await latest_model(session, CHURN)


async def satisfaction_model_card(session: Session) -> StoredModel:
    return await latest_model(session, SATISFACTION_RISK)


# ------------------------------------------------------------------------------------------
# CSAT forecast
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsatForecastDayResult:
    start: datetime
    end: datetime
    local_label: str
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True, slots=True)
class SatisfactionForecastResult:
    method: str
    timezone: str
    history_from: datetime
    history_to: datetime
    days: tuple[CsatForecastDayResult, ...]


async def satisfaction_forecast(
    session: Session, *, timezone: str, as_of: datetime, history_days: int = 56, horizon: int = 7
) -> SatisfactionForecastResult:
    """Daily mean CSAT (surveys the caller may see) for ``horizon`` local days after the day
    holding ``as_of``, from ``history_days`` whole days before it."""
    from resolvers.planning import _future, _history_buckets

    if not 14 <= history_days <= 365:
        raise UserInputError("historyDays must be between 14 and 365", field="historyDays")
    if not 1 <= horizon <= 14:
        raise UserInputError("horizonDays must be between 1 and 14", field="horizonDays")
    require_aware(as_of, "asOf")
    history = _history_buckets(as_of, Granularity.DAY, timezone, history_days)
    start, end = history[0].start, history[-1].end
    points = await series(session, "csat", start, end, Granularity.DAY, timezone)
    means = [p.value if p.n else None for p in points]
    try:
        fc: CsatForecast = await run_cpu(forecast_daily_csat, means, horizon)
    except ValueError as exc:
        raise UserInputError(f"cannot forecast CSAT from this history: {exc}") from exc
    future = _future(end, Granularity.DAY, timezone, horizon)
    days = tuple(
        CsatForecastDayResult(
            b.start,
            b.end,
            b.local_start.date().isoformat(),
            d.mean,
            d.lo80,
            d.hi80,
            d.lo95,
            d.hi95,
        )
        for b, d in zip(future, fc.days, strict=True)
    )
    return SatisfactionForecastResult(fc.method, timezone, start, end, days)


def horizon_end(as_of: datetime) -> datetime:
    return as_of + timedelta(days=CHURN_HORIZON_DAYS)


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
