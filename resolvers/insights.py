"""Predictive insights on the graph: satisfaction drivers and forecast, the model cards, and
the fields' entry points (each takes the request context: ``schema/insights*.py`` calls one of
them per field) for the risk scores of :mod:`resolvers.insights_scoring` and the accuracy of
:mod:`resolvers.prediction_accuracy`.

Everything is read under the caller's row level security (``analytics.insight_*`` feature
functions are security invoker): drivers and forecasts use the surveys the caller may see.
Fitting the drivers' models runs on the offload pool, off the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID

import pandas as pd  # type: ignore[import-untyped]

import sql
from analytics.drivers import DriversResult, driver_frame, satisfaction_drivers
from analytics.satisfaction_risk import CsatForecast, forecast_daily_csat
from resolvers import insights_scoring, prediction_accuracy
from resolvers.buckets import Granularity
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.insights_models import CHURN, SATISFACTION_RISK, StoredModel, latest_model
from resolvers.insights_scoring import ClientRisk, ClientRiskPage, RiskScoreResult, Upsell
from resolvers.kpi_series import series
from resolvers.offload import run_cpu
from resolvers.planning import future_buckets, history_buckets
from resolvers.port import Row, Session
from resolvers.windows import require_aware, validate_window

MIN_GROUP_SURVEYS = 100


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
    rows: Sequence[Row], group_by: DriverGrouping | None
) -> tuple[DriversResult, list[DriverGroup]]:
    """The drivers of the rows (and of each group): the whole analysis, frame included, on the
    CPU pool (the frame of 66k surveys alone took 0.2 s)."""
    frame = driver_frame(rows)
    keys = None
    if group_by is DriverGrouping.TEAM:
        keys = pd.Series([str(r["team_id"]) for r in rows], index=frame.index)
    elif group_by is not None:
        keys = frame[group_by.value]
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
    try:
        overall, groups = await run_cpu(_drivers, rows, group_by)
    except ValueError as exc:
        raise UserInputError(f"cannot analyse satisfaction drivers here: {exc}") from exc
    return DriversReport(start, end, overall, tuple(groups))


async def churn_model_card(ctx: RequestContext) -> StoredModel:
    """``churnModel``: the latest churn model."""
    return await latest_model(ctx.session, CHURN)


async def satisfaction_model_card(ctx: RequestContext) -> StoredModel:
    """``satisfactionRiskModel``: the latest low-satisfaction model."""
    return await latest_model(ctx.session, SATISFACTION_RISK)


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
    if not 14 <= history_days <= 365:
        raise UserInputError("historyDays must be between 14 and 365", field="historyDays")
    if not 1 <= horizon <= 14:
        raise UserInputError("horizonDays must be between 1 and 14", field="horizonDays")
    require_aware(as_of, "asOf")
    history = history_buckets(as_of, Granularity.DAY, timezone, history_days)
    start, end = history[0].start, history[-1].end
    points = await series(session, "csat", start, end, Granularity.DAY, timezone)
    means = [p.value if p.n else None for p in points]
    try:
        fc: CsatForecast = await run_cpu(forecast_daily_csat, means, horizon)
    except ValueError as exc:
        raise UserInputError(f"cannot forecast CSAT from this history: {exc}") from exc
    future = future_buckets(end, Granularity.DAY, timezone, horizon)
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


# ------------------------------------------------------------------------------------------
# the fields' entry points
# ------------------------------------------------------------------------------------------


async def drivers(
    ctx: RequestContext, start: datetime, end: datetime, group_by: DriverGrouping | None
) -> DriversReport:
    """``satisfactionDrivers``."""
    return await drivers_report(ctx.session, start, end, group_by)


async def csat_forecast(
    ctx: RequestContext,
    *,
    timezone: str | None,
    as_of: datetime | None,
    history_days: int,
    horizon: int,
) -> SatisfactionForecastResult:
    """``satisfactionForecast`` (default: the organisation's time zone, the request's now)."""
    return await satisfaction_forecast(
        ctx.session,
        timezone=timezone or ctx.org_timezone,
        as_of=as_of or ctx.now,
        history_days=history_days,
        horizon=horizon,
    )


async def churn_risk(
    ctx: RequestContext,
    *,
    tiers: list[str] | None,
    min_probability: float,
    first: int,
    after: str | None,
) -> ClientRiskPage:
    """``churnRisk``."""
    return await insights_scoring.churn_risk_page(
        ctx.session,
        ctx.now,
        tiers=tiers,
        min_probability=min_probability,
        first=first,
        after=after,
    )


async def upsell(ctx: RequestContext, first: int) -> list[Upsell]:
    """``upsellCandidates``."""
    return await insights_scoring.upsell_list(ctx.session, ctx.now, first)


async def ticket_satisfaction_risk(ctx: RequestContext, ticket_id: int) -> RiskScoreResult | None:
    """``Ticket.satisfactionRisk`` (batched per request)."""
    loader = insights_scoring.ticket_risk_loader(ctx.loaders, ctx.session, ctx.now)
    found: RiskScoreResult | None = await loader.load(ticket_id)
    return found


async def customer_churn_risk(ctx: RequestContext, customer_id: UUID) -> ClientRisk | None:
    """``Customer.churnRisk`` (batched per request)."""
    loader = insights_scoring.client_risk_loader(ctx.loaders, ctx.session, ctx.now)
    found: ClientRisk | None = await loader.load(customer_id)
    return found


async def accuracy(
    ctx: RequestContext, prediction_type: str, start: datetime, end: datetime
) -> list[prediction_accuracy.ModelAccuracy]:
    """``predictionAccuracy``."""
    return await prediction_accuracy.prediction_accuracy(
        ctx.session,
        ctx.viewer.app_role,
        prediction_type,
        start,
        end,
        now=ctx.now,
        timezone=ctx.org_timezone,
    )
