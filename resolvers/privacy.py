"""Privacy and data governance: the audit log, subject-access export, erasure and consent.

The rules live in the database (``supabase/migrations/202612020060*``): the functions check the
caller's role from the JWT (admin or dpo), do their work in one transaction and append their own
audit row. This module validates input, calls them under the caller's rights and shapes results.
A refused attempt is refused by the database too; it is recorded here (through the request's
:class:`AuditSink`) because the database's own record would roll back with the refusal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg

import sql
from resolvers.alert_actions import WriteSessions
from resolvers.errors import UserInputError
from resolvers.pagination import MAX_PAGE_SIZE, Cursor, decode_cursor, encode_cursor
from resolvers.port import Row, Session

#: Application roles that may read the audit log and run privacy actions.
PRIVACY_ROLES = frozenset({"admin", "dpo"})
AUDIT_ACTIONS = (
    "personal_data_read",
    "auth_failure",
    "export",
    "export_download",
    "erase",
    "refused",
    "consent_change",
    "retention_run",
    "admin",
)
_ORDERING = "audit_id_desc"


class AuditSink(Protocol):
    """The request's audit trail in the gateway (``gateway.privacy.audit.RequestAudit``)."""

    def refused(self, what: str, customer_id: UUID | None) -> None:
        """Queue an event: the caller attempted ``what`` without the right to."""
        ...


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actions: Sequence[str] | None = None
    customer_id: UUID | None = None
    actor_user_id: UUID | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: Sequence[Row]
    cursors: Sequence[str]
    has_next_page: bool


def require_privacy_role(
    app_role: str | None,
    what: str,
    sink: AuditSink | None = None,
    customer_id: UUID | None = None,
) -> None:
    """Refuse roles other than admin and dpo with a clear error, recording the attempt in the
    audit log when ``sink`` is given (the database refuses them too, but its own audit row would
    roll back with the refusal)."""
    if app_role not in PRIVACY_ROLES:
        if sink is not None:
            sink.refused(what, customer_id)
        raise UserInputError(f"{what} is for the admin and dpo roles only")


async def audit_log(
    session: Session, app_role: str | None, filt: AuditFilter, first: int, after: str | None
) -> AuditPage:
    """One page of audit events, newest first (row level security shows them to admin/dpo)."""
    require_privacy_role(app_role, "the audit log")
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise UserInputError(f"first must be between 0 and {MAX_PAGE_SIZE}", field="first")
    for action in filt.actions or ():
        if action not in AUDIT_ACTIONS:
            raise UserInputError(
                f"unknown audit action {action!r}; one of {', '.join(AUDIT_ACTIONS)}",
                field="filter.actions",
            )
    if filt.start and filt.end and filt.start >= filt.end:
        raise UserInputError("filter.from must be before filter.to", field="filter.from")
    before_id = decode_cursor(after, _ORDERING).id if after else None
    rows = await session.fetch(
        sql.load("audit_log_page"),
        list(filt.actions) if filt.actions else None,
        filt.customer_id,
        filt.actor_user_id,
        filt.start,
        filt.end,
        before_id,
        first + 1,
    )
    page = list(rows[:first])
    cursors = [encode_cursor(Cursor(_ORDERING, "", int(r["id"]))) for r in page]
    return AuditPage(page, cursors, has_next_page=len(rows) > first)


def details_of(row: Row) -> dict[str, Any]:
    raw = row["details"]
    value = json.loads(raw) if isinstance(raw, str) else raw
    return dict(value or {})


async def call_privacy_function(writes: WriteSessions, query: str, *args: Any) -> Any:
    """Run one privacy function in a read-write transaction under the caller's rights; its
    refusal (insufficient privilege) or a missing customer become :class:`UserInputError`."""
    try:
        async with writes.write_session() as session:
            return await session.fetchval(sql.load(query), *args)
    except asyncpg.InsufficientPrivilegeError as exc:
        raise UserInputError(str(exc).split("\n")[0]) from exc
    except asyncpg.NoDataFoundError as exc:
        raise UserInputError(str(exc).split("\n")[0], field="customerId") from exc
