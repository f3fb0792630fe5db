"""Customers: rows by id, keyset pages, VIP history and support summaries over a window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.pagination import MAX_PAGE_SIZE
from resolvers.port import Row
from resolvers.windows import TimeWindow


@dataclass(frozen=True, slots=True)
class CustomerPage:
    """Up to ``first`` customer rows after a cursor id, and whether more follow."""

    rows: Sequence[Row]
    has_next_page: bool


async def customer_by_id(ctx: RequestContext, customer_id: UUID) -> Row | None:
    """The customer row (contact fields when the caller may see them), or None."""
    row: Row | None = await ctx.loaders.customer_by_id.load(customer_id)
    return row


async def customers_page(
    ctx: RequestContext, vip_tiers: list[str] | None, first: int, after: UUID | None
) -> CustomerPage:
    """Visible customers by id after ``after``, of ``vip_tiers`` when given; ``first`` 0..500."""
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise UserInputError(f"first must be between 0 and {MAX_PAGE_SIZE}", field="first")
    rows = await ctx.session.fetch(sql.load("customers_by_ids_page"), vip_tiers, after, first + 1)
    return CustomerPage(list(rows[:first]), len(rows) > first)


async def customer_vip_history(ctx: RequestContext, customer_id: UUID) -> list[Row]:
    """The customer's VIP tier periods, oldest first."""
    rows: list[Row] = await ctx.loaders.vip_history_by_customer.load(customer_id)
    return rows


async def customer_support_summary(
    ctx: RequestContext, customer_id: UUID, window: TimeWindow
) -> Row:
    """The customer's support experience over ``window`` (one statement per window)."""
    loader = ctx.loaders.support_summary_by_customer(window.start, window.end, ctx.now)
    row: Row = await loader.load(customer_id)
    return row
