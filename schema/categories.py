"""The category tree of support issues."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

import sql
from resolvers.port import Row
from schema.common import Info, parse_int_id
from schema.window import FromArg, Period, WindowArg, window_of

if TYPE_CHECKING:
    from schema.performance import CategoryStats

CategoryStatsRef = Annotated["CategoryStats", strawberry.lazy("schema.performance")]


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
        row = await info.context.loaders.category.load(self._parent_id)
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
    ) -> CategoryStatsRef:
        from schema.performance import CategoryStats, category_stats

        w = window_of(info, window, from_, to, period, timezone)
        start, end = w.start, w.end
        return CategoryStats.of(await category_stats(info, int(self.id), start, end))

    @strawberry.field(description="Direct sub-categories.")
    async def children(self, info: Info) -> list[Category]:
        rows = await info.context.loaders.category_children.load(int(self.id))
        return [Category.from_row(r) for r in rows]


@strawberry.type
class CategoriesQuery:
    @strawberry.field(description="The category tree, flattened (roots first, then by path).")
    async def categories(self, info: Info) -> list[Category]:
        rows = await info.context.session.fetch(sql.load("categories_all"))
        return [Category.from_row(r) for r in rows]

    @strawberry.field(description="A category by id.")
    async def category(self, info: Info, id: strawberry.ID) -> Category | None:
        row = await info.context.loaders.category.load(parse_int_id(id, "id"))
        return Category.from_row(row) if row else None
