"""Alerts as the caller may see them: keyset pages (newest first), counts and rows by id.

Changing an alert (acknowledge, resolve) is :mod:`resolvers.alert_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sql
from resolvers.context import RequestContext
from resolvers.pagination import Page, build_page, page_request
from resolvers.port import Row

#: The one ordering of alert pages (the cursor names it).
ALERT_ORDERING = "raised_at:desc"


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Database values of the optional filters (None = any)."""

    statuses: list[str] | None = None
    severities: list[str] | None = None
    types: list[str] | None = None

    def params(self) -> tuple[list[str] | None, list[str] | None, list[str] | None]:
        """$1..$3 of ``alerts_page`` and ``alerts_count``."""
        return (self.statuses, self.severities, self.types)


def _key_text(row: Row) -> str:
    raised: datetime = row["sort_key"]
    return raised.isoformat()


async def alerts_page(
    ctx: RequestContext, filt: AlertFilter, first: int, after: str | None
) -> Page[Row]:
    """The ``first`` (0..500) newest visible alerts after cursor ``after`` matching ``filt``."""
    req = page_request(first=first, after=after, last=None, before=None, ordering=ALERT_ORDERING)
    rows: list[Row] = []
    if req.size:
        cursor = req.cursor
        rows = list(
            await ctx.session.fetch(
                sql.load("alerts_page"),
                *filt.params(),
                cursor.key if cursor else None,
                cursor.id if cursor else None,
                req.size + 1,
            )
        )
    return build_page(rows, req, ALERT_ORDERING, _key_text)


async def alerts_count(ctx: RequestContext, filt: AlertFilter) -> int:
    """How many visible alerts match ``filt``."""
    return int(await ctx.session.fetchval(sql.load("alerts_count"), *filt.params()))


async def alert_by_id(ctx: RequestContext, alert_id: int) -> Row | None:
    """The alert row, or None when it does not exist or is not visible."""
    row: Row | None = await ctx.loaders.alert_by_id.load(alert_id)
    return row
