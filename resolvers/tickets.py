"""Ticket lists: filters, orderings and keyset pages under the caller's rights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sql
from resolvers.errors import UserInputError
from resolvers.pagination import Page, PageRequest, build_page
from resolvers.port import Row, Session


@dataclass(frozen=True, slots=True)
class TicketFilter:
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


#: Orderings: name → SQL sort-key expression (a closed set; the key must be a timestamptz).
ORDER_KEYS: dict[str, str] = {
    "created_at": "t.created_at",
    "updated_at": "t.updated_at",
    "resolved_at": "coalesce(t.resolved_at, 'infinity'::timestamptz)",
}


def _query(ordering: str, ascending: bool, forward: bool) -> str:
    scan_ascending = ascending == forward
    return sql.render(
        "tickets_page",
        {
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
    filt: TicketFilter,
    *,
    ordering: str,
    ascending: bool,
    request: PageRequest,
) -> Page[Row]:
    """One page of tickets matching ``filt`` in the given order."""
    if ordering not in ORDER_KEYS:
        raise UserInputError(f"unknown ordering {ordering!r}")
    if request.size == 0:
        return Page([], [], False, False)
    cursor = request.cursor
    rows = await session.fetch(
        _query(ordering, ascending, request.forward),
        *filt.params(),
        cursor.key if cursor else None,
        cursor.id if cursor else None,
        request.size + 1,
    )
    return build_page(rows, request, f"{ordering}:{'asc' if ascending else 'desc'}", _key_text)


async def tickets_count(session: Session, filt: TicketFilter) -> int:
    """How many tickets match ``filt`` (only the ones the caller may see)."""
    return int(await session.fetchval(sql.load("tickets_count"), *filt.params()))
