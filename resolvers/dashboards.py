"""The dashboard tabs: every figure of a tab in one call, under the caller's rights.

* :func:`dashboard` — headline KPIs, backlog and distributions (:func:`dashboard_kpis`: one
  ``kpi_dashboard`` statement, which calls the ``analytics.*_stats`` functions of migration
  ``20261125000400_analytics_kpis.sql`` for both windows).
* :func:`kpi_breakdowns` — KPIs by name (:func:`resolvers.kpis.kpis`), analysts' small customer
  groups suppressed (k-anonymity); :func:`satisfaction`, :func:`operations`,
  :func:`vip_analytics` use it and add queue and dedicated-agent figures.
* :func:`team_performance` — per-agent KPIs (:func:`resolvers.kpis.agent_kpis`), the
  leaderboard and coaching opportunities (:mod:`resolvers.team_rankings`, which reports use too).

Every KPI is computed by :mod:`resolvers.kpi_measures`, whichever tab shows it. Windows are
validated :class:`~resolvers.windows.TimeWindow`; the previous window has the same length.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sql
from resolvers import kpi_results
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_measures import percent
from resolvers.kpi_results import (
    AgentFigures,
    BacklogSnapshot,
    DashboardFigures,
    KpiBreakdown,
    KpiFigure,
    QueueFigures,
)
from resolvers.kpis import (
    ComparedWindow,
    agent_kpis,
    backlog_at,
    definitions,
    kpis,
    queue_kpis,
    source_of,
)
from resolvers.port import Row, Session
from resolvers.privacy import k_anonymous
from resolvers.team_rankings import TeamRankings, team_rankings
from resolvers.vip_trends import VipTierBucket, vip_tier_trends
from resolvers.windows import TimeWindow

#: The KPIs of Team.performance (all from sources that can be grouped by team).
TEAM_KPIS = (
    "ticket_volume",
    "first_response_time",
    "resolution_time",
    "fcr",
    "reopen_rate",
    "sla_compliance",
    "csat",
    "nps",
    "utilization",
    "schedule_adherence",
    "quality_score",
)
#: Most agents on each leaderboard of ``teamPerformance``.
MAX_TOP = 50


async def kpi_breakdowns(
    ctx: RequestContext,
    names: Sequence[str],
    window: TimeWindow,
    group_by: str | None = None,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> list[KpiBreakdown]:
    """:func:`~resolvers.kpis.kpis` of ``names`` over ``window`` under the request's rights and
    KPI targets, with analysts' small customer groups suppressed
    (:func:`resolvers.privacy.k_anonymous`)."""
    if not names:
        raise UserInputError("names must list at least one KPI", field="names")
    raw = await kpis(ctx.session, names, window.start, window.end, group_by, team_id=team_id,
                     agent_id=agent_id, targets=ctx.kpi_targets)  # fmt: skip
    return await k_anonymous(ctx.session, ctx.viewer.app_role, ctx.k_anonymity, raw,
                             (window.start, window.end), group_by, team_id, agent_id)  # fmt: skip


async def dashboard_kpis(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    targets: Mapping[str, float] | None = None,
) -> DashboardFigures:
    """Every KPI of the registry over ``[start, end)`` against the previous window, the backlog
    (open, unassigned, unanswered, age buckets) at both ends — or at ``now``, the request's
    clock, when an end is later — and the ticket distributions by channel, category, priority
    and status, in one statement (``kpi_dashboard``)."""
    window = ComparedWindow.of(start, end)
    defs = definitions(targets)
    rows = await session.fetch(
        sql.load("kpi_dashboard"),
        window.start,
        window.end,
        window.previous_start,
        team_id,
        agent_id,
        now,
    )
    periods = kpi_results.by_period(rows, "source")
    present = {source for source, _ in periods}
    values: list[KpiFigure] = []
    for defn in defs.values():
        source = source_of(defn.name)
        if source.name not in present:
            continue
        source_periods = {
            period: stats for (src, period), stats in periods.items() if src == source.name
        }
        values.append(kpi_results.kpi_result(defn, source, source_periods, None).overall)
    return DashboardFigures(
        start=window.start,
        end=window.end,
        previous_start=window.previous_start,
        kpis=tuple(values),
        backlog=kpi_results.backlog(min(window.end, now), periods[("backlog", "current")][0]),
        previous_backlog=kpi_results.backlog(
            min(window.start, now), periods[("backlog", "previous")][0]
        ),
        distributions=kpi_results.distributions(periods.get(("distribution", "current"), [])),
    )


async def dashboard(
    ctx: RequestContext, window: TimeWindow, team_id: UUID | None, agent_id: UUID | None
) -> DashboardFigures:
    """The executive (or a team's or agent's) dashboard over ``window``."""
    return await dashboard_kpis(ctx.session, window.start, window.end, now=ctx.now,
                                team_id=team_id, agent_id=agent_id,
                                targets=ctx.kpi_targets)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SatisfactionTab:
    """CSAT, CSAT%, NPS, CES and survey response rate, each overall and per group."""

    csat: KpiBreakdown
    csat_percent: KpiBreakdown
    nps: KpiBreakdown
    ces: KpiBreakdown
    response_rate: KpiBreakdown


async def satisfaction(
    ctx: RequestContext, window: TimeWindow, group_by: str | None
) -> SatisfactionTab:
    """The satisfaction tab over ``window`` (one ``kpi_surveys`` statement)."""
    names = ["csat", "csat_percent", "nps", "ces", "survey_response_rate"]
    r = await kpi_breakdowns(ctx, names, window, group_by)
    return SatisfactionTab(csat=r[0], csat_percent=r[1], nps=r[2], ces=r[3], response_rate=r[4])


@dataclass(frozen=True, slots=True)
class OperationsTab:
    """Queues, SLA compliance by policy and by target, backlog by priority (KPI and snapshots at
    the window's end or now) and capacity by team."""

    queues: tuple[QueueFigures, ...]
    sla_compliance_by_policy: KpiBreakdown
    sla_first_response: KpiBreakdown
    sla_resolution: KpiBreakdown
    backlog_by_priority: KpiBreakdown
    backlog_age: tuple[BacklogSnapshot, ...]
    utilization: KpiBreakdown
    occupancy: KpiBreakdown
    schedule_adherence: KpiBreakdown


async def operations(ctx: RequestContext, window: TimeWindow) -> OperationsTab:
    """The operations tab over ``window``."""
    queues = await queue_kpis(ctx.session, window.start, window.end, targets=ctx.kpi_targets)
    (by_policy,) = await kpi_breakdowns(ctx, ["sla_compliance"], window, "policy")
    sla = await kpi_breakdowns(
        ctx, ["sla_first_response_compliance", "sla_resolution_compliance"], window, None
    )
    (backlog,) = await kpi_breakdowns(ctx, ["backlog"], window, "priority")
    ages = await backlog_at(ctx.session, min(window.end, ctx.now), "priority")
    capacity = await kpi_breakdowns(
        ctx, ["utilization", "occupancy", "schedule_adherence"], window, "team"
    )
    return OperationsTab(
        queues=queues,
        sla_compliance_by_policy=by_policy,
        sla_first_response=sla[0],
        sla_resolution=sla[1],
        backlog_by_priority=backlog,
        backlog_age=ages,
        utilization=capacity[0],
        occupancy=capacity[1],
        schedule_adherence=capacity[2],
    )


@dataclass(frozen=True, slots=True)
class TeamPerformanceTab:
    """Per-agent KPIs, the team's own KPIs and the rankings (leaderboards, coaching) of
    :func:`resolvers.team_rankings.team_rankings`."""

    agents: tuple[AgentFigures, ...]
    team: tuple[KpiFigure, ...]
    rankings: TeamRankings


async def team_performance(
    ctx: RequestContext, team_id: UUID, window: TimeWindow, top: int
) -> TeamPerformanceTab:
    """The team performance tab over ``window``: ``top`` (1..50) agents per leaderboard."""
    if not 1 <= top <= MAX_TOP:
        raise UserInputError(f"top must be between 1 and {MAX_TOP}", field="top")
    session, targets, start, end = ctx.session, ctx.kpi_targets, window.start, window.end
    agents = await agent_kpis(session, start, end, team_id, targets=targets)
    team_kpis = await dashboard_kpis(
        session, start, end, now=ctx.now, team_id=team_id, targets=targets
    )
    return TeamPerformanceTab(agents, team_kpis.kpis, team_rankings(agents, targets, top=top))


@dataclass(frozen=True, slots=True)
class DedicatedAgentFigures:
    """A dedicated agent's figures over the tickets of their VIP clients (``sla_compliance``
    in percent, by the same formula as the ``sla_compliance`` KPI)."""

    agent_id: UUID
    name: str
    tickets: int
    handled_personally: int
    first_response_median_minutes: float | None
    resolution_median_hours: float | None
    csat_mean: float | None
    csat_n: int
    sla_compliance: float | None


def dedicated_agent_figures(row: Row) -> DedicatedAgentFigures:
    """The figures of one ``vip_dedicated_agents`` row."""
    achieved, missed = int(row["sla_achieved"]), int(row["sla_missed"])
    return DedicatedAgentFigures(
        agent_id=row["agent_id"],
        name=row["agent_name"],
        tickets=row["tickets"],
        handled_personally=row["handled_personally"],
        first_response_median_minutes=row["frt_median_minutes"],
        resolution_median_hours=row["resolution_median_hours"],
        csat_mean=row["csat_mean"],
        csat_n=row["csat_n"],
        sla_compliance=percent(achieved, achieved + missed).value,
    )


@dataclass(frozen=True, slots=True)
class VipAnalyticsTab:
    """VIP KPIs by tier, dedicated agents and weekly trends per tier."""

    retention: KpiBreakdown
    white_glove_usage: KpiBreakdown
    first_response_time: KpiBreakdown
    resolution_time: KpiBreakdown
    csat: KpiBreakdown
    nps: KpiBreakdown
    sla_compliance: KpiBreakdown
    dedicated_agents: tuple[DedicatedAgentFigures, ...]
    trends: tuple[VipTierBucket, ...]


async def vip_analytics(ctx: RequestContext, window: TimeWindow) -> VipAnalyticsTab:
    """The VIP analytics tab over ``window`` (trends in weeks of the window's timezone)."""
    session, start, end = ctx.session, window.start, window.end
    vip = await kpi_breakdowns(ctx, ["vip_retention", "white_glove_usage"], window, "vip_tier")
    names = ["first_response_time", "resolution_time", "csat", "nps", "sla_compliance"]
    tickets = await kpi_breakdowns(ctx, names, window, "vip_tier")
    rows = await session.fetch(sql.load("vip_dedicated_agents"), start, end, ctx.now)
    trends = await vip_tier_trends(session, start, end, "week", window.timezone)
    return VipAnalyticsTab(
        retention=vip[0],
        white_glove_usage=vip[1],
        first_response_time=tickets[0],
        resolution_time=tickets[1],
        csat=tickets[2],
        nps=tickets[3],
        sla_compliance=tickets[4],
        dedicated_agents=tuple(dedicated_agent_figures(r) for r in rows),
        trends=tuple(trends),
    )
