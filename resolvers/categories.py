"""The category tree: rows by id, the flattened tree, children and statistics over a window."""

from __future__ import annotations

import sql
from resolvers.context import RequestContext
from resolvers.port import Row
from resolvers.windows import TimeWindow


async def categories(ctx: RequestContext) -> list[Row]:
    """Every category, roots first, then by path (``categories_all``)."""
    return list(await ctx.session.fetch(sql.load("categories_all")))


async def category_by_id(ctx: RequestContext, category_id: int) -> Row | None:
    """The category row, or None."""
    row: Row | None = await ctx.loaders.category_by_id.load(category_id)
    return row


async def category_children(ctx: RequestContext, category_id: int) -> list[Row]:
    """The category's direct sub-category rows."""
    rows: list[Row] = await ctx.loaders.children_by_category.load(category_id)
    return rows


async def category_stats(ctx: RequestContext, category_id: int, window: TimeWindow) -> Row:
    """Ticket statistics of the category and all its descendants over ``window`` (one
    ``category_stats`` statement per window for every category asked)."""
    row: Row = await ctx.loaders.stats_by_category(window.start, window.end).load(category_id)
    return row
