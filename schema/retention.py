"""Retention on the graph: whether a window reaches into archived detail, and interaction
summaries that stay answerable over archived months (see ``resolvers.retention``)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from resolvers import retention
from schema.common import Info
from schema.window import FromArg, Period, WindowArg, window_of


@strawberry.type(description="A month of a table whose detail rows were archived to a file.")
class ArchivedMonth:
    table: str
    month: date
    rows: int
    archived_at: datetime
    sha256: str = strawberry.field(description="SHA-256 of the archive's manifest.")


@strawberry.type(description="Whether a window's detail rows are all still in the database.")
class ArchiveCoverage:
    reaches_archived_detail: bool = strawberry.field(
        description="True when part of the window's detail (interactions, change log, audit "
        "log) was archived: figures from rollups remain, row-level detail does not."
    )
    archived: list[ArchivedMonth]


@strawberry.type(description="Interactions of one month (organisation-wide, under your rights).")
class InteractionMonth:
    month: date
    from_archive: bool = strawberry.field(
        description="Answered from the rollup kept before the month was archived."
    )
    interactions: int
    handle_seconds: int
    mean_sentiment: float | None


@strawberry.type
class RetentionQuery:
    @strawberry.field(description="Whether the window reaches into archived detail, and which.")
    async def archived_detail(
        self,
        info: Info,
        window: WindowArg = None,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
    ) -> ArchiveCoverage:
        w = window_of(info, window, from_, to, period, timezone, max_days=None)
        months = await retention.archived_months(info.context, w.start, w.end)
        return ArchiveCoverage(
            reaches_archived_detail=bool(months),
            archived=[
                ArchivedMonth(
                    table=m.table,
                    month=m.month,
                    rows=m.rows,
                    archived_at=m.archived_at,
                    sha256=m.sha256,
                )
                for m in months
            ],
        )

    @strawberry.field(
        description="Interactions per month of the window (whole months), archived months "
        "answered from their rollups."
    )
    async def interaction_months(
        self,
        info: Info,
        window: WindowArg = None,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
    ) -> list[InteractionMonth]:
        w = window_of(info, window, from_, to, period, timezone)
        rows = await retention.interaction_months(info.context, w.start, w.end)
        return [
            InteractionMonth(
                month=r.month,
                from_archive=r.from_archive,
                interactions=r.interactions,
                handle_seconds=r.handle_seconds,
                mean_sentiment=r.mean_sentiment,
            )
            for r in rows
        ]
