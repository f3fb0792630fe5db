"""Reports and exports: report definitions, runs and data exports as signed download links,
schedules and their deliveries. Types and field signatures only; data from
:mod:`resolvers.reports`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from resolvers import report_exports, reports
from resolvers.port import Row
from schema.alerts import json_value
from schema.common import AppRole, Info, parse_uuid
from schema.kpi_types import KpiGroupBy
from schema.tickets import TicketFilter, criteria
from schema.window import (
    FromArg,
    Granularity,
    Period,
    WindowArg,
    chosen_window_arguments,
    window_of,
)


@strawberry.enum(description="Report file formats (CSV: one file, or a zip of one per table).")
class ReportFormat(Enum):
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


@strawberry.enum(description="Data export formats.")
class ExportFormat(Enum):
    CSV = "csv"
    XLSX = "xlsx"


@strawberry.enum(description="Sections a custom report may contain.")
class ReportSection(Enum):
    KPIS = "kpis"
    SERIES = "series"
    DISTRIBUTIONS = "distributions"
    BACKLOG = "backlog"
    LEADERBOARD = "leaderboard"
    ALERTS = "alerts"


@strawberry.input(description="A custom report: chosen KPIs, grouping, sections and scope.")
class CustomReportInput:
    name: str
    kpis: list[str]
    sections: list[ReportSection] | None = None
    group_by: KpiGroupBy | None = None
    granularity: Granularity | None = None
    team_id: strawberry.ID | None = None
    agent_id: strawberry.ID | None = None

    def spec(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kpis": list(self.kpis),
            "sections": [s.value for s in self.sections] if self.sections else None,
            "groupBy": self.group_by.value if self.group_by else None,
            "granularity": self.granularity.value if self.granularity else None,
            "teamId": str(self.team_id) if self.team_id else None,
            "agentId": str(self.agent_id) if self.agent_id else None,
        }


@strawberry.type(description="A report you may run: built-in (slug) or custom.")
class ReportDefinition:
    id: strawberry.ID
    slug: str | None
    name: str
    kind: str = strawberry.field(
        description="daily_summary, weekly_team, monthly_executive or custom."
    )
    spec: JSON = strawberry.field(description="A custom report's definition.")
    shared_with: list[str]
    owned: bool = strawberry.field(description="True when it is your own custom report.")

    @classmethod
    def of(cls, d: reports.ReportDefinitionRow) -> ReportDefinition:
        return cls(
            id=strawberry.ID(str(d.id)),
            slug=d.slug,
            name=d.name,
            kind=d.kind,
            spec=json_value(dict(d.spec)),
            shared_with=list(d.shared_with),
            owned=d.owned,
        )


@strawberry.type(description="A short-lived download link, valid only with your own token.")
class ExportLink:
    url: str = strawberry.field(description="GET it with your Authorization header.")
    expires_at: datetime
    rows: int | None = strawberry.field(
        default=None, description="Data exports: rows matching now (the download streams them)."
    )


@strawberry.type(description="A report sent on a cron schedule in its own time zone.")
class ReportSchedule:
    id: strawberry.ID
    report_id: strawberry.ID
    cron: str
    timezone: str
    format: ReportFormat
    recipients: list[str]
    webhook_url: str | None
    team_id: strawberry.ID | None
    paused: bool
    next_run_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, s: reports.Schedule) -> ReportSchedule:
        r = s.row
        return cls(
            id=strawberry.ID(str(r["id"])),
            report_id=strawberry.ID(str(r["report_id"])),
            cron=r["cron"],
            timezone=r["timezone"],
            format=ReportFormat(r["format"]),
            recipients=list(r["recipients"]),
            webhook_url=r["webhook_url"],
            team_id=strawberry.ID(str(r["team_id"])) if r["team_id"] else None,
            paused=r["paused"],
            next_run_at=s.next_run_at,
            created_at=r["created_at"],
        )


@strawberry.type(description="One scheduled run of a schedule and what became of it.")
class ReportDelivery:
    id: strawberry.ID
    scheduled_for: datetime
    status: str = strawberry.field(description="pending, running, retrying, sent or failed.")
    attempts: int
    delivered_to: list[str] = strawberry.field(description="Channels (mail:…, webhook) done.")
    last_error: str | None
    errors: JSON = strawberry.field(description="Every failed attempt: at, error.")
    bytes: int | None
    finished_at: datetime | None

    @classmethod
    def of(cls, r: Row) -> ReportDelivery:
        return cls(
            id=strawberry.ID(str(r["id"])),
            scheduled_for=r["scheduled_for"],
            status=r["status"],
            attempts=r["attempts"],
            delivered_to=list(r["delivered_to"]),
            last_error=r["last_error"],
            errors=json_value(r["errors"]),
            bytes=r["bytes"],
            finished_at=r["finished_at"],
        )


def _opt(raw: strawberry.ID | None, name: str) -> Any:
    return parse_uuid(raw, name) if raw is not None else None


@strawberry.type
class ReportsQuery:
    @strawberry.field(description="Reports you may run: the built-in ones and custom reports.")
    async def reports(self, info: Info) -> list[ReportDefinition]:
        rows = await reports.report_definitions(info.context)
        return [ReportDefinition.of(d) for d in rows]

    @strawberry.field(description="Your report schedules.")
    async def report_schedules(self, info: Info) -> list[ReportSchedule]:
        return [ReportSchedule.of(s) for s in await reports.report_schedules(info.context)]

    @strawberry.field(description="Deliveries of one of your schedules, newest first.")
    async def report_deliveries(
        self, info: Info, schedule_id: strawberry.ID
    ) -> list[ReportDelivery]:
        rows = await reports.report_deliveries(info.context, parse_uuid(schedule_id, "scheduleId"))
        return [ReportDelivery.of(r) for r in rows]


@strawberry.type
class ReportsMutation:
    @strawberry.mutation(
        description=(
            "Run a report (saved: id or slug; or an inline custom definition) over a window "
            "(from/to, a period, or the report's default: previous day, ISO week or month in "
            "timezone). Returns a short-lived link; the file is made at download, under your "
            "rights."
        )
    )
    async def run_report(
        self,
        info: Info,
        format: ReportFormat,
        id: strawberry.ID | None = None,
        slug: str | None = None,
        definition: CustomReportInput | None = None,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        bom: bool = False,
        window: WindowArg = None,
    ) -> ExportLink:
        from_, to, period, timezone = chosen_window_arguments(window, from_, to, period, timezone)
        link = await reports.run_report(
            info.context,
            format.value,
            report_id=_opt(id, "id"),
            slug=slug,
            custom=definition.spec() if definition else None,
            start=from_,
            end=to,
            period=period,
            timezone=timezone,
            team_id=_opt(team_id, "teamId"),
            agent_id=_opt(agent_id, "agentId"),
            bom=bom,
        )
        return ExportLink(url=link.url, expires_at=link.expires_at)

    @strawberry.mutation(description="Any ticket filter as a streamed CSV or XLSX download.")
    async def export_tickets(
        self,
        info: Info,
        format: ExportFormat,
        filter: TicketFilter | None = None,
        timezone: str | None = None,
        bom: bool = False,
    ) -> ExportLink:
        link, rows = await report_exports.export_tickets(
            info.context, criteria(filter), format.value, timezone, bom
        )
        return ExportLink(url=link.url, expires_at=link.expires_at, rows=rows)

    @strawberry.mutation(description="A timeSeries (same arguments) as a CSV or XLSX download.")
    async def export_time_series(
        self,
        info: Info,
        format: ExportFormat,
        kpi: str,
        granularity: Granularity,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        team_id: strawberry.ID | None = None,
        agent_id: strawberry.ID | None = None,
        group_by: KpiGroupBy | None = None,
        bom: bool = False,
        window: WindowArg = None,
    ) -> ExportLink:
        w = window_of(info, window, from_, to, period, timezone, max_days=None)
        start, end, tz = w.start, w.end, w.timezone
        link = report_exports.export_series(
            info.context,
            kpi=kpi,
            granularity=granularity.value,
            start=start,
            end=end,
            timezone=tz,
            fmt=format.value,
            team_id=_opt(team_id, "teamId"),
            agent_id=_opt(agent_id, "agentId"),
            group_by=group_by.value if group_by else None,
            bom=bom,
        )
        return ExportLink(url=link.url, expires_at=link.expires_at)

    @strawberry.mutation(description="Save a custom report, optionally shared with roles.")
    async def create_report(
        self, info: Info, definition: CustomReportInput, shared_with: list[AppRole] | None = None
    ) -> ReportDefinition:
        d = await reports.create_report(
            info.context,
            definition.name,
            definition.spec(),
            [r.value for r in shared_with or []],
        )
        return ReportDefinition.of(d)

    @strawberry.mutation(description="Delete one of your custom reports.")
    async def delete_report(self, info: Info, id: strawberry.ID) -> bool:
        return await reports.delete_report(info.context, parse_uuid(id, "id"))

    @strawberry.mutation(
        description="Send a report in a format to e-mail recipients and/or a webhook whenever "
        "cron (five fields, local time of timezone, DST-correct) fires."
    )
    async def create_report_schedule(
        self,
        info: Info,
        report_id: strawberry.ID,
        cron: str,
        timezone: str,
        format: ReportFormat,
        recipients: list[str] | None = None,
        webhook_url: str | None = None,
        team_id: strawberry.ID | None = None,
    ) -> ReportSchedule:
        s = await reports.create_schedule(
            info.context,
            report_id=parse_uuid(report_id, "reportId"),
            cron=cron,
            timezone=timezone,
            fmt=format.value,
            recipients=recipients or [],
            webhook_url=webhook_url,
            team_id=_opt(team_id, "teamId"),
        )
        return ReportSchedule.of(s)

    @strawberry.mutation(description="Pause (or resume, paused: false) one of your schedules.")
    async def pause_report_schedule(
        self, info: Info, id: strawberry.ID, paused: bool = True
    ) -> ReportSchedule:
        s = await reports.pause_schedule(info.context, parse_uuid(id, "id"), paused)
        return ReportSchedule.of(s)

    @strawberry.mutation(description="Delete one of your schedules and its delivery records.")
    async def delete_report_schedule(self, info: Info, id: strawberry.ID) -> bool:
        return await reports.delete_schedule(info.context, parse_uuid(id, "id"))
