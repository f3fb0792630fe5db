"""Reports and exports for the API: definitions, runs (signed download links), data exports,
schedules and their deliveries — all under the caller's rights.

Definitions, schedules and deliveries are rows of ``report_definitions``, ``report_schedules``
and ``report_deliveries`` whose policies decide who reads and changes what (migration
``20261202005000_reports``). Running a report or an export checks its arguments here and returns
a short-lived link signed for the caller (``info.context.exports``, :class:`ExportLinks`); the
content is produced when the link is downloaded, under the downloader's rights, who must be the
caller (``gateway.reports``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.port import Row, Session, WriteSessions
from resolvers.privacy import audit_admin
from resolvers.report_builder import TITLES, ReportRequest, custom_spec, default_window
from resolvers.report_cron import check_cron, next_run
from resolvers.windows import Period, resolve_timezone, resolve_window

FORMATS = ("pdf", "xlsx", "csv")
ROLES = ("agent", "team_lead", "manager", "executive", "analyst", "admin")
MAX_DELIVERIES = 200
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class Link(Protocol):
    url: str
    expires_at: datetime


class ExportLinks(Protocol):
    """Signs download links for the caller, and knows the caller's export row cap."""

    row_cap: int

    def link(self, payload: Mapping[str, Any]) -> Link:
        """A link to produce ``payload`` for the caller."""
        ...


def writes_of(ctx: RequestContext) -> WriteSessions:
    """The request's read-write transactions (HTTP requests with a token only)."""
    writes = getattr(ctx, "writes", None)
    if writes is None:
        raise UserInputError("changes need an HTTP request with a token")
    return cast(WriteSessions, writes)


def export_links(ctx: RequestContext) -> ExportLinks:
    """The request's link signer (HTTP requests with a token only)."""
    exports = getattr(ctx, "exports", None)
    if exports is None:
        raise UserInputError("downloads need an HTTP request with a token")
    return cast(ExportLinks, exports)


@dataclass(frozen=True, slots=True)
class ReportDefinitionRow:
    """A report the caller may run: built-in (``slug``) or custom (``owned`` if the caller's)."""

    id: UUID
    slug: str | None
    name: str
    kind: str
    spec: Mapping[str, Any]
    shared_with: tuple[str, ...]
    owned: bool


def _definition(row: Row, viewer: UUID | None) -> ReportDefinitionRow:
    spec = row["spec"]
    return ReportDefinitionRow(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        kind=row["kind"],
        spec=json.loads(spec) if isinstance(spec, str) else dict(spec),
        shared_with=tuple(row["shared_with"]),
        owned=row["owner_id"] is not None and row["owner_id"] == viewer,
    )


async def report_definitions(ctx: RequestContext) -> list[ReportDefinitionRow]:
    """Every report the caller may read (built-ins first)."""
    rows = await ctx.session.fetch(sql.load("report_definitions_list"))
    return [_definition(r, ctx.viewer.user_id) for r in rows]


async def report_definition(
    session: Session, viewer: UUID | None, *, id: UUID | None = None, slug: str | None = None
) -> ReportDefinitionRow:
    """One readable report by id or slug; UserInputError when there is none."""
    row = await session.fetchrow(sql.load("report_definition_by_key"), id, slug)
    if row is None:
        raise UserInputError("no such report (or it is not shared with you)", field="id")
    return _definition(row, viewer)


async def create_report(
    ctx: RequestContext,
    name: str,
    spec: Mapping[str, Any],
    shared_with: Sequence[str],
) -> ReportDefinitionRow:
    """A custom report owned by the caller, shared with the given roles."""
    checked = custom_spec(spec)
    for key in ("teamId", "agentId"):
        if spec.get(key):
            checked[key] = str(_uuid(str(spec[key]), key))
    if not name.strip() or len(name) > 200:
        raise UserInputError("a report needs a name of 1 to 200 characters", field="name")
    unknown = [r for r in shared_with if r not in ROLES]
    if unknown:
        raise UserInputError(f"unknown role(s) {unknown}", field="sharedWith")
    async with writes_of(ctx).write_session() as tx:
        row = await tx.fetchrow(
            sql.load("report_definition_insert"),
            name.strip(),
            json.dumps(checked),
            list(shared_with),
        )
    if row is None:  # pragma: no cover - the insert returns its row or raises
        raise UserInputError("the report could not be saved")
    audit_admin(ctx, "report.create", row["id"], shared_with=sorted(shared_with))
    return _definition(row, ctx.viewer.user_id)


async def delete_report(ctx: RequestContext, report_id: UUID) -> bool:
    """Delete the caller's own custom report; UserInputError if it is not theirs."""
    async with writes_of(ctx).write_session() as tx:
        deleted = await tx.fetchval(sql.load("report_definition_delete"), report_id)
    if deleted is None:
        raise UserInputError("no such report of yours (built-in reports cannot be deleted)")
    audit_admin(ctx, "report.delete", report_id)
    return True


def _uuid(raw: str, name: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError as exc:
        raise UserInputError(f"{name} is not a valid id", field=name) from exc


def report_request(
    definition: ReportDefinitionRow | None,
    custom: Mapping[str, Any] | None,
    *,
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str,
    now: datetime,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> ReportRequest:
    """What to build for a saved report or an inline custom definition over the window (given,
    a named period, or the report's default: the previous day, ISO week or month)."""
    resolve_timezone(timezone)
    if (definition is None) == (custom is None):
        raise UserInputError("give a report id or slug, or an inline definition", field="id")
    if definition is not None:
        kind, name, spec = definition.kind, definition.name, dict(definition.spec)
    else:
        assert custom is not None
        kind, name, spec = "custom", str(custom.get("name") or "Custom report"), dict(custom)
    if kind == "custom":
        spec = {**custom_spec(spec), **{k: spec[k] for k in ("teamId", "agentId") if spec.get(k)}}
        team_id = team_id or (_uuid(spec["teamId"], "teamId") if spec.get("teamId") else None)
        agent_id = agent_id or (_uuid(spec["agentId"], "agentId") if spec.get("agentId") else None)
    if start is None and end is None and period is None:
        lo, hi = default_window(kind, timezone, now)
    else:
        lo, hi = resolve_window(start, end, period, timezone, now)
    return ReportRequest(
        kind, name or TITLES.get(kind, ""), lo, hi, timezone, team_id, agent_id, spec
    )


async def run_report(
    ctx: RequestContext,
    fmt: str,
    *,
    report_id: UUID | None,
    slug: str | None,
    custom: Mapping[str, Any] | None,
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str | None,
    team_id: UUID | None,
    agent_id: UUID | None,
    bom: bool,
) -> Link:
    """A link to a saved (id or slug) or inline custom report over the window (given, a
    period, or the report's default), checked now and built at download under the caller's
    rights."""
    saved = None
    if report_id is not None or slug is not None:
        saved = await report_definition(ctx.session, ctx.viewer.user_id, id=report_id, slug=slug)
    req = report_request(
        saved,
        custom,
        start=start,
        end=end,
        period=period,
        timezone=timezone or ctx.org_timezone,
        now=ctx.now,
        team_id=team_id,
        agent_id=agent_id,
    )
    return export_links(ctx).link(request_payload(req, fmt, bom))


def request_payload(req: ReportRequest, fmt: str, bom: bool) -> dict[str, Any]:
    """The signed link's payload for a report run (see :func:`request_from_payload`)."""
    if fmt not in FORMATS:
        raise UserInputError(f"format must be one of {', '.join(FORMATS)}", field="format")
    return {
        "k": "report",
        "f": fmt,
        "bom": bom,
        "r": {
            "kind": req.kind,
            "name": req.name,
            "start": req.start.isoformat(),
            "end": req.end.isoformat(),
            "tz": req.timezone,
            "team": str(req.team_id) if req.team_id else None,
            "agent": str(req.agent_id) if req.agent_id else None,
            "spec": dict(req.spec),
        },
    }


def request_from_payload(raw: Mapping[str, Any]) -> ReportRequest:
    """The report request a link's payload carries."""
    return ReportRequest(
        kind=raw["kind"],
        name=raw["name"],
        start=datetime.fromisoformat(raw["start"]),
        end=datetime.fromisoformat(raw["end"]),
        timezone=raw["tz"],
        team_id=UUID(raw["team"]) if raw.get("team") else None,
        agent_id=UUID(raw["agent"]) if raw.get("agent") else None,
        spec=raw.get("spec") or {},
    )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A report schedule of the caller's, with its next run."""

    row: Row
    next_run_at: datetime | None


def _schedule(row: Row) -> Schedule:
    upcoming = (
        None if row["paused"] else next_run(row["cron"], row["timezone"], row["planned_until"])
    )
    return Schedule(row, upcoming)


async def create_schedule(
    ctx: RequestContext,
    *,
    report_id: UUID,
    cron: str,
    timezone: str,
    fmt: str,
    recipients: Sequence[str],
    webhook_url: str | None,
    team_id: UUID | None,
) -> Schedule:
    """Schedule a readable report (built-in or custom) to be sent in ``fmt`` to ``recipients``
    and/or ``webhook_url`` whenever ``cron`` fires in ``timezone``."""
    check_cron(cron, timezone)
    if fmt not in FORMATS:
        raise UserInputError(f"format must be one of {', '.join(FORMATS)}", field="format")
    bad = [r for r in recipients if not _EMAIL.match(r)]
    if bad:
        raise UserInputError(f"invalid e-mail address(es): {bad}", field="recipients")
    if webhook_url is not None and not re.match(r"^https?://[^\s]+$", webhook_url):
        raise UserInputError("webhookUrl must be an http(s) URL", field="webhookUrl")
    if not recipients and webhook_url is None:
        raise UserInputError("give recipients or a webhookUrl", field="recipients")
    definition = await report_definition(ctx.session, ctx.viewer.user_id, id=report_id)
    if definition.kind == "weekly_team" and team_id is None:
        team_id = await ctx.session.fetchval(sql.load("report_viewer_team"))
        if team_id is None:
            raise UserInputError("the weekly team report needs a teamId", field="teamId")
    async with writes_of(ctx).write_session() as tx:
        row = await tx.fetchrow(
            sql.load("report_schedule_insert"),
            report_id,
            cron,
            timezone,
            fmt,
            list(recipients),
            webhook_url,
            team_id,
        )
    assert row is not None
    audit_admin(
        ctx,
        "report_schedule.create",
        row["id"],
        report_id=str(report_id),
        format=fmt,
        recipients=len(recipients),
        webhook=webhook_url is not None,
    )
    return _schedule(row)


async def pause_schedule(ctx: RequestContext, schedule_id: UUID, paused: bool) -> Schedule:
    """Pause or resume the caller's schedule."""
    async with writes_of(ctx).write_session() as tx:
        row = await tx.fetchrow(sql.load("report_schedule_pause"), schedule_id, paused)
    if row is None:
        raise UserInputError("no such schedule of yours", field="id")
    audit_admin(ctx, "report_schedule.pause" if paused else "report_schedule.resume", schedule_id)
    return _schedule(row)


async def delete_schedule(ctx: RequestContext, schedule_id: UUID) -> bool:
    """Delete the caller's schedule (and its delivery records)."""
    async with writes_of(ctx).write_session() as tx:
        deleted = await tx.fetchval(sql.load("report_schedule_delete"), schedule_id)
    if deleted is None:
        raise UserInputError("no such schedule of yours", field="id")
    audit_admin(ctx, "report_schedule.delete", schedule_id)
    return True


async def report_schedules(ctx: RequestContext) -> list[Schedule]:
    """The caller's schedules."""
    return [_schedule(r) for r in await ctx.session.fetch(sql.load("report_schedules_list"))]


async def report_deliveries(ctx: RequestContext, schedule_id: UUID) -> list[Row]:
    """The deliveries of the caller's schedule (none for anyone else's)."""
    return list(
        await ctx.session.fetch(sql.load("report_deliveries_list"), schedule_id, MAX_DELIVERIES)
    )
