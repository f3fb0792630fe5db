"""The ``report`` and ``worker`` commands of ``support-gateway`` (registered in
:mod:`gateway.cli`)."""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

import sql
from gateway.auth import Principal
from gateway.db import Database
from gateway.privacy.audit import AuditWriter, ReadNotes, report_read
from gateway.reports.routes import render_report, report_label
from gateway.reports.scheduler import run_worker
from gateway.settings import Settings
from resolvers.reports import report_definition, report_request, request_payload


async def principal_of(dsn: str, user: uuid.UUID | None, role: str) -> Principal:
    conn = await asyncpg.connect(dsn)
    try:
        if user is None:
            row = await conn.fetchrow(sql.load("first_user_of_role"), role)
            if row is None:
                raise ValueError(f"no user has role {role!r}")
            user = row["id"]
        found = await conn.fetchrow(sql.load("user_role_of"), user)
    finally:
        await conn.close()
    if found is None or found["app_role"] is None:
        raise ValueError(f"user {user} has no application role")
    claims = {
        "sub": str(user),
        "role": "authenticated",
        "aud": "authenticated",
        "app_role": found["app_role"],
        "email": found["email"],
    }
    return Principal(
        user_id=user, role="authenticated", app_role=found["app_role"], claims=claims, token=None
    )


async def write_report(
    dsn: str,
    settings: Settings,
    *,
    name: str,
    fmt: str,
    out: Path,
    team: uuid.UUID | None,
    user: uuid.UUID | None,
    role: str,
    start: datetime | None,
    end: datetime | None,
    timezone: str | None,
) -> tuple[str, int]:
    """Build report ``name`` (a slug or id) as ``user`` (default: the first user of ``role``)
    may see it and write it to ``out``; return (title, bytes)."""
    principal = await principal_of(dsn, user, role)
    db = Database(dsn, min_size=1, max_size=2)
    await db.open()
    try:
        session = db.session(principal, statement_timeout_ms=settings.statement_timeout_ms)
        try:
            key = _maybe_uuid(name)
            definition = await report_definition(
                session, principal.user_id, id=key, slug=None if key else name
            )
            req = report_request(
                definition,
                None,
                start=start,
                end=end,
                period=None,
                timezone=timezone or settings.org_timezone,
                now=datetime.now(UTC),
                team_id=team,
            )
        finally:
            await session.close()
        notes = ReadNotes()
        payload = request_payload(req, fmt, bom=False)
        doc, rendered = await render_report(db, settings, principal, payload, notes)
        audit = AuditWriter(db)
        report_read(
            audit,
            notes,
            principal,
            operation="report command",
            request_id=uuid.uuid4().hex,
            report=report_label(payload),
        )
        await audit.flush()
    finally:
        await db.close()
    await asyncio.to_thread(out.write_bytes, rendered.content)
    return doc.title, len(rendered.content)


def _maybe_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def worker(dsn: str, settings: Settings) -> None:
    """Run the report scheduler until SIGINT/SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(dsn, settings, stop)

    asyncio.run(main())
