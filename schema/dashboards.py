"""Dashboard root fields: every tab of the executive and team dashboards in one request each.

Windows are ``from``/``to`` (UTC instants, ``[from, to)``) or a named ``period`` ending now in
``timezone`` (default: the organisation's). All aggregation runs in SQL under the caller's rights.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

import strawberry

import sql
from analytics.leaderboard import AgentFigure, coaching_opportunities, leaderboard
from resolvers import kpis as engine
from resolvers import privacy
from resolvers.errors import UserInputError
from resolvers.kpi_series import series
from resolvers.vip_trends import vip_tier_trends
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
from schema.kpis import (
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

#: Mean-type KPIs that coaching tests (with their margins below target).
COACHING_MARGINS = {"csat": 0.2, "quality_score": 0.2}


def _opt_uuid(raw: strawberry.ID | None, name: str) -> UUID | None:
    return parse_uuid(raw, name) if raw is not None else None


async def _results(
    info: Info,
    names: list[str],
    start: datetime,
    end: datetime,
    group_by: str | None,
    team: UUID | None = None,
    agent: UUID | None = None,
) -> list[KpiResult]:
    raw = await engine.kpis(
        info.context.session,
        names,
        start,
        end,
        group_by,
        team_id=team,
        agent_id=agent,
        targets=info.context.kpi_targets,
    )
    ctx = info.context
    shown = await privacy.k_anonymous(
        ctx.session, ctx.viewer.app_role, ctx.k_anonymity, raw, (start, end), group_by, team, agent
    )
    return [KpiResult.of(r) for r in shown]


@strawberry.type
class DashboardsQuery:
    @strawberry.field(description="Every KPI the gateway computes, with unit, direction, target.")
    def kpi_definitions(self, info: Info) -> list[KpiDefinition]:
        defs = engine.definitions(info.context.kpi_targets)
        return [KpiDefinition.of(d) for d in defs.values()]

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
        start, end, tz = w.start, w.end, w.timezone
        d = await engine.dashboard_kpis(
            info.context.session,
            start,
            end,
            team_id=_opt_uuid(team_id, "teamId"),
            agent_id=_opt_uuid(agent_id, "agentId"),
            targets=info.context.kpi_targets,
        )
        return Dashboard(
            start=d.start,
            end=d.end,
            previous_start=d.previous_start,
            timezone=tz,
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
        start, end = w.start, w.end
        group = group_by.value if group_by else None
        team, agent = _opt_uuid(team_id, "teamId"), _opt_uuid(agent_id, "agentId")
        (result,) = await _results(info, [name], start, end, group, team, agent)
        return result

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
        if not names:
            raise UserInputError("names must list at least one KPI", field="names")
        w = window_of(info, window, from_, to, period, timezone)
        start, end = w.start, w.end
        group = group_by.value if group_by else None
        team, agent = _opt_uuid(team_id, "teamId"), _opt_uuid(agent_id, "agentId")
        return await _results(info, names, start, end, group, team, agent)

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
        start, end, tz = w.start, w.end, w.timezone
        points = await series(
            info.context.session,
            kpi,
            start,
            end,
            granularity,
            tz,
            team_id=_opt_uuid(team_id, "teamId"),
            agent_id=_opt_uuid(agent_id, "agentId"),
            group_by=group_by.value if group_by else None,
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
        start, end = w.start, w.end
        names = ["csat", "csat_percent", "nps", "ces", "survey_response_rate"]
        r = await _results(info, names, start, end, group_by.value if group_by else None)
        return Satisfaction(csat=r[0], csat_percent=r[1], nps=r[2], ces=r[3], response_rate=r[4])

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
        start, end = w.start, w.end
        session, targets = info.context.session, info.context.kpi_targets
        queues = await engine.queue_kpis(session, start, end, targets=targets)
        (by_policy,) = await _results(info, ["sla_compliance"], start, end, "policy")
        sla = await _results(
            info, ["sla_first_response_compliance", "sla_resolution_compliance"], start, end, None
        )
        (backlog,) = await _results(info, ["backlog"], start, end, "priority")
        ages = await engine.backlog_at(session, min(end, info.context.now), "priority")
        capacity = await _results(
            info, ["utilization", "occupancy", "schedule_adherence"], start, end, "team"
        )
        return Operations(
            queues=[QueueKpis.of(q) for q in queues],
            sla_compliance_by_policy=by_policy,
            sla_first_response=sla[0],
            sla_resolution=sla[1],
            backlog_by_priority=backlog,
            backlog_age=[Backlog.of(b) for b in ages],
            utilization=capacity[0],
            occupancy=capacity[1],
            schedule_adherence=capacity[2],
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
        if not 1 <= top <= 50:
            raise UserInputError("top must be between 1 and 50", field="top")
        team = parse_uuid(team_id, "teamId")
        w = window_of(info, window, from_, to, period, timezone)
        start, end = w.start, w.end
        session, targets = info.context.session, info.context.kpi_targets
        agents = await engine.agent_kpis(session, start, end, team, targets=targets)
        defs = engine.definitions(targets)
        team_kpis = await engine.dashboard_kpis(session, start, end, team_id=team, targets=targets)
        figures = {
            str(a.agent_id): {
                k.name: AgentFigure(k.value, k.previous, k.target, defs[k.name].direction,
                                    k.n, k.std)
                for k in a.kpis
            }
            for a in agents
        }  # fmt: skip
        names = {str(a.agent_id): a.name for a in agents}
        best, improved = leaderboard(figures, top=top)
        coaching = coaching_opportunities(figures, list(COACHING_MARGINS), margins=COACHING_MARGINS)

        def ranked(r: object) -> RankedAgent:
            from analytics.leaderboard import RankedAgent as R

            assert isinstance(r, R)
            return RankedAgent(
                agent_id=strawberry.ID(r.agent),
                name=names[r.agent],
                score=r.score,
                previous_score=r.previous_score,
                improvement=r.improvement,
            )

        return TeamPerformance(
            agents=[AgentKpis.of(a) for a in agents],
            team=[KpiValue.of(k) for k in team_kpis.kpis],
            top_performers=[ranked(r) for r in best],
            most_improved=[ranked(r) for r in improved],
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
                for c in coaching
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
        start, end, tz = w.start, w.end, w.timezone
        vip = await _results(info, ["vip_retention", "white_glove_usage"], start, end, "vip_tier")
        tickets = await _results(
            info,
            ["first_response_time", "resolution_time", "csat", "nps", "sla_compliance"],
            start,
            end,
            "vip_tier",
        )
        rows = await info.context.session.fetch(sql.load("vip_dedicated_agents"), start, end)
        dedicated = [
            DedicatedAgentPerformance(
                agent_id=strawberry.ID(str(r["agent_id"])),
                name=r["agent_name"],
                tickets=r["tickets"],
                handled_personally=r["handled_personally"],
                first_response_median_minutes=r["frt_median_minutes"],
                resolution_median_hours=r["resolution_median_hours"],
                csat_mean=r["csat_mean"],
                csat_n=r["csat_n"],
                sla_compliance=(
                    100.0 * r["sla_achieved"] / (r["sla_achieved"] + r["sla_missed"])
                    if r["sla_achieved"] + r["sla_missed"]
                    else None
                ),
            )
            for r in rows
        ]
        trend_points = await vip_tier_trends(info.context.session, start, end, "week", tz)
        return VipAnalytics(
            dedicated_agents=dedicated,
            trends=[VipTrendPoint(**dataclasses.asdict(p)) for p in trend_points],
            retention=vip[0],
            white_glove_usage=vip[1],
            first_response_time=tickets[0],
            resolution_time=tickets[1],
            csat=tickets[2],
            nps=tickets[3],
            sla_compliance=tickets[4],
        )
