"""SLA policies (rows by id and the full list); ticket targets are in :mod:`resolvers.tickets`."""

from __future__ import annotations

import sql
from resolvers.context import RequestContext
from resolvers.port import Row


async def sla_policies(ctx: RequestContext) -> list[Row]:
    """Every SLA policy (``sla_policies_all``)."""
    return list(await ctx.session.fetch(sql.load("sla_policies_all")))


async def sla_policy_by_id(ctx: RequestContext, policy_id: int) -> Row | None:
    """The SLA policy row, or None."""
    row: Row | None = await ctx.loaders.sla_policy_by_id.load(policy_id)
    return row
