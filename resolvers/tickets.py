"""Tickets: rows by id, their relations (survey, SLA targets and live state, interactions) and
ticket lists (filters, orderings and keyset pages), all under the caller's rights."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.loaders import load_now
from resolvers.pagination import Page, PageRequest, build_page, page_request
from resolvers.port import Row, Session
from resolvers.sla_state import SlaTargetState

T = TypeVar("T")

#: Most interactions one ``Ticket.interactions`` returns.
MAX_INTERACTIONS = 100


@dataclass(frozen=True, slots=True)
class TicketSelection:
    """Conjunction of optional criteria; ``None`` means "any". Values are database literals."""

    statuses: Sequence[str] | None = None
    priorities: Sequence[str] | None = None
    channels: Sequence[str] | None = None
    category_ids: Sequence[int] | None = None
    agent_ids: Sequence[UUID] | None = None
    team_ids: Sequence[UUID] | None = None
    vip_tiers: Sequence[str] | None = None
    customer_ids: Sequence[UUID] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    resolved_from: datetime | None = None
    resolved_to: datetime | None = None

    def __post_init__(self) -> None:
        for lo, hi, name in (
            (self.created_from, self.created_to, "created"),
            (self.resolved_from, self.resolved_to, "resolved"),
        ):
            if lo is not None and hi is not None and hi <= lo:
                raise UserInputError(f"{name} range is empty: 'to' must be after 'from'")
            for value in (lo, hi):
                if value is not None and value.tzinfo is None:
                    raise UserInputError(f"{name} range needs timestamps with a timezone")

    def params(self) -> tuple[Any, ...]:
        """Positional parameters $1..$12 of tickets_page.sql / tickets_count.sql."""

        def arr(v: Sequence[Any] | None) -> list[Any] | None:
            return list(v) if v is not None else None

        return (
            arr(self.statuses),
            arr(self.priorities),
            arr(self.channels),
            arr(self.category_ids),
            arr(self.agent_ids),
            arr(self.team_ids),
            arr(self.vip_tiers),
            arr(self.customer_ids),
            self.created_from,
            self.created_to,
            self.resolved_from,
            self.resolved_to,
        )


#: The columns each Ticket field reads (GraphQL name → columns of support_tickets); ``id`` and
#: the sort key are always read. A page whose nodes ask only for fields named here reads only
#: their columns; any other field (or a fragment) reads the whole row, as before.
TICKET_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (),
    "id": (),
    "subject": ("subject",),
    "channel": ("channel",),
    "priority": ("priority",),
    "status": ("status",),
    "vipTier": ("vip_tier",),
    "isWhiteGlove": ("is_white_glove",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
    "firstResponseAt": ("first_response_at",),
    "firstResolvedAt": ("first_resolved_at",),
    "resolvedAt": ("resolved_at",),
    "closedAt": ("closed_at",),
    "firstResponseDueAt": ("first_response_due_at",),
    "resolutionDueAt": ("resolution_due_at",),
    "reopenCount": ("reopen_count",),
    "agentReplyCount": ("agent_reply_count",),
    "customerMessageCount": ("customer_message_count",),
    "tags": ("tags",),
    "firstResponseMinutes": ("created_at", "first_response_at"),
    "resolutionMinutes": ("created_at", "resolved_at"),
    "customer": ("customer_id",),
    "agent": ("assigned_agent_id",),
    "team": ("team_id",),
    "category": ("category_id",),
    "slaPolicy": ("sla_policy_id",),
}


def page_columns(fields: set[str] | None) -> tuple[str, ...] | None:
    """The columns a page must read for these node fields (None: the whole row)."""
    if fields is None or not fields <= TICKET_FIELD_COLUMNS.keys():
        return None
    return tuple(sorted({"id", *(c for f in fields for c in TICKET_FIELD_COLUMNS[f])}))


#: Orderings: name → SQL sort-key expression (a closed set; the key must be a timestamptz).
ORDER_KEYS: dict[str, str] = {
    "created_at": "t.created_at",
    "updated_at": "t.updated_at",
    "resolved_at": "coalesce(t.resolved_at, 'infinity'::timestamptz)",
}


_KNOWN_COLUMNS = frozenset(c for cs in TICKET_FIELD_COLUMNS.values() for c in cs) | {"id"}


@functools.lru_cache(maxsize=256)
def _query(ordering: str, ascending: bool, forward: bool, columns: tuple[str, ...] | None) -> str:
    scan_ascending = ascending == forward
    if columns is not None and not set(columns) <= _KNOWN_COLUMNS:
        raise ValueError(f"unknown ticket columns {columns}")
    return sql.render(
        "tickets_page",
        {
            "columns": "t.*" if columns is None else ", ".join(f"t.{c}" for c in columns),
            "order_key": ORDER_KEYS[ordering],
            "cmp": ">" if scan_ascending else "<",
            "dir": "asc" if scan_ascending else "desc",
        },
    )


def _key_text(row: Row) -> str:
    key: datetime = row["sort_key"]
    return key.isoformat() if key != datetime.max.replace(tzinfo=key.tzinfo) else "infinity"


async def tickets_page(
    session: Session,
    filt: TicketSelection,
    *,
    ordering: str,
    ascending: bool,
    request: PageRequest,
    columns: tuple[str, ...] | None = None,
) -> Page[Row]:
    """One page of tickets matching ``filt`` in the given order (``columns``: read only these,
    see :func:`page_columns`; None: whole rows)."""
    if ordering not in ORDER_KEYS:
        raise UserInputError(f"unknown ordering {ordering!r}")
    if request.size == 0:
        return Page([], [], False, False)
    cursor = request.cursor
    rows = await session.fetch(
        _query(ordering, ascending, request.forward, columns),
        *filt.params(),
        cursor.key if cursor else None,
        cursor.id if cursor else None,
        request.size + 1,
    )
    return build_page(rows, request, f"{ordering}:{'asc' if ascending else 'desc'}", _key_text)


async def tickets_count(session: Session, filt: TicketSelection) -> int:
    """How many tickets match ``filt`` (only the ones the caller may see)."""
    return int(await session.fetchval(sql.load("tickets_count"), *filt.params()))


@dataclass(frozen=True, slots=True)
class TicketList:
    """One page of ticket rows and the (lazy, one extra statement) count of all matches."""

    page: Page[Row]
    count: Callable[[], Awaitable[int]]


async def ticket_list(
    ctx: RequestContext,
    selection: TicketSelection,
    *,
    ordering: str,
    ascending: bool,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    fields: set[str] | None = None,
) -> TicketList:
    """The page of tickets matching ``selection`` that the Relay arguments ask for; ``fields``:
    the node fields asked for (None: unknown), which decide the columns read."""
    order = f"{ordering}:{'asc' if ascending else 'desc'}"
    req = page_request(first=first, after=after, last=last, before=before, ordering=order)
    session = ctx.session
    page = await tickets_page(session, selection, ordering=ordering, ascending=ascending,
                              request=req, columns=page_columns(fields))  # fmt: skip

    async def count() -> int:
        return await tickets_count(session, selection)

    return TicketList(page, count)


class Prefetched:
    """Rows fetched ahead for a page, by key, or the error their statement raised (then every
    look-up raises it, as every key of a failed DataLoader batch does)."""

    __slots__ = ("_error", "_made", "_rows")

    def __init__(self, rows: dict[Any, Row | None], error: Exception | None = None) -> None:
        self._rows = rows
        self._error = error
        self._made: dict[Any, Any] = {}

    def get(self, key: Any) -> Row | None:
        if self._error is not None:
            raise self._error
        return self._rows.get(key)

    def made(self, key: Any, make: Callable[[Row], T]) -> T | None:
        """``make(row)`` of the row of ``key``, made once per key (tickets of one agent share
        their agent's object: 100 tickets, ~70 agents, each converted once)."""
        if key in self._made:
            made: T | None = self._made[key]
            return made
        row = self.get(key)
        value = make(row) if row is not None else None
        self._made[key] = value
        return value


async def page_agents(ctx: RequestContext, rows: Sequence[Row]) -> Prefetched:
    """The assigned agents of a page's tickets, through the request's agent loader (the same
    one statement ``Ticket.agent`` would send for the page, and the same cache; called at once,
    :func:`resolvers.loaders.load_now`), fetched before the page's nodes are completed so each
    ``agent`` field has its row at hand."""
    ids = list(dict.fromkeys(r["assigned_agent_id"] for r in rows))
    ids = [i for i in ids if i is not None]
    if not ids:
        return Prefetched({})
    try:
        found = await load_now(ctx.loaders.agent_by_id, ids)
    except Exception as exc:  # raised again by each agent field that reads it
        return Prefetched({}, exc)
    return Prefetched(dict(zip(ids, found, strict=True)))


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    """Calendar minutes from ``start`` to ``end`` (3 decimals), None if either is missing."""
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60.0, 3)


async def ticket_by_id(ctx: RequestContext, ticket_id: int) -> Row | None:
    """The ticket row, or None when it does not exist or is not visible."""
    row: Row | None = await ctx.loaders.ticket_by_id.load(ticket_id)
    return row


async def ticket_survey(ctx: RequestContext, ticket_id: int) -> Row | None:
    """The satisfaction survey row of the ticket, or None."""
    row: Row | None = await ctx.loaders.survey_by_ticket.load(ticket_id)
    return row


async def ticket_sla_targets(ctx: RequestContext, ticket_id: int) -> list[Row]:
    """The ticket's SLA target rows (first response, resolution) with their outcome."""
    rows: list[Row] = await ctx.loaders.sla_targets_by_ticket.load(ticket_id)
    return rows


async def ticket_sla_state(ctx: RequestContext, ticket_id: int) -> list[SlaTargetState]:
    """The live state of the ticket's SLA targets (empty when it has none)."""
    states: list[SlaTargetState] = await ctx.loaders.sla_state_by_ticket.load(ticket_id)
    return states


async def ticket_interactions(ctx: RequestContext, ticket_id: int, last: int) -> list[Row]:
    """The ticket's latest ``last`` (0..100) interaction rows, newest first."""
    if not 0 <= last <= MAX_INTERACTIONS:
        raise UserInputError(f"last must be between 0 and {MAX_INTERACTIONS}", field="last")
    if last == 0:
        return []
    rows: list[Row] = await ctx.loaders.latest_interactions_by_ticket(last).load(ticket_id)
    return rows
