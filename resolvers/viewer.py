"""The caller's own records."""

from __future__ import annotations

import sql
from resolvers.context import RequestContext
from resolvers.port import Row


async def viewer_agent(ctx: RequestContext) -> Row | None:
    """The caller's agent row (agents and team leads), or None (``viewer_agent``)."""
    row: Row | None = await ctx.session.fetchrow(sql.load("viewer_agent"))
    return row
