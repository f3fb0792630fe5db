"""Streamed data exports: tickets of any filter as CSV or XLSX in constant memory.

The rows are read through a server-side cursor (asyncpg, ``prefetch`` rows at a time) inside
one READ ONLY, REPEATABLE READ transaction under the downloader's role and claims (the same
``session_setup`` as every request), so row level security decides every row and the count
sent first (``X-Export-Rows``) is exactly what follows. CSV is sent as it is produced; XLSX is
written row by row to a temporary file by xlsxwriter's ``constant_memory`` mode (in a worker
thread, a batch at a time) and then streamed. Progress (rows so far) is kept per export in
:data:`PROGRESS` and served at ``/exports/<token>/progress``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sql
from gateway.auth import Principal
from gateway.db import Database
from gateway.reports.render_csv import BOM, csv_field
from gateway.reports.render_xlsx import XlsxStream
from resolvers.privacy import shown_tags, shown_text
from resolvers.report_document import Cell, Column
from resolvers.tickets import TicketSelection

PREFETCH = 2000
XLSX_BATCH = 5000
CHUNK = 1 << 16

TICKET_COLUMNS: tuple[tuple[str, Column], ...] = (
    ("id", Column("id", "integer")),
    ("subject", Column("subject")),
    ("status", Column("status")),
    ("priority", Column("priority")),
    ("channel", Column("channel")),
    ("vip_tier", Column("vip_tier")),
    ("is_white_glove", Column("is_white_glove")),
    ("category_id", Column("category_id", "integer")),
    ("team_id", Column("team_id")),
    ("assigned_agent_id", Column("assigned_agent_id")),
    ("customer_id", Column("customer_id")),
    ("customer_name", Column("customer_name")),
    ("customer_email", Column("customer_email")),
    ("created_at", Column("created_at", "datetime")),
    ("first_response_at", Column("first_response_at", "datetime")),
    ("resolved_at", Column("resolved_at", "datetime")),
    ("closed_at", Column("closed_at", "datetime")),
    ("reopen_count", Column("reopen_count", "integer")),
    ("agent_reply_count", Column("agent_reply_count", "integer")),
    ("customer_message_count", Column("customer_message_count", "integer")),
    ("tags", Column("tags")),
)
HEADER = tuple(c for _, c in TICKET_COLUMNS)


@dataclass
class Progress:
    """An export's progress: rows written so far of ``total``; ``with_contacts``: rows that
    carried a customer's name and e-mail (for the audit log)."""

    total: int
    rows: int = 0
    done: bool = False
    with_contacts: int = 0


#: Exports under way or finished in this process, by link signature (bounded below).
PROGRESS: dict[str, Progress] = {}
MAX_TRACKED = 1000


def track(key: str, total: int) -> Progress:
    if len(PROGRESS) >= MAX_TRACKED:
        for old in [k for k, p in PROGRESS.items() if p.done][: MAX_TRACKED // 2]:
            PROGRESS.pop(old, None)
    progress = PROGRESS[key] = Progress(total)
    return progress


class ExportTooLarge(Exception):
    """More rows match than the role's cap allows."""


def _cell(value: Any, zone: ZoneInfo) -> Cell:
    if isinstance(value, datetime):
        return value.astimezone(zone)
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)  # uuids, booleans as text


class TicketExport:
    """One export's transaction: :meth:`open` counts, :meth:`rows` streams, :meth:`close` ends."""

    def __init__(self, db: Database, principal: Principal, filt: TicketSelection, zone: ZoneInfo):
        self._db, self._principal, self._filter, self._zone = db, principal, filt, zone
        self.with_contacts = 0
        self._conn: Any = None
        self._tx: Any = None

    async def open(self, cap: int, statement_timeout_ms: int) -> int:
        """Start the transaction and count the rows; ExportTooLarge beyond ``cap``."""
        self._conn = await self._db.pool.acquire()
        try:
            self._tx = self._conn.transaction(readonly=True, isolation="repeatable_read")
            await self._tx.start()
            await self._conn.execute(
                sql.load("session_setup"),
                self._principal.role,
                self._principal.claims_json(),
                str(statement_timeout_ms),
            )
            count = int(
                await self._conn.fetchval(sql.load("tickets_count"), *self._filter.params())
            )
        except BaseException:
            await self.close()
            raise
        if count > cap:
            await self.close()
            raise ExportTooLarge(f"{count} tickets match; your role may export at most {cap}")
        return count

    async def rows(self) -> AsyncIterator[tuple[Cell, ...]]:
        """The rows, free text shown as the API shows it to the caller's role
        (:func:`resolvers.privacy.shown_text`: analysts get masked subjects and no tags)."""
        keys = [k for k, _ in TICKET_COLUMNS]
        role = self._principal.app_role
        subject, tags, email = (
            keys.index("subject"),
            keys.index("tags"),
            keys.index("customer_email"),
        )
        cursor = self._conn.cursor(
            sql.load("tickets_export"), *self._filter.params(), prefetch=PREFETCH
        )
        async for record in cursor:
            row = [_cell(record[k], self._zone) for k in keys]
            row[subject] = shown_text(role, str(row[subject]))
            row[tags] = " ".join(shown_tags(role, str(row[tags] or "").split()))
            if row[email] is not None:
                self.with_contacts += 1
            yield tuple(row)

    async def close(self) -> None:
        conn, tx = self._conn, self._tx
        self._conn = self._tx = None
        if conn is None:
            return
        try:
            if tx is not None:
                with contextlib.suppress(Exception):
                    await tx.rollback()
        finally:
            await self._db.pool.release(conn)


async def csv_stream(export: TicketExport, progress: Progress, bom: bool) -> AsyncIterator[bytes]:
    """The export as CSV chunks (RFC 4180, UTF-8); closes the export at the end."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    try:
        if bom:
            buffer.write(BOM)
        writer.writerow([c.title for c in HEADER])
        async for row in export.rows():
            writer.writerow([csv_field(v) for v in row])
            progress.rows += 1
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
        progress.done = True
    finally:
        await export.close()


async def xlsx_file(export: TicketExport, progress: Progress) -> str:
    """Write the export to a temporary .xlsx file (constant memory); return its path."""
    fd, path = tempfile.mkstemp(prefix="support-export-", suffix=".xlsx")
    os.close(fd)
    book = XlsxStream(path, "Tickets", HEADER)
    try:
        batch: list[Sequence[Cell]] = []
        async for row in export.rows():
            batch.append(row)
            if len(batch) >= XLSX_BATCH:
                await asyncio.to_thread(book.write_rows, batch)
                progress.rows += len(batch)
                batch = []
        await asyncio.to_thread(book.write_rows, batch)
        progress.rows += len(batch)
        await asyncio.to_thread(book.close)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    finally:
        await export.close()
    progress.done = True
    return path


async def file_chunks(path: str) -> AsyncIterator[bytes]:
    """A file's bytes in chunks, deleting it afterwards."""
    try:
        with open(path, "rb") as handle:  # noqa: ASYNC230 (local temp file, 64 KiB reads)
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
