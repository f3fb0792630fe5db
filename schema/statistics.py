"""Statistics on the graph: trend, seasonality, anomalies, correlations, benchmark, root cause
and kpiForecast (``resolvers.statistics``, ``resolvers.statistics_compare``,
``resolvers.statistics_forecast``).

Windows are ``from``/``to`` or a named ``period`` ending now, in ``timezone`` (default the
organisation's). Every result is computed from aggregates read under the caller's row level
security and cached per (rights, arguments, data version) (``resolvers.statistics_data``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from uuid import UUID

import strawberry

from resolvers import (
    statistics,
    statistics_compare,
    statistics_correlations,
    statistics_forecast,
    statistics_privacy,
)
from schema.common import Info, parse_uuid
from schema.kpi_types import KpiGroupBy
from schema.planning import ForecastBucket
from schema.statistics_types import (
    Anomalies,
    Benchmark,
    BenchmarkFigure,
    Correlations,
    DimensionDrivers,
    Driver,
    ForecastModel,
    LaggedCorrelation,
    PeerComparison,
    ProfileValue,
    RootCause,
    SeasonalCycle,
    Seasonality,
    StageBottleneck,
    TrendAnalysis,
    TrendResult,
    anomaly_report,
    correlation_pairs,
)
from schema.window import Granularity, Period, TimeWindow, Window, WindowArg, window_of

T = TypeVar("T")


def _uuid(raw: strawberry.ID | None, name: str) -> UUID | None:
    return parse_uuid(raw, name) if raw is not None else None


def _window(info: Info, window: Window | None, default: Period) -> TimeWindow:
    """The field's window; without one (or with only a time zone) the field's default period."""
    if window is None or (window.start is None and window.end is None and window.period is None):
        zone = window.timezone if window is not None else None
        return window_of(info, None, None, None, default, zone)
    return window_of(info, window, None, None, None, None)


@strawberry.type(description="A KPI's daily forecast with the model chosen by backtest.")
class KpiForecastResult:
    kpi: str
    timezone: str
    history_from: datetime
    history_to: datetime
    observed_days: int
    model: ForecastModel
    buckets: list[ForecastBucket]


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Is a KPI trending? Mann-Kendall (seasonal: per weekday/hour-of-week "
        "position) with Sen's slope per bucket and its 95% CI, and Pettitt's change point "
        "when significant; overall and per groupBy."
    )
    async def trend(
        self,
        info: Info,
        kpi: str,
        granularity: Granularity = Granularity.DAY,
        window: WindowArg = None,
        seasonal: bool = False,
        group_by: KpiGroupBy | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        alpha: float = 0.05,
    ) -> TrendAnalysis:
        w = _window(info, window, Period.LAST_30_DAYS)
        start, end, tz = w.start, w.end, w.timezone
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        group = group_by.value if group_by else None
        r = await statistics_privacy.shown_trend(
            info.context, kpi, start, end, granularity, tz, seasonal=seasonal,
            group_by=group, team_id=team, agent_id=agent, alpha=alpha)  # fmt: skip
        return TrendAnalysis(kpi=r.kpi, method=r.method, seasonal=r.seasonal,
                             overall=TrendResult.of(r.overall),
                             groups=[TrendResult.of(t) for t in r.groups])  # fmt: skip

    @strawberry.field(
        description="Seasonal patterns in local time: the hour-of-week heatmap (7 x 24), the "
        "intraday and weekly profiles with 95% CIs, and the strength of the daily and weekly "
        "cycles from an MSTL decomposition of the hourly series."
    )
    async def seasonality(
        self,
        info: Info,
        kpi: str = "ticket_volume",
        window: WindowArg = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
    ) -> Seasonality:
        w = _window(info, window, Period.LAST_30_DAYS)
        start, end, tz = w.start, w.end, w.timezone
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        r = await statistics.seasonality(
            info.context, kpi, start, end, tz, team_id=team, agent_id=agent)  # fmt: skip
        names = {24: "daily", 168: "weekly"}
        s = r.strength
        return Seasonality(
            kpi=r.kpi, timezone=r.timezone, method=s.method if s else None,
            heatmap=[ProfileValue.of(c, c.key[0], c.key[1]) for c in r.hour_of_week],
            intraday=[ProfileValue.of(c, None, c.key[0]) for c in r.intraday],
            weekly=[ProfileValue.of(c, c.key[0], None) for c in r.weekly],
            components=[SeasonalCycle(name=names.get(c.period, str(c.period)),
                                      period_hours=c.period, strength=c.strength)
                        for c in (s.components if s else ())],
            trend_strength=s.trend_strength if s else None, note=r.note,
        )  # fmt: skip

    @strawberry.field(
        description="Anomalous buckets of a KPI: robust z = 0.6745 (r - median)/MAD of the "
        "residual after removing trend and seasonality (STL), |z| > threshold; each with its "
        "expected value and range. The alerting engine's volume rule uses the same function."
    )
    async def anomalies(
        self,
        info: Info,
        kpi: str,
        granularity: Granularity = Granularity.HOUR,
        window: WindowArg = None,
        group_by: KpiGroupBy | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        threshold: float = 3.5,
    ) -> Anomalies:
        w = _window(info, window, Period.LAST_30_DAYS)
        start, end, tz = w.start, w.end, w.timezone
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        group = group_by.value if group_by else None
        r = await statistics_privacy.shown_anomalies(
            info.context, kpi, start, end, granularity, tz, group_by=group,
            team_id=team, agent_id=agent, threshold=threshold)  # fmt: skip
        return anomaly_report(r)

    @strawberry.field(
        description="Spearman and Pearson correlations between KPI series over the same "
        "buckets (p-values BH-adjusted per matrix, n per pair) and, with maxLag, lagged "
        "Spearman correlations: does first today move second lag buckets later?"
    )
    async def correlations(
        self,
        info: Info,
        kpis: list[str],
        granularity: Granularity = Granularity.DAY,
        window: WindowArg = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        max_lag: int = 0,
    ) -> Correlations:
        w = _window(info, window, Period.LAST_90_DAYS)
        start, end, tz = w.start, w.end, w.timezone
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        r = await statistics_correlations.correlations(
            info.context, kpis, start, end, granularity, tz, team_id=team,
            agent_id=agent, max_lag=max_lag)  # fmt: skip
        return Correlations(kpis=list(r.kpis), buckets=r.buckets,
                            pairs=correlation_pairs(r.spearman, r.pearson),
                            lagged=[LaggedCorrelation.of(p) for p in r.lagged])  # fmt: skip

    @strawberry.field(
        description="An agent against their team's and the organisation's agents, or a team "
        "against the other teams: percentile, difference from the pooled peers with its 95% "
        "CI and Welch's test, per KPI, over the rows you may see."
    )
    async def benchmark(
        self,
        info: Info,
        agent_id: strawberry.ID | None = None,
        team_id: strawberry.ID | None = None,
        window: WindowArg = None,
        kpis: list[str] | None = None,
    ) -> Benchmark:
        w = _window(info, window, Period.LAST_30_DAYS)
        start, end = w.start, w.end
        agent, team = _uuid(agent_id, "agentId"), _uuid(team_id, "teamId")
        r = await statistics_compare.benchmark(
            info.context, start, end, agent_id=agent, team_id=team, kpis=kpis,
            targets=info.context.kpi_targets)  # fmt: skip
        return Benchmark(
            subject=r.subject, subject_id=strawberry.ID(str(r.subject_id)), name=r.name,
            kpis=[BenchmarkFigure(name=k.name, unit=k.unit, value=k.value, n=k.n,
                                  team=PeerComparison.of(k.team) if k.team else None,
                                  organisation=PeerComparison.of(k.organisation))
                  for k in r.kpis],
        )  # fmt: skip

    @strawberry.field(
        description="What explains a KPI's change against the comparison window (default: "
        "the previous window of the same length): per dimension, each segment's mix (share) "
        "and rate (within-segment) effect, adding up exactly to the change; and the lifecycle "
        "stages (first_response, in_progress, pending_customer, on_hold, reopened; pending and "
        "on hold from the tickets' status history) ordered by how much their mean time grew."
    )
    async def root_cause(
        self,
        info: Info,
        kpi: str,
        window: WindowArg = None,
        compare_to: Window | None = None,
        dimensions: list[KpiGroupBy] | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        top: int = 10,
    ) -> RootCause:
        w = _window(info, window, Period.LAST_7_DAYS)
        start, end = w.start, w.end
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        dims = [d.value for d in dimensions] if dimensions else None
        cmp = window_of(info, compare_to, None, None, None, None) if compare_to else None
        c_start, c_end = (cmp.start, cmp.end) if cmp else (None, None)
        r = await statistics_compare.root_cause(
            info.context, kpi, start, end, compare_start=c_start,
            compare_end=c_end, dimensions=dims, team_id=team, agent_id=agent)  # fmt: skip
        first = r.dimensions[0].decomposition if r.dimensions else None
        return RootCause(
            kpi=r.kpi, unit=r.unit, method=r.method, window_from=r.start, window_to=r.end,
            compare_from=r.compare_start, compare_to=r.compare_end,
            value=first.value1 if first else None, previous_value=first.value0 if first else None,
            change=first.change if first else None, n=first.n1 if first else 0,
            previous_n=first.n0 if first else 0,
            dimensions=[DimensionDrivers(dimension=d.dimension, mix=d.decomposition.mix,
                                         rate=d.decomposition.rate,
                                         drivers=[Driver.of(c) for c in
                                                  d.decomposition.contributions[: max(top, 1)]])
                        for d in r.dimensions],
            bottlenecks=[StageBottleneck.of(b) for b in r.bottlenecks],
        )  # fmt: skip

    @strawberry.field(
        description="Daily forecast of a KPI (e.g. csat) for horizonDays after asOf, from "
        "historyDays you may see, by the model that won its rolling-origin backtest (never "
        "worse than seasonal naive), with 80%/95% intervals and holiday effects."
    )
    async def kpi_forecast(
        self,
        info: Info,
        kpi: str,
        timezone: str | None = None,
        as_of: datetime | None = None,
        history_days: int = 56,
        horizon_days: int = 7,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
    ) -> KpiForecastResult:
        tz = timezone or info.context.org_timezone
        at = as_of or info.context.now
        team, agent = _uuid(team_id, "teamId"), _uuid(agent_id, "agentId")
        r = await statistics_forecast.kpi_forecast(
            info.context, kpi, timezone=tz, as_of=at, history_days=history_days,
            horizon_days=horizon_days, team_id=team, agent_id=agent)  # fmt: skip
        return KpiForecastResult(
            kpi=r.kpi, timezone=r.timezone, history_from=r.history_from,
            history_to=r.history_to, observed_days=r.observed_days,
            model=ForecastModel.of(r.chosen),
            buckets=[ForecastBucket.of(b) for b in r.buckets],
        )  # fmt: skip
