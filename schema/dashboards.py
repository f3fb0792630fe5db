"""Dashboard root fields: every tab of the executive and team dashboards in one request each.

Windows are ``window`` or ``from``/``to`` (UTC instants, ``[from, to)``) or a named ``period``
ending now in ``timezone`` (default: the organisation's). Each field calls one function of
``resolvers.dashboards`` (tabs), ``resolvers.kpis`` (KPIs by name) or ``resolvers.kpi_series``
(time series); all aggregation runs in SQL under the caller's rights.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

import strawberry

import resolvers.dashboards
import resolvers.kpi_series
import resolvers.kpis
from analytics.leaderboard import LeaderboardEntry
from schema.common import Info, parse_uuid
from schema.dashboard_types import (
    CoachingOpportunity,
    Dashboard,
    DedicatedAgentPerformance,
    Operations,
    RankedAgent,
    Satisfaction,
    TeamPerformance,
    VipAnalytics,
    VipTrendPoint,
)
from schema.kpi_types import (
    AgentKpis,
    Backlog,
    Distribution,
    KpiDefinition,
    KpiGroupBy,
    KpiResult,
    KpiValue,
    QueueKpis,
    SeriesPoint,
)
from schema.window import FromArg, Granularity, Period, WindowArg, window_of


def _opt_uuid(raw: strawberry.ID | None, name: str) -> UUID | None:
    return parse_uuid(raw, name) if raw is not None else None


def _group(group_by: KpiGroupBy | None) -> str | None:
    return group_by.value if group_by else None


@strawberry.type
class DashboardsQuery:
    @strawberry.field(description="Every KPI the gateway computes, with unit, direction, target.")
    def kpi_definitions(self, info: Info) -> list[KpiDefinition]:
        return [KpiDefinition.of(d) for d in resolvers.kpis.kpi_definitions(info.context)]

    @strawberry.field(description="Headline KPIs, backlog and distributions over a window.")
    async def dashboard(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        window: WindowArg = None,
    ) -> Dashboard:
        w = window_of(info, window, from_, to, period, timezone)
        team, agent = _opt_uuid(team_id, "teamId"), _opt_uuid(agent_id, "agentId")
        d = await resolvers.dashboards.dashboard(info.context, w, team, agent)
        return Dashboard(
            start=d.start,
            end=d.end,
            previous_start=d.previous_start,
            timezone=w.timezone,
            kpis=[KpiValue.of(k) for k in d.kpis],
            backlog=Backlog.of(d.backlog),
            previous_backlog=Backlog.of(d.previous_backlog),
            distributions=[Distribution.of(x) for x in d.distributions],
        )

    @strawberry.field(description="One KPI, overall and optionally grouped.")
    async def kpi(
        self,
        info: Info,
        name: str,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        group_by: KpiGroupBy | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        window: WindowArg = None,
    ) -> KpiResult:
        w = window_of(info, window, from_, to, period, timezone)
        team, agent = _opt_uuid(team_id, "teamId"), _opt_uuid(agent_id, "agentId")
        (result,) = await resolvers.dashboards.kpi_breakdowns(
            info.context, [name], w, _group(group_by), team_id=team, agent_id=agent
        )
        return KpiResult.of(result)

    @strawberry.field(description="Several KPIs over the same window and grouping.")
    async def kpis(
        self,
        info: Info,
        names: list[str],
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        group_by: KpiGroupBy | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        window: WindowArg = None,
    ) -> list[KpiResult]:
        w = window_of(info, window, from_, to, period, timezone)
        team, agent = _opt_uuid(team_id, "teamId"), _opt_uuid(agent_id, "agentId")
        results = await resolvers.dashboards.kpi_breakdowns(
            info.context, names, w, _group(group_by), team_id=team, agent_id=agent
        )
        return [KpiResult.of(r) for r in results]

    @strawberry.field(
        description=(
            "Any KPI of kpiDefinitions per time bucket in the timezone, each bucket computed "
            "exactly as kpi(name) over that bucket's part of the window: value, n and, for "
            "sample estimates, the 95% CI. DST-correct buckets; every bucket present (n = 0 and "
            "a null value when empty). Optionally for one team or agent and split by one of the "
            "KPI's groupings (one series per group with data, ordered by group key). Backlog "
            "KPIs are the backlog at each bucket's end (capped at now; buckets starting after "
            "now are empty). Workforce KPIs count each daily agent row in the bucket holding "
            "its 00:00 UTC start and, like vip_retention, have no HOUR buckets. "
            "'first_response_minutes' is a deprecated alias of first_response_time."
        )
    )
    async def time_series(
        self,
        info: Info,
        kpi: str,
        granularity: Granularity,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        group_by: KpiGroupBy | None = None,
        window: WindowArg = None,
    ) -> list[SeriesPoint]:
        w = window_of(info, window, from_, to, period, timezone, max_days=None)
        points = await resolvers.kpi_series.kpi_series(
            info.context,
            kpi,
            granularity,
            w,
            team_id=_opt_uuid(team_id, "teamId"),
            agent_id=_opt_uuid(agent_id, "agentId"),
            group_by=_group(group_by),
        )
        return [SeriesPoint.of(p) for p in points]

    @strawberry.field(description="Satisfaction tab, optionally grouped (e.g. by VIP_TIER).")
    async def satisfaction(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        group_by: KpiGroupBy | None = None,
        window: WindowArg = None,
    ) -> Satisfaction:
        w = window_of(info, window, from_, to, period, timezone)
        tab = await resolvers.dashboards.satisfaction(info.context, w, _group(group_by))
        return Satisfaction(
            csat=KpiResult.of(tab.csat),
            csat_percent=KpiResult.of(tab.csat_percent),
            nps=KpiResult.of(tab.nps),
            ces=KpiResult.of(tab.ces),
            response_rate=KpiResult.of(tab.response_rate),
        )

    @strawberry.field(description="Operations tab.")
    async def operations(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> Operations:
        w = window_of(info, window, from_, to, period, timezone)
        tab = await resolvers.dashboards.operations(info.context, w)
        return Operations(
            queues=[QueueKpis.of(q) for q in tab.queues],
            sla_compliance_by_policy=KpiResult.of(tab.sla_compliance_by_policy),
            sla_first_response=KpiResult.of(tab.sla_first_response),
            sla_resolution=KpiResult.of(tab.sla_resolution),
            backlog_by_priority=KpiResult.of(tab.backlog_by_priority),
            backlog_age=[Backlog.of(b) for b in tab.backlog_age],
            utilization=KpiResult.of(tab.utilization),
            occupancy=KpiResult.of(tab.occupancy),
            schedule_adherence=KpiResult.of(tab.schedule_adherence),
        )

    @strawberry.field(description="Team performance: per-agent KPIs, leaderboard, coaching.")
    async def team_performance(
        self,
        info: Info,
        team_id: strawberry.ID,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        top: int = 5,
        window: WindowArg = None,
    ) -> TeamPerformance:
        team = parse_uuid(team_id, "teamId")
        w = window_of(info, window, from_, to, period, timezone)
        tab = await resolvers.dashboards.team_performance(info.context, team, w, top)
        names = tab.rankings.names

        def ranked(r: LeaderboardEntry) -> RankedAgent:
            return RankedAgent(
                agent_id=strawberry.ID(r.agent),
                name=names[r.agent],
                score=r.score,
                previous_score=r.previous_score,
                improvement=r.improvement,
            )

        return TeamPerformance(
            agents=[AgentKpis.of(a) for a in tab.agents],
            team=[KpiValue.of(k) for k in tab.team],
            top_performers=[ranked(r) for r in tab.rankings.top_performers],
            most_improved=[ranked(r) for r in tab.rankings.most_improved],
            coaching_opportunities=[
                CoachingOpportunity(
                    agent_id=strawberry.ID(c.agent),
                    name=names[c.agent],
                    kpi=c.kpi,
                    value=c.value,
                    target=c.target,
                    margin=c.margin,
                    p_value=c.p_value,
                    p_adjusted=c.p_adjusted,
                )
                for c in tab.rankings.coaching
            ],
        )

    @strawberry.field(description="VIP analytics tab: each KPI by VIP tier.")
    async def vip_analytics(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> VipAnalytics:
        w = window_of(info, window, from_, to, period, timezone)
        tab = await resolvers.dashboards.vip_analytics(info.context, w)
        return VipAnalytics(
            dedicated_agents=[
                DedicatedAgentPerformance(
                    agent_id=strawberry.ID(str(d.agent_id)),
                    name=d.name,
                    tickets=d.tickets,
                    handled_personally=d.handled_personally,
                    first_response_median_minutes=d.first_response_median_minutes,
                    resolution_median_hours=d.resolution_median_hours,
                    csat_mean=d.csat_mean,
                    csat_n=d.csat_n,
                    sla_compliance=d.sla_compliance,
                )
                for d in tab.dedicated_agents
            ],
            trends=[VipTrendPoint(**dataclasses.asdict(p)) for p in tab.trends],
            retention=KpiResult.of(tab.retention),
            white_glove_usage=KpiResult.of(tab.white_glove_usage),
            first_response_time=KpiResult.of(tab.first_response_time),
            resolution_time=KpiResult.of(tab.resolution_time),
            csat=KpiResult.of(tab.csat),
            nps=KpiResult.of(tab.nps),
            sla_compliance=KpiResult.of(tab.sla_compliance),
        )
