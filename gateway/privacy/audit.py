"""The audit trail of requests: reads of personal data and authentication failures.

Why buffered
    A user's GraphQL operation runs in one *read-only* transaction under the caller's role, so it
    cannot write its own audit row; writing one in a second transaction would add a round trip
    (and a commit) to every request. Instead the gateway records events in memory and
    :class:`AuditWriter` flushes them in batches, one statement (``app.audit_append``) per batch,
    from a background task every ``flush_seconds`` (or as soon as ``max_batch`` events wait).
    The cost: events of the last ``flush_seconds`` are lost if the process dies without stopping;
    stopping the gateway flushes what is left. Privacy actions (export, erasure, consent) are not
    buffered: the database functions audit them in their own transaction.

What counts as a read of personal data
    Every named query that returns customer contact data or message bodies says so in a column,
    ``pii_visible`` (with the customer ``id``) or ``body_visible`` (with the interaction's
    ``ticket_id``): the row level security decides whether the caller saw them. The event names
    every customer whose data the database released for the operation (a page's look-ahead row
    included), a superset of what the response shows.
    :class:`AuditedSession` wraps the request's session and notes those rows;
    :class:`PersonalDataAudit` (a schema extension) turns what was noted into one event per
    operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from strawberry.extensions import SchemaExtension

import sql
from gateway.auth import AuthError, Principal
from gateway.db import Database
from resolvers.port import Row

log = logging.getLogger(__name__)

#: At most this many customer ids are named in one read event (more: only the count).
MAX_NAMED_CUSTOMERS = 100
#: Events kept in memory while the database is unreachable; older ones are dropped beyond it.
MAX_PENDING = 20_000


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit event as the gateway records it (columns of ``public.privacy_audit_log``)."""

    action: str
    actor_user_id: uuid.UUID | None = None
    actor_role: str | None = None
    operation: str | None = None
    request_id: str | None = None
    customer_id: uuid.UUID | None = None
    subject_count: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "actor_user_id": str(self.actor_user_id) if self.actor_user_id else None,
            "actor_role": self.actor_role,
            "operation": self.operation,
            "request_id": self.request_id,
            "customer_id": str(self.customer_id) if self.customer_id else None,
            "subject_count": self.subject_count,
            "details": self.details,
            "occurred_at": self.occurred_at.isoformat(),
        }


def actor_role(principal: Principal) -> str:
    return principal.app_role or principal.role


class AuditWriter:
    """Buffers :class:`AuditRecord` events and appends them in batches (see the module doc)."""

    def __init__(self, db: Database, *, flush_seconds: float = 1.0, max_batch: int = 500) -> None:
        self._db = db
        self._flush_seconds = flush_seconds
        self._max_batch = max_batch
        self._pending: list[AuditRecord] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()
        self.written = 0
        self.dropped = 0

    def record(self, event: AuditRecord) -> None:
        """Queue ``event`` (never blocks, never raises)."""
        self._pending.append(event)
        if len(self._pending) > MAX_PENDING:
            excess = len(self._pending) - MAX_PENDING
            del self._pending[:excess]
            self.dropped += excess
        if len(self._pending) >= self._max_batch:
            self._wake.set()

    def auth_failure(self, error: AuthError, *, path: str, client: str | None) -> None:
        """Record a rejected token (the claims are not trusted, so no actor is named)."""
        self.record(
            AuditRecord(
                action="auth_failure",
                details={
                    "code": error.code,
                    "reason": error.reason,
                    "path": path,
                    "client": client,
                },
            )
        )

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Write everything queued now (one statement per ``max_batch``); how many were written."""
        async with self._flush_lock:
            written = 0
            while self._pending:
                batch = self._pending[: self._max_batch]
                payload = json.dumps([e.as_json() for e in batch])
                async with self._db.pool.acquire() as conn:
                    await conn.fetchval(sql.load("audit_append"), payload)
                del self._pending[: len(batch)]
                written += len(batch)
            self.written += written
            return written

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        """Stop the background task and flush what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.exception("audit: %d event(s) could not be written at shutdown", self.pending)

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._flush_seconds)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("audit: flush failed; %d event(s) kept for retry", self.pending)


class ReadNotes:
    """The personal data a session's rows carried: customers whose contact data (``pii_visible``
    with ``id``) or free text about whom (``subject_customer_id``: an alert about their ticket)
    the database released, and tickets whose message bodies it released (``body_visible`` with
    ``ticket_id``)."""

    __slots__ = ("body_tickets", "customer_ids")

    def __init__(self) -> None:
        self.customer_ids: set[Any] = set()
        self.body_tickets: set[Any] = set()

    def __bool__(self) -> bool:
        return bool(self.customer_ids or self.body_tickets)

    def note(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        first = rows[0]
        if "pii_visible" in first:
            self.customer_ids.update(r["id"] for r in rows if r["pii_visible"])
        if "subject_customer_id" in first:
            self.customer_ids.update(
                r["subject_customer_id"] for r in rows if r["subject_customer_id"] is not None
            )
        if "body_visible" in first:
            self.body_tickets.update(r["ticket_id"] for r in rows if r["body_visible"])

    def merge(self, other: ReadNotes) -> None:
        self.customer_ids |= other.customer_ids
        self.body_tickets |= other.body_tickets

    def take(self) -> ReadNotes:
        """What was noted so far (this object starts afresh)."""
        out = ReadNotes()
        out.customer_ids, out.body_tickets = self.customer_ids, self.body_tickets
        self.customer_ids, self.body_tickets = set(), set()
        return out


class AuditedSession:
    """A :class:`resolvers.port.Session` that notes which personal data its rows carried."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.notes = ReadNotes()

    @property
    def statements(self) -> int:
        count: int = self._inner.statements
        return count

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        rows: Sequence[Row] = await self._inner.fetch(query, *args)
        self.notes.note(rows)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        row: Row | None = await self._inner.fetchrow(query, *args)
        if row is not None:
            self.notes.note([row])
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._inner.fetchval(query, *args)

    async def close(self) -> None:
        await self._inner.close()


def read_event(
    notes: ReadNotes,
    principal: Principal,
    *,
    operation: str | None,
    request_id: str,
    extra: dict[str, Any] | None = None,
) -> AuditRecord | None:
    """The personal-data read event of what ``notes`` hold, or None when they hold nothing
    (``extra``: how it was delivered — a subscription, a report — never personal data)."""
    customers, tickets = notes.customer_ids, notes.body_tickets
    if not customers and not tickets:
        return None
    named = sorted(str(c) for c in customers)
    details: dict[str, Any] = dict(extra or {})
    if len(named) <= MAX_NAMED_CUSTOMERS:
        details["customers"] = named
    if tickets:
        details["message_bodies_of_tickets"] = len(tickets)
    return AuditRecord(
        action="personal_data_read",
        actor_user_id=principal.user_id,
        actor_role=actor_role(principal),
        operation=operation,
        request_id=request_id,
        customer_id=uuid.UUID(named[0]) if len(named) == 1 else None,
        subject_count=len(named),
        details=details,
    )


def report_read(
    writer: AuditWriter | None,
    notes: ReadNotes | None,
    principal: Principal,
    *,
    operation: str,
    request_id: str,
    report: str,
) -> None:
    """Queue the read event of a report's contents (a download, a scheduled delivery, the CLI)
    when they carried personal data (``report``: its kind and format, never its text)."""
    if writer is None or not notes:
        return
    event = read_event(
        notes, principal, operation=operation, request_id=request_id, extra={"report": report}
    )
    if event is not None:
        writer.record(event)


def request_id_of(request: Any) -> str:
    """The caller's ``X-Request-Id`` (trimmed to 100 characters) or a fresh one."""
    headers = getattr(request, "headers", None)
    given = headers.get("x-request-id") if headers is not None else None
    return given.strip()[:100] if given and given.strip() else uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class RequestAudit:
    """One request's audit trail: the writer, who is asking and the request id (implements
    :class:`resolvers.privacy.AuditSink`)."""

    writer: AuditWriter
    principal: Principal
    request_id: str

    def refused(self, what: str, customer_id: uuid.UUID | None) -> None:
        self.writer.record(
            AuditRecord(
                action="refused",
                actor_user_id=self.principal.user_id,
                actor_role=actor_role(self.principal),
                request_id=self.request_id,
                customer_id=customer_id,
                details={"attempted": what},
            )
        )

    def admin(self, what: str, target: str, details: Mapping[str, Any]) -> None:
        self.writer.record(
            AuditRecord(
                action="admin",
                actor_user_id=self.principal.user_id,
                actor_role=actor_role(self.principal),
                request_id=self.request_id,
                details={"admin_action": what, "target": target, **details},
            )
        )

    def subscription_read(
        self, notes: ReadNotes | None, *, operation: str | None, subscription_id: str | None
    ) -> None:
        """Queue the read event of one subscription event delivered to this connection."""
        if not notes:
            return
        extra: dict[str, Any] = {"delivery": "subscription"}
        if subscription_id is not None:
            extra["subscription_id"] = subscription_id
        event = read_event(
            notes, self.principal, operation=operation, request_id=self.request_id, extra=extra
        )
        if event is not None:
            self.writer.record(event)


class PersonalDataAudit(SchemaExtension):
    """Queue one event naming the personal data returned: at the end of each HTTP operation,
    and after each event of a subscription (a shared stream's events are recorded per member
    by :mod:`gateway.realtime.transport_ws`, which takes the notes first)."""

    def on_operation(self) -> Any:
        yield
        context = self.execution_context.context
        session = getattr(context, "session", None)
        audit = getattr(context, "audit", None)
        if not isinstance(session, AuditedSession) or not isinstance(audit, RequestAudit):
            return
        event = read_event(
            session.notes.take(),
            audit.principal,
            operation=self.execution_context.operation_name,
            request_id=audit.request_id,
        )
        if event is not None:
            audit.writer.record(event)

    def on_stream_result(self, result: Any) -> Any:
        yield
        context = self.execution_context.context
        notes = getattr(getattr(context, "session", None), "notes", None)
        audit = getattr(context, "audit", None)
        if isinstance(notes, ReadNotes) and isinstance(audit, RequestAudit):
            audit.subscription_read(
                notes.take(), operation=self.execution_context.operation_name, subscription_id=None
            )
