"""Report content under the requester's rights, from the API's own resolver functions.

Every figure comes from the function behind the matching GraphQL field, called with the
requester's session (row level security decides every row) and the same window:

==============================  ===============================================================
report section                  resolver (GraphQL field)
==============================  ===============================================================
headline KPIs, backlog,         :func:`resolvers.dashboards.dashboard_kpis` (``dashboard``)
distributions
agents, leaderboard, coaching   :func:`resolvers.kpis.agent_kpis` + :mod:`resolvers.team_rankings`
                                (``teamPerformance``)
charts of the key series        :func:`resolvers.kpi_series.series` (``timeSeries``)
satisfaction, VIP               :func:`resolvers.kpis.kpis` grouped by ``vip_tier``
                                (``satisfaction(groupBy: VIP_TIER)``, ``vipAnalytics``)
alerts of the period            ``report_alerts.sql`` (alerts raised in the window, under RLS)
==============================  ===============================================================

Built-in windows (when none is given) are whole local calendar units before ``now`` in the
report's time zone: the previous day, the previous ISO week (Monday to Monday), the previous
month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import resolvers.dashboards
import sql
from resolvers import kpis, report_sections
from resolvers.buckets import Granularity
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_series import kpi_series
from resolvers.port import Session
from resolvers.report_document import ReportDocument, Section
from resolvers.windows import TimeWindow, resolve_timezone

KINDS = ("daily_summary", "weekly_team", "monthly_executive", "custom")
TITLES = {
    "daily_summary": "Daily Performance Summary",
    "weekly_team": "Weekly Team Performance",
    "monthly_executive": "Monthly Executive Summary",
}
#: Sections a custom report may list.
CUSTOM_SECTIONS = ("kpis", "series", "distributions", "backlog", "leaderboard", "alerts")
#: Charted series per built-in report: (kpi, granularity).
CHARTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "daily_summary": (("ticket_volume", "hour"), ("csat", "hour"), ("first_response_time", "hour")),
    "weekly_team": (
        ("ticket_volume", "day"),
        ("csat", "day"),
        ("sla_compliance", "day"),
        ("first_response_time", "day"),
    ),
    "monthly_executive": (
        ("ticket_volume", "day"),
        ("csat", "day"),
        ("nps", "week"),
        ("sla_compliance", "day"),
    ),
}
MAX_ALERTS = 50
#: Agents per leaderboard of the weekly team report (as teamPerformance's default).
TOP = 5


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What to build: a report ``kind`` over ``[start, end)`` in ``timezone``, scoped to a team
    or agent when given; ``spec`` is a custom report's definition (see :func:`custom_spec`)."""

    kind: str
    name: str
    start: datetime
    end: datetime
    timezone: str
    team_id: UUID | None = None
    agent_id: UUID | None = None
    spec: Mapping[str, Any] = field(default_factory=dict)

    @property
    def window(self) -> TimeWindow:
        return TimeWindow(self.start, self.end, self.timezone)


def default_window(kind: str, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """The whole local day, ISO week or month before ``now`` (custom reports: the last 7 days)."""
    zone = resolve_timezone(timezone)
    local = now.astimezone(zone).replace(tzinfo=None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "daily_summary":
        start, end = midnight - timedelta(days=1), midnight
    elif kind == "weekly_team":
        end = midnight - timedelta(days=local.weekday())
        start = end - timedelta(days=7)
    elif kind == "monthly_executive":
        end = midnight.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    else:
        return now - timedelta(days=7), now
    return start.replace(tzinfo=zone), end.replace(tzinfo=zone)


def custom_spec(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A custom report's definition, checked: ``kpis`` (registry names, 1-30), ``sections``
    (of :data:`CUSTOM_SECTIONS`), optional ``groupBy``, ``granularity`` (hour/day/week/month)."""
    names = raw.get("kpis") or []
    if not isinstance(names, list) or not 1 <= len(names) <= 30:
        raise UserInputError("a custom report lists 1 to 30 KPIs", field="kpis")
    defs = kpis.definitions(None)
    for name in names:
        kpis.definition(str(name), defs)  # unknown names: UserInputError listing valid ones
    sections = raw.get("sections") or ["kpis", "series"]
    unknown = [s for s in sections if s not in CUSTOM_SECTIONS]
    if unknown:
        raise UserInputError(
            f"unknown section(s) {unknown}; choose from {', '.join(CUSTOM_SECTIONS)}",
            field="sections",
        )
    granularity = str(raw.get("granularity") or "day").lower()
    if granularity not in ("hour", "day", "week", "month"):
        raise UserInputError("granularity must be hour, day, week or month", field="granularity")
    group_by = raw.get("groupBy")
    return {
        "kpis": [str(k) for k in names],
        "sections": list(sections),
        "granularity": granularity,
        "groupBy": str(group_by) if group_by else None,
    }


async def _charts(
    ctx: RequestContext, req: ReportRequest, charts: Sequence[tuple[str, str]]
) -> tuple[Section, ...]:
    units = {d.name: d.unit for d in kpis.definitions(None).values()}
    built, tables = [], []
    for kpi, granularity in charts:
        points = await kpi_series(
            ctx,
            kpi,
            Granularity(granularity),
            req.window,
            team_id=req.team_id,
            agent_id=req.agent_id,
        )
        title = f"{kpi.replace('_', ' ')} per {granularity}"
        built.append(report_sections.series_chart(title, units[kpi], points))
        tables.append(report_sections.series_table(title, points))
    return (Section("Trends", tuple(tables), tuple(built)),)


async def _alerts(ctx: RequestContext, req: ReportRequest) -> Section:
    rows = await ctx.session.fetch(
        sql.load("report_alerts"), req.start, req.end, req.team_id, MAX_ALERTS
    )
    return report_sections.alerts_section(rows, resolve_timezone(req.timezone))


async def _headline(ctx: RequestContext, req: ReportRequest, backlog: bool = True) -> list[Section]:
    d = await resolvers.dashboards.dashboard(ctx, req.window, req.team_id, req.agent_id)
    table = report_sections.kpi_table("KPIs against target and previous period", d.kpis)
    out = [Section("KPIs", (table,))]
    if backlog:
        snapshots = [("start of period", d.previous_backlog), ("end of period", d.backlog)]
        out.append(Section("Backlog", (report_sections.backlog_table("Open tickets", snapshots),)))
    dist = [report_sections.distribution_parts(x) for x in d.distributions]
    out.append(Section("Distributions", tuple(t for t, _ in dist), tuple(c for _, c in dist)))
    return out


async def _team(ctx: RequestContext, req: ReportRequest, team_id: UUID) -> list[Section]:
    """The team's KPIs (``teamPerformance.team``: the team's dashboard KPIs) and its agents,
    leaderboards and coaching list, from one ``team_performance`` call."""
    tab = await resolvers.dashboards.team_performance(ctx, team_id, req.window, TOP)
    r = tab.rankings
    names = dict(r.names)
    table = report_sections.kpi_table("KPIs against target and previous period", tab.team)
    return [
        Section("KPIs", (table,)),
        Section(
            "Team",
            (
                report_sections.agents_table(tab.agents),
                report_sections.ranking_table("Top performers", r.top_performers, names),
                report_sections.ranking_table("Most improved", r.most_improved, names),
                report_sections.coaching_table(r.coaching, names),
            ),
        ),
    ]


async def _executive_extras(ctx: RequestContext, req: ReportRequest) -> list[Section]:
    sat = await resolvers.dashboards.satisfaction(ctx, req.window, "vip_tier")
    vip = await resolvers.dashboards.vip_analytics(ctx, req.window)
    satisfaction = [sat.csat, sat.csat_percent, sat.nps, sat.ces, sat.response_rate]
    service = [vip.first_response_time, vip.resolution_time, vip.csat, vip.nps, vip.sla_compliance]
    return [
        Section(
            "Satisfaction",
            (report_sections.grouped_table("Satisfaction by VIP tier", satisfaction),),
        ),
        Section(
            "VIP",
            (
                report_sections.grouped_table(
                    "Retention and white-glove use by tier", [vip.retention, vip.white_glove_usage]
                ),
                report_sections.grouped_table("Service to VIP tiers", service),
            ),
        ),
    ]


async def _custom(ctx: RequestContext, req: ReportRequest) -> list[Section]:
    spec = custom_spec(req.spec)
    chosen = spec["sections"]
    out: list[Section] = []
    if "kpis" in chosen:
        results = await resolvers.dashboards.kpi_breakdowns(
            ctx,
            spec["kpis"],
            req.window,
            spec["groupBy"],
            team_id=req.team_id,
            agent_id=req.agent_id,
        )
        out.append(Section("KPIs", (report_sections.grouped_table("Chosen KPIs", results),)))
    if "distributions" in chosen or "backlog" in chosen:
        head = await _headline(ctx, req, backlog="backlog" in chosen)
        out.extend(s for s in head if s.title != "KPIs")
    if "leaderboard" in chosen:
        if req.team_id is None:
            raise UserInputError("the leaderboard section needs a teamId", field="teamId")
        out.extend((await _team(ctx, req, req.team_id))[1:])
    if "series" in chosen:
        out.extend(await _charts(ctx, req, [(k, spec["granularity"]) for k in spec["kpis"]]))
    if "alerts" in chosen:
        out.append(await _alerts(ctx, req))
    return out


async def resolve_team(session: Session, team_id: UUID | None) -> tuple[UUID, str]:
    """The weekly team report's team: ``team_id`` or the caller's own; its name (under RLS)."""
    if team_id is None:
        team_id = await session.fetchval(sql.load("report_viewer_team"))
        if team_id is None:
            raise UserInputError("the weekly team report needs a teamId", field="teamId")
    name = await session.fetchval(sql.load("report_team_name"), team_id)
    if name is None:
        raise UserInputError("no such team (or it is not visible to you)", field="teamId")
    return team_id, str(name)


async def build_report(
    ctx: RequestContext, req: ReportRequest, *, organisation: str, requested_by: str
) -> ReportDocument:
    """The report ``req`` as the context's user may see it (see the module docstring)."""
    if req.kind not in KINDS:
        raise UserInputError(f"unknown report kind {req.kind!r}", field="kind")
    scope = "organisation" if req.team_id is None and req.agent_id is None else ""
    sections: list[Section] = []
    if req.kind == "weekly_team":
        team_id, team_name = await resolve_team(ctx.session, req.team_id)
        req = ReportRequest(
            req.kind, req.name, req.start, req.end, req.timezone, team_id, req.agent_id, req.spec
        )
        scope = f"team {team_name}"
        sections += await _team(ctx, req, team_id)
    elif req.kind == "custom":
        sections += await _custom(ctx, req)
    else:
        sections += await _headline(ctx, req)
        if req.kind == "monthly_executive":
            sections += await _executive_extras(ctx, req)
    if req.kind != "custom":
        sections += await _charts(ctx, req, CHARTS[req.kind])
        sections.append(await _alerts(ctx, req))
    return ReportDocument(
        title=req.name or TITLES.get(req.kind, "Report"),
        organisation=organisation,
        period_start=req.start,
        period_end=req.end,
        timezone=req.timezone,
        generated_at=ctx.now,
        requested_by=requested_by,
        sections=tuple(sections),
        raw=report_sections.raw_table(sections),
        scope=scope or "as visible to the requester",
    )
