"""What retention has archived: whether a window reaches into archived detail, and the interaction
summaries that stay answerable over archived months (from the rollups kept before archiving)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sql
from resolvers.context import RequestContext


@dataclass(frozen=True, slots=True)
class ArchivedMonthRow:
    table: str
    month: date
    rows: int
    archived_at: datetime
    sha256: str


@dataclass(frozen=True, slots=True)
class InteractionMonthRow:
    month: date
    from_archive: bool
    interactions: int
    handle_seconds: int
    mean_sentiment: float | None


async def archived_months(
    ctx: RequestContext, start: datetime, end: datetime
) -> list[ArchivedMonthRow]:
    """Archived months of any table overlapping ``[start, end)`` (empty: all detail is live)."""
    rows = await ctx.session.fetch(sql.load("retention_archives_in_window"), start, end)
    return [
        ArchivedMonthRow(r["table_name"], r["month"], r["rows"], r["archived_at"], r["sha256"])
        for r in rows
    ]


async def interaction_months(
    ctx: RequestContext, start: datetime, end: datetime
) -> Sequence[InteractionMonthRow]:
    """Interactions, handling time and mean sentiment per month of ``[start, end)``."""
    rows = await ctx.session.fetch(sql.load("retention_interaction_months"), start, end)
    return [
        InteractionMonthRow(
            month=r["month"],
            from_archive=r["from_archive"],
            interactions=int(r["interactions"]),
            handle_seconds=int(r["handle_seconds"] or 0),
            mean_sentiment=float(r["sentiment_sum"]) / r["sentiment_n"]
            if r["sentiment_n"]
            else None,
        )
        for r in rows
    ]
