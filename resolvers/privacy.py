"""Privacy and data governance: the audit log, subject-access export, erasure and consent.

The rules live in the database (``supabase/migrations/202612020060*``): the functions check the
caller's role from the JWT (admin or dpo), do their work in one transaction and append their own
audit row. This module validates input, calls them under the caller's rights and shapes results.
A refused attempt is refused by the database too; it is recorded here (through the request's
:class:`AuditSink`) because the database's own record would roll back with the refusal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID

import asyncpg

import sql
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_results import KpiBreakdown, KpiGroupFigure
from resolvers.kpis import source_of
from resolvers.pagination import MAX_PAGE_SIZE, Cursor, decode_cursor, encode_cursor
from resolvers.port import Row, Session, WriteSessions
from resolvers.privacy_archive import build_archive
from resolvers.privacy_archived import erase_from_archives, export_archived, subject_of

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
#: What analysts see instead of free text written by or about customers.
MASKED_TEXT = "[masked]"
#: Roles that see no free text (the catalog's free_text columns) besides no contact data.
FREE_TEXT_MASKED_ROLES = frozenset({"analyst"})


def shown_text(app_role: str | None, value: str) -> str:
    """A free-text value (ticket subject) as the role may see it: masked for analysts."""
    return MASKED_TEXT if app_role in FREE_TEXT_MASKED_ROLES else value


def shown_optional_text(app_role: str | None, value: str | None) -> str | None:
    """An optional free-text value (QA feedback): null for analysts."""
    return None if app_role in FREE_TEXT_MASKED_ROLES else value


def shown_tags(app_role: str | None, tags: Sequence[str]) -> list[str]:
    """Free-form ticket tags: none for analysts."""
    return [] if app_role in FREE_TEXT_MASKED_ROLES else list(tags)


class AuditSink(Protocol):
    """The request's audit trail in the gateway (``gateway.privacy.audit.RequestAudit``)."""

    def refused(self, what: str, customer_id: UUID | None) -> None:
        """Queue an event: the caller attempted ``what`` without the right to."""
        ...

    def admin(self, what: str, target: str, details: Mapping[str, Any]) -> None:
        """Queue an event: the caller changed configuration (``what``, e.g. ``alert.resolve``)
        of ``target`` (its id); ``details``: codes and counts, never personal data."""
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


def writes_of(ctx: RequestContext) -> WriteSessions:
    """The request's read-write transactions (HTTP mutations only)."""
    writes = getattr(ctx, "writes", None)
    if writes is None:
        raise UserInputError("mutations are served over HTTP POST at /graphql")
    return cast(WriteSessions, writes)


def audit_sink(ctx: RequestContext) -> AuditSink | None:
    """The request's audit trail, when the gateway gave it one."""
    return cast(AuditSink | None, getattr(ctx, "audit", None))


def audit_admin(ctx: RequestContext, what: str, target: object, **details: Any) -> None:
    """Record a successful admin action (report or alert mutation) through the request's
    batched audit writer, when the gateway gave the request one."""
    sink = audit_sink(ctx)
    if sink is not None:
        sink.admin(what, str(target), details)


async def audit_log(
    ctx: RequestContext, filt: AuditFilter, first: int, after: str | None
) -> AuditPage:
    """One page of audit events, newest first (row level security shows them to admin/dpo)."""
    require_privacy_role(ctx.viewer.app_role, "the audit log")
    session = ctx.session
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


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A stored subject-access archive: its download path, expiry, checksum and rows per table."""

    path: str
    expires_at: datetime
    sha256: str
    size_bytes: int
    rows: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class ErasureResult:
    already_erased: bool
    done: Mapping[str, int]


#: Where the gateway serves export downloads (``gateway.privacy.downloads``).
EXPORT_PATH = "/privacy/exports/"


def _json(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


def _privileged(exc: asyncpg.PostgresError) -> UserInputError:
    return UserInputError(str(exc).split("\n")[0])


async def export_customer_data(ctx: RequestContext, customer_id: UUID) -> ExportResult:
    """Export everything about one customer into a short-lived download (one transaction: the
    database collects the rows and audits the export; the archive is stored with its link;
    the link lives ``ctx.export_ttl_seconds``)."""
    sink, now, ttl_seconds = audit_sink(ctx), ctx.now, ctx.export_ttl_seconds
    require_privacy_role(ctx.viewer.app_role, "exporting a customer's data", sink, customer_id)
    try:
        async with writes_of(ctx).write_session() as session:
            raw = await session.fetchval(sql.load("privacy_export_customer"), customer_id)
            tables: dict[str, list[dict[str, Any]]] = _json(raw)
            tables.update(await export_archived(session, customer_id))
            archive = await asyncio.to_thread(build_archive, tables, str(customer_id), now)
            row = await session.fetchrow(
                sql.load("privacy_store_export"), customer_id, archive, ttl_seconds
            )
    except asyncpg.InsufficientPrivilegeError as exc:
        raise _privileged(exc) from exc
    except asyncpg.NoDataFoundError as exc:
        raise UserInputError(f"customer {customer_id} does not exist", field="customerId") from exc
    assert row is not None
    return ExportResult(
        path=EXPORT_PATH + str(row["token"]),
        expires_at=row["expires_at"],
        sha256=str(row["sha256"]),
        size_bytes=len(archive),
        rows={name: len(rows) for name, rows in sorted(tables.items())},
    )


async def erase_customer(ctx: RequestContext, customer_id: UUID, reason: str) -> ErasureResult:
    """Erase one customer's personal data (the database does it in one transaction, audited)."""
    sink = audit_sink(ctx)
    require_privacy_role(ctx.viewer.app_role, "erasing a customer", sink, customer_id)
    if not reason.strip():
        raise UserInputError("reason must not be empty", field="reason")
    if len(reason) > 500:
        raise UserInputError("reason must be at most 500 characters", field="reason")
    try:
        async with writes_of(ctx).write_session() as session:
            subject = await subject_of(session, customer_id)
            raw = await session.fetchval(sql.load("privacy_erase_customer"), customer_id, reason)
            rewritten = await erase_from_archives(session, subject)
    except asyncpg.InsufficientPrivilegeError as exc:
        raise _privileged(exc) from exc
    except asyncpg.NoDataFoundError as exc:
        raise UserInputError(f"customer {customer_id} does not exist", field="customerId") from exc
    summary = _json(raw)
    if rewritten:
        summary["done"] = {**(summary.get("done") or {}), **rewritten}
    if not summary["already_erased"]:
        # this process's statistics cache (other processes: their hubs read the erasure event)
        from resolvers.statistics_data import CACHE

        CACHE.clear()
    return ErasureResult(
        already_erased=bool(summary["already_erased"]),
        done={str(k): int(v) for k, v in (summary.get("done") or {}).items()},
    )


@dataclass(frozen=True, slots=True)
class Consent:
    marketing: bool
    analytics: bool
    surveys: bool


async def set_consent(
    ctx: RequestContext,
    customer_id: UUID,
    *,
    marketing: bool | None,
    analytics: bool | None,
    surveys: bool | None,
) -> Consent:
    """Record a customer's consent (None = unchanged); the database audits the change."""
    require_privacy_role(ctx.viewer.app_role, "recording consent", audit_sink(ctx), customer_id)
    try:
        async with writes_of(ctx).write_session() as session:
            row = await session.fetchrow(
                sql.load("privacy_set_consent"), customer_id, marketing, analytics, surveys
            )
    except asyncpg.InsufficientPrivilegeError as exc:
        raise _privileged(exc) from exc
    except asyncpg.NoDataFoundError as exc:
        raise UserInputError(f"customer {customer_id} does not exist", field="customerId") from exc
    assert row is not None
    return Consent(
        marketing=row["consent_marketing"],
        analytics=row["consent_analytics"],
        surveys=row["consent_surveys"],
    )


#: Groupings whose groups are sets of customers' tickets (queue groups are not about customers).
_CUSTOMER_GROUPINGS = frozenset(
    {"channel", "category", "priority", "status", "vip_tier", "team", "agent", "policy"}
)


async def group_sizes(
    session: Session,
    app_role: str | None,
    k: int,
    source: str,
    window: tuple[datetime, datetime],
    group_by: str | None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> dict[str, int] | None:
    """Distinct customers behind each group of KPI source ``source`` over ``window`` (as the
    caller may see them), when an analyst's figures grouped by ``group_by`` need k-anonymity;
    None when they do not (other roles, groupings that are not about customers)."""
    if app_role != "analyst" or group_by not in _CUSTOMER_GROUPINGS or k <= 1:
        return None
    rows = await session.fetch(
        sql.load("privacy_group_customers"), source, window[0], window[1], group_by, team_id,
        agent_id,
    )  # fmt: skip
    return {str(r["group_key"]): int(r["customers"]) for r in rows}


async def k_anonymous(
    session: Session,
    app_role: str | None,
    k: int,
    results: Sequence[KpiBreakdown],
    window: tuple[datetime, datetime],
    group_by: str | None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> list[KpiBreakdown]:
    """Analysts' grouped figures with every group over fewer than ``k`` distinct customers
    suppressed (value, n, interval, previous and trend withheld; ``suppressed`` set), so a segment
    of one VIP cannot be singled out. Other roles, ungrouped figures: unchanged, no statement.
    One statement per KPI source otherwise."""
    if app_role != "analyst" or group_by not in _CUSTOMER_GROUPINGS or k <= 1:
        return list(results)
    counts: dict[str, dict[str, int]] = {}
    out = []
    for result in results:
        if not result.groups:
            out.append(result)
            continue
        source = source_of(result.overall.name).name
        if source not in counts:
            rows = await session.fetch(
                sql.load("privacy_group_customers"),
                source,
                window[0],
                window[1],
                group_by,
                team_id,
                agent_id,
            )
            counts[source] = {str(r["group_key"]): int(r["customers"]) for r in rows}
        sizes = counts[source]
        groups = tuple(g if sizes.get(g.key, 0) >= k else suppress_group(g) for g in result.groups)
        out.append(dataclasses.replace(result, groups=groups))
    return out


def suppress_group(group: KpiGroupFigure) -> KpiGroupFigure:
    """A group's figure withheld (its key, label, name, target and unit stay)."""
    return dataclasses.replace(
        group,
        value=None,
        n=0,
        ci_low=None,
        ci_high=None,
        status=None,
        previous=None,
        trend=None,
        std=None,
        suppressed=True,
    )
