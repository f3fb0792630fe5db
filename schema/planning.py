"""Planning: ticket volume forecasts and queue staffing plans (``resolvers.planning``)."""

from __future__ import annotations

import math
from datetime import datetime

import strawberry

from analytics.erlang import StaffingRequirement
from analytics.forecasting import Backtest
from resolvers import planning, staffing, statistics_forecast
from resolvers.buckets import ForecastGranularity, Granularity
from schema.common import Channel, Info
from schema.operations import Queue
from schema.statistics_types import ForecastModel

strawberry.enum(ForecastGranularity, description="Bucket size of a forecast.")


@strawberry.type(description="One future bucket: the forecast and its prediction intervals.")
class ForecastBucket:
    bucket_start: datetime
    bucket_end: datetime
    local_label: str = strawberry.field(description="The bucket in the forecast's time zone.")
    mean: float = strawberry.field(description="Point forecast.")
    lo80: float
    hi80: float
    lo95: float
    hi95: float

    @classmethod
    def of(cls, b: statistics_forecast.ForecastBucketResult) -> ForecastBucket:
        return cls(
            bucket_start=b.start,
            bucket_end=b.end,
            local_label=b.local_label,
            mean=b.mean,
            lo80=b.lo80,
            hi80=b.hi80,
            lo95=b.lo95,
            hi95=b.hi95,
        )


@strawberry.type(description="Rolling-origin backtest of the forecasting model on the history.")
class ForecastBacktest:
    origins: int
    horizon: int
    mase: float | None = strawberry.field(
        description="Mean absolute error scaled by the in-sample MAE of the weekly seasonal-naive "
        "forecast (Hyndman & Koehler 2006); null when the history never changes week to week."
    )
    naive_mase: float | None = strawberry.field(
        description="The same score for the seasonal-naive forecast on the same windows."
    )
    coverage80: float = strawberry.field(description="Share of actuals inside the 80% interval.")
    coverage95: float = strawberry.field(description="Share of actuals inside the 95% interval.")


@strawberry.type(description="Tickets created per future bucket, with prediction intervals.")
class VolumeForecast:
    granularity: ForecastGranularity
    timezone: str
    history_from: datetime
    history_to: datetime
    history_total: int = strawberry.field(description="Tickets in the history the model saw.")
    method: str = strawberry.field(description="The model chosen by backtest, in words.")
    channel: Channel | None
    model: ForecastModel = strawberry.field(
        description="The model chosen by rolling-origin backtest among seasonal naive, ETS "
        "with and without (damped) trend and, hourly, MSTL; never worse than seasonal naive."
    )
    buckets: list[ForecastBucket]
    backtest: ForecastBacktest | None


@strawberry.type(description="An Erlang C requirement for one hour.")
class StaffingNeed:
    agents: int = strawberry.field(description="Agents on the queue (smallest meeting targets).")
    rostered: int = strawberry.field(description="Agents to roster, covering shrinkage.")
    service_level: float
    asa_seconds: float = strawberry.field(description="Average speed of answer.")
    occupancy: float
    traffic_erlangs: float


@strawberry.type(description="One forecast hour of a queue and the staff it needs.")
class StaffingHour:
    forecast: ForecastBucket
    need: StaffingNeed = strawberry.field(description="For the point forecast.")
    need_high: StaffingNeed = strawberry.field(
        description="For the upper bound of the 80% interval."
    )


@strawberry.type(description="Agents needed per hour on a queue, from its forecast contacts.")
class StaffingPlan:
    queue: Queue
    timezone: str
    history_from: datetime
    history_to: datetime
    aht_seconds: float
    answer_seconds: int
    service_level_target: float
    max_occupancy: float
    shrinkage: float
    concurrency: float
    method: str = strawberry.field(description="The model of the offered contacts, in words.")
    model: ForecastModel = strawberry.field(
        description="The model of this queue's offered contacts, chosen by the rolling-origin "
        "backtest of volumeForecast (never worse than seasonal naive on it)."
    )
    hours: list[StaffingHour]


def _need(r: StaffingRequirement) -> StaffingNeed:
    return StaffingNeed(
        agents=r.agents,
        rostered=r.rostered,
        service_level=r.service_level,
        asa_seconds=r.asa,
        occupancy=r.occupancy,
        traffic_erlangs=r.traffic,
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _backtest(score: Backtest | None) -> ForecastBacktest | None:
    if score is None:
        return None
    return ForecastBacktest(
        origins=score.origins,
        horizon=score.horizon,
        mase=_finite(score.mase),
        naive_mase=_finite(score.naive_mase),
        coverage80=score.coverage80,
        coverage95=score.coverage95,
    )


@strawberry.type
class PlanningQuery:
    @strawberry.field(
        description="Tickets created per hour or day for the next horizonDays after asOf "
        "(default now), of one channel when given, forecast from historyDays of history you "
        "may see by the model that won its rolling-origin backtest (holiday effects from the "
        "business calendars), with 80%/95% prediction intervals; backtest: true adds the "
        "chosen model's scores in the original shape."
    )
    async def volume_forecast(
        self,
        info: Info,
        granularity: ForecastGranularity = ForecastGranularity.DAY,
        timezone: str | None = None,
        as_of: datetime | None = None,
        history_days: int = 42,
        horizon_days: int = 7,
        backtest: bool = False,
        channel: Channel | None = None,
    ) -> VolumeForecast:
        result = await planning.volume_forecast(
            info.context,
            granularity=Granularity(granularity.value),
            timezone=timezone or info.context.org_timezone,
            as_of=as_of or info.context.now,
            history_days=history_days,
            horizon_days=horizon_days,
            backtest=backtest,
            channel=channel.value if channel else None,
        )
        assert result.chosen is not None
        return VolumeForecast(
            granularity=granularity,
            timezone=result.timezone,
            history_from=result.history_from,
            history_to=result.history_to,
            history_total=result.history_total,
            method=result.method,
            channel=channel,
            model=ForecastModel.of(result.chosen),
            buckets=[ForecastBucket.of(b) for b in result.buckets],
            backtest=_backtest(result.backtest),
        )

    @strawberry.field(
        description="Agents needed per hour on a queue for the next horizonDays after asOf: its "
        "offered contacts forecast from historyDays, then Erlang C for the service-level target "
        "(answerSeconds defaults to the queue's threshold), max occupancy, shrinkage and "
        "concurrency (contacts an agent handles at once, e.g. chats). The forecast model is "
        "chosen per queue by rolling-origin backtest, as volumeForecast's."
    )
    async def staffing_plan(
        self,
        info: Info,
        queue: Queue,
        timezone: str | None = None,
        as_of: datetime | None = None,
        history_days: int = 42,
        horizon_days: int = 7,
        service_level_target: float = 0.8,
        answer_seconds: int | None = None,
        max_occupancy: float = 0.85,
        shrinkage: float = 0.3,
        concurrency: float = 1.0,
    ) -> StaffingPlan:
        plan = await staffing.staffing_plan(
            info.context,
            queue.value,
            timezone=timezone or info.context.org_timezone,
            as_of=as_of or info.context.now,
            history_days=history_days,
            horizon_days=horizon_days,
            target_service_level=service_level_target,
            answer_seconds=answer_seconds,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
            concurrency=concurrency,
        )
        return StaffingPlan(
            queue=queue,
            timezone=plan.timezone,
            history_from=plan.history_from,
            history_to=plan.history_to,
            aht_seconds=plan.aht_seconds,
            answer_seconds=plan.answer_seconds,
            service_level_target=plan.target_service_level,
            max_occupancy=plan.max_occupancy,
            shrinkage=plan.shrinkage,
            concurrency=plan.concurrency,
            method=plan.method,
            model=ForecastModel.of(plan.chosen),
            hours=[
                StaffingHour(
                    forecast=ForecastBucket.of(h.bucket),
                    need=_need(h.need),
                    need_high=_need(h.need_high),
                )
                for h in plan.hours
            ],
        )
