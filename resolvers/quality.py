"""QA evaluations and training records over a window (``[from, to)``, at most 400 days)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.port import Row
from resolvers.windows import validate_window


async def qa_evaluations(
    ctx: RequestContext, start: datetime, end: datetime, agent_ids: list[UUID] | None
) -> list[Row]:
    """Visible QA evaluations made in ``[start, end)``, newest first."""
    validate_window(start, end)
    return list(await ctx.session.fetch(sql.load("quality_qa_evaluations"), start, end, agent_ids))


async def training_records(
    ctx: RequestContext,
    start: datetime,
    end: datetime,
    agent_ids: list[UUID] | None,
    statuses: list[str] | None,
) -> list[Row]:
    """Visible training records assigned in ``[start, end)``, newest assignment first."""
    validate_window(start, end)
    query = sql.load("quality_training_records")
    return list(await ctx.session.fetch(query, start, end, agent_ids, statuses))
