"""The category tree of support issues."""

from __future__ import annotations

from datetime import datetime

import strawberry

import resolvers.categories
from resolvers.port import Row
from schema.common import Info, parse_int_id
from schema.window import FromArg, Period, WindowArg, window_of


@strawberry.type(description="Ticket statistics of a category and all its descendants.")
class CategoryStats:
    tickets: int
    open: int
    resolved: int
    reopened: int
    first_response_median_minutes: float | None
    resolution_median_hours: float | None
    csat_mean: float | None
    csat_n: int

    @classmethod
    def of(cls, r: Row) -> CategoryStats:
        return cls(
            tickets=r["tickets"],
            open=r["open"],
            resolved=r["resolved"],
            reopened=r["reopened"],
            first_response_median_minutes=r["frt_median_minutes"],
            resolution_median_hours=r["resolution_median_hours"],
            csat_mean=r["csat_mean"],
            csat_n=r["csat_n"],
        )


@strawberry.type(description="A support category; categories form a tree.")
class Category:
    id: strawberry.ID
    slug: str
    name: str
    path: str = strawberry.field(description="Slash-joined slugs from the root.")
    depth: int
    _parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, r: Row) -> Category:
        return cls(
            id=strawberry.ID(str(r["id"])),
            slug=r["slug"],
            name=r["name"],
            path=r["path"],
            depth=r["depth"],
            _parent_id=r["parent_id"],
        )

    @strawberry.field
    async def parent(self, info: Info) -> Category | None:
        if self._parent_id is None:
            return None
        row = await resolvers.categories.category_by_id(info.context, self._parent_id)
        return Category.from_row(row) if row else None

    @strawberry.field(description="Ticket statistics including all descendants, over a window.")
    async def stats(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> CategoryStats:
        w = window_of(info, window, from_, to, period, timezone)
        return CategoryStats.of(
            await resolvers.categories.category_stats(info.context, int(self.id), w)
        )

    @strawberry.field(description="Direct sub-categories.")
    async def children(self, info: Info) -> list[Category]:
        rows = await resolvers.categories.category_children(info.context, int(self.id))
        return [Category.from_row(r) for r in rows]


@strawberry.type
class CategoriesQuery:
    @strawberry.field(description="The category tree, flattened (roots first, then by path).")
    async def categories(self, info: Info) -> list[Category]:
        rows = await resolvers.categories.categories(info.context)
        return [Category.from_row(r) for r in rows]

    @strawberry.field(description="A category by id.")
    async def category(self, info: Info, id: strawberry.ID) -> Category | None:
        row = await resolvers.categories.category_by_id(info.context, parse_int_id(id, "id"))
        return Category.from_row(row) if row else None
