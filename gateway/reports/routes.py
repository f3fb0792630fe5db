"""``GET /exports/<token>``: the downloads of ``runReport``, ``exportTickets`` and
``exportTimeSeries``; ``GET /exports/<token>/progress``: rows so far of a data export.

The caller sends their bearer token; the link must be genuine, unexpired and theirs
(:mod:`gateway.reports.links`: 403 tampered or foreign, 410 expired, 401 without a token). The
content is produced now, under the caller's current rights: reports are built from the API's
resolvers (:func:`resolvers.report_builder.build_report`) in one read-only transaction and
rendered in a worker thread; ticket exports stream (:mod:`gateway.reports.exports`).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from gateway.auth import AuthError, Principal, TokenVerifier
from gateway.db import Database
from gateway.privacy.audit import (
    AuditedSession,
    AuditRecord,
    AuditWriter,
    ReadNotes,
    actor_role,
    report_read,
    request_id_of,
)
from gateway.reports.exports import (
    PROGRESS,
    ExportTooLarge,
    TicketExport,
    csv_stream,
    file_chunks,
    track,
    xlsx_file,
)
from gateway.reports.links import LinkError, link_key, verify
from gateway.reports.render import XLSX_TYPE, Rendered, render
from gateway.reports.render_csv import table_csv
from gateway.reports.render_xlsx import XlsxStream
from gateway.settings import Settings
from resolvers.buckets import Granularity
from resolvers.context import Caller, RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_series import kpi_series
from resolvers.offload import run_cpu
from resolvers.port import Session
from resolvers.report_builder import build_report
from resolvers.report_document import ReportDocument
from resolvers.report_exports import filter_from_payload
from resolvers.report_sections import series_table
from resolvers.reports import request_from_payload
from resolvers.windows import TimeWindow


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def attachment_name(title: str, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "export"
    return f"{stem}.{extension}"


def requested_by(principal: Principal) -> str:
    """How a report names who it was made for: e-mail (if in the token) and role."""
    email = principal.claims.get("email")
    role = principal.app_role or principal.role
    return f"{email} ({role})" if email else str(role)


def request_context(settings: Settings, principal: Principal, session: Session) -> RequestContext:
    """What the API's resolvers receive for a request of ``principal`` (reports are built by
    the same functions, with the same targets, zone and privacy settings)."""
    viewer = Caller(user_id=principal.user_id, role=principal.role, app_role=principal.app_role)
    return RequestContext(
        viewer=viewer,
        session=session,
        org_timezone=settings.org_timezone,
        kpi_targets=settings.kpi_targets,
        k_anonymity=settings.k_anonymity,
        now=datetime.now(UTC),
    )


async def render_report(
    db: Database,
    settings: Settings,
    principal: Principal,
    payload: Mapping[str, Any],
    notes: ReadNotes | None = None,
) -> tuple[ReportDocument, Rendered]:
    """Build the report of a link's ``payload`` under ``principal``'s rights and render it off
    the event loop (also used by the scheduler and the CLI); the personal data its contents
    carried is added to ``notes`` (for the audit log)."""
    req = request_from_payload(payload["r"])
    session = AuditedSession(
        db.session(principal, statement_timeout_ms=settings.statement_timeout_ms)
    )
    try:
        doc = await build_report(
            request_context(settings, principal, session),
            req,
            organisation=settings.reports.org_name,
            requested_by=requested_by(principal),
        )
    finally:
        await session.close()
    if notes is not None:
        notes.merge(session.notes)
    rendered = await run_cpu(render, doc, payload["f"], bom=bool(payload.get("bom")))
    return doc, rendered


def report_label(payload: Mapping[str, Any]) -> str:
    """A report's kind and format, as the audit log names it."""
    return f"{payload['r']['kind']} {payload['f']}"


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _series(
    db: Database, settings: Settings, principal: Principal, p: Mapping[str, Any]
) -> Response:
    session = db.session(principal, statement_timeout_ms=settings.statement_timeout_ms)
    try:
        window = TimeWindow(
            datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"]), p["tz"]
        )
        points = await kpi_series(
            request_context(settings, principal, session),
            p["kpi"],
            Granularity(p["g"]),
            window,
            team_id=UUID(p["team"]) if p.get("team") else None,
            agent_id=UUID(p["agent"]) if p.get("agent") else None,
            group_by=p.get("group"),
        )
    finally:
        await session.close()
    table = series_table(f"{p['kpi']} per {p['g']}", points)
    if p["f"] == "csv":
        content = await asyncio.to_thread(table_csv, table, bom=bool(p.get("bom")))
        return _attachment(content, "text/csv; charset=utf-8", attachment_name(p["kpi"], "csv"))

    def write() -> bytes:
        import os
        import tempfile

        fd, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            book = XlsxStream(path, p["kpi"], table.columns)
            book.write_rows(table.rows)
            book.close()
            with open(path, "rb") as handle:
                return handle.read()
        finally:
            os.unlink(path)

    return _attachment(await asyncio.to_thread(write), XLSX_TYPE, attachment_name(p["kpi"], "xlsx"))


async def _tickets(
    db: Database,
    settings: Settings,
    principal: Principal,
    p: Mapping[str, Any],
    key: str,
    wrap: Callable[[AsyncIterator[bytes], TicketExport], AsyncIterator[bytes]],
) -> Response:
    export = TicketExport(db, principal, filter_from_payload(p["q"]), ZoneInfo(p["tz"]))
    try:
        total = await export.open(
            settings.reports.row_cap(principal.app_role), settings.statement_timeout_ms
        )
    except ExportTooLarge as exc:
        return _error(413, f"{exc}; narrow the filter")
    progress = track(key, total)
    headers = {"X-Export-Rows": str(total)}
    if p["f"] == "csv":
        headers["Content-Disposition"] = 'attachment; filename="tickets.csv"'
        return StreamingResponse(
            wrap(csv_stream(export, progress, bool(p.get("bom"))), export),
            media_type="text/csv; charset=utf-8",
            headers=headers,
        )
    path = await xlsx_file(export, progress)
    headers["Content-Disposition"] = 'attachment; filename="tickets.xlsx"'
    return StreamingResponse(wrap(file_chunks(path), export), media_type=XLSX_TYPE, headers=headers)


def audited(
    stream: AsyncIterator[bytes],
    export: TicketExport,
    audit: AuditWriter | None,
    principal: Principal,
    request_id: str,
) -> AsyncIterator[bytes]:
    """``stream``, then a ``personal_data_read`` audit event when the export carried customers'
    contact data (how many rows, not which: an export may hold a million)."""

    async def run() -> AsyncIterator[bytes]:
        async for chunk in stream:
            yield chunk
        if audit is not None and export.with_contacts:
            audit.record(
                AuditRecord(
                    action="personal_data_read",
                    actor_user_id=principal.user_id,
                    actor_role=actor_role(principal),
                    operation="exportTickets download",
                    request_id=request_id,
                    subject_count=export.with_contacts,
                    details={"export": "tickets", "rows_with_contact_data": export.with_contacts},
                )
            )

    return run()


def export_routes(
    db: Database, settings: Settings, verifier: TokenVerifier, audit: AuditWriter | None = None
) -> list[BaseRoute]:
    """The download routes of the gateway app (``audit``: where exports of personal data are
    recorded)."""
    key = link_key(settings)

    async def caller(request: Request) -> Principal:
        return await verifier.principal_from_authorization(request.headers.get("authorization"))

    async def download(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            principal = await caller(request)
            payload = verify(key, token, principal.user_id)
            if payload["k"] == "report":
                notes = ReadNotes()
                doc, rendered = await render_report(db, settings, principal, payload, notes)
                report_read(
                    audit,
                    notes,
                    principal,
                    operation="runReport download",
                    request_id=request_id_of(request),
                    report=report_label(payload),
                )
                name = attachment_name(doc.title, rendered.extension)
                return _attachment(rendered.content, rendered.media_type, name)
            if payload["k"] == "series":
                return await _series(db, settings, principal, payload)
            return await _tickets(
                db,
                settings,
                principal,
                payload,
                token.rpartition(".")[2],
                lambda stream, export: audited(
                    stream, export, audit, principal, request_id_of(request)
                ),
            )
        except AuthError as exc:
            return _error(401, exc.reason)
        except LinkError as exc:
            return _error(exc.status, str(exc))
        except UserInputError as exc:
            return _error(422, str(exc))

    async def progress(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            verify(key, token, (await caller(request)).user_id)
        except AuthError as exc:
            return _error(401, exc.reason)
        except LinkError as exc:
            return _error(exc.status, str(exc))
        state = PROGRESS.get(token.rpartition(".")[2])
        if state is None:
            return JSONResponse({"started": False})
        return JSONResponse(
            {"started": True, "rows": state.rows, "total": state.total, "done": state.done}
        )

    return [
        Route("/exports/{token}/progress", progress, methods=["GET"]),
        Route("/exports/{token}", download, methods=["GET"]),
    ]
