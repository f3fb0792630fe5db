"""The root Query (and, later, Subscription and Mutation), assembled once from the domains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import strawberry
from strawberry.extensions import MaskErrors

import sql
from resolvers.errors import UserInputError
from schema.agents import Agent, Team
from schema.categories import Category
from schema.common import Info, VipTier, values
from schema.customers import Customer
from schema.pagination import Connection, Edge, PageInfo
from schema.sla import SlaPolicy
from schema.tickets import Ticket, TicketFilter, TicketOrder, criteria, ticket_connection
from schema.viewer import Viewer, viewer_of


def _uuid(raw: strawberry.ID, name: str) -> UUID:
    try:
        return UUID(str(raw))
    except ValueError as exc:
        raise UserInputError(f"{name} is not a valid id", field=name) from exc


def _int_id(raw: strawberry.ID, name: str) -> int:
    try:
        return int(str(raw))
    except ValueError as exc:
        raise UserInputError(f"{name} is not a valid id", field=name) from exc


@strawberry.type(description="Support analytics: every answer respects your row-level rights.")
class Query:
    @strawberry.field(description="Who you are.")
    def viewer(self, info: Info) -> Viewer:
        return viewer_of(info)

    @strawberry.field(description="A ticket by id (null if it does not exist or is not yours).")
    async def ticket(self, info: Info, id: strawberry.ID) -> Ticket | None:
        row = await info.context.loaders.ticket.load(_int_id(id, "id"))
        return Ticket.from_row(row) if row else None

    @strawberry.field(description="Tickets you may see, filtered, ordered and paginated.")
    async def tickets(
        self,
        info: Info,
        filter: TicketFilter | None = None,
        order_by: TicketOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Ticket]:
        return await ticket_connection(info, criteria(filter), order_by, first, after, last, before)

    @strawberry.field(description="An agent by id.")
    async def agent(self, info: Info, id: strawberry.ID) -> Agent | None:
        row = await info.context.loaders.agent.load(_uuid(id, "id"))
        return Agent.from_row(row) if row else None

    @strawberry.field(description="Agents, optionally of some teams.")
    async def agents(
        self, info: Info, team_id: list[strawberry.ID] | None = None
    ) -> list[Agent]:
        teams = [_uuid(t, "teamId") for t in team_id] if team_id is not None else None
        rows = await info.context.session.fetch(sql.load("agents_list"), teams, None)
        return [Agent.from_row(r) for r in rows]

    @strawberry.field(description="A team by id.")
    async def team(self, info: Info, id: strawberry.ID) -> Team | None:
        row = await info.context.loaders.team.load(_uuid(id, "id"))
        return Team.from_row(row) if row else None

    @strawberry.field(description="All teams.")
    async def teams(self, info: Info) -> list[Team]:
        return [Team.from_row(r) for r in await info.context.session.fetch(sql.load("teams_all"))]

    @strawberry.field(description="A customer by id.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        row = await info.context.loaders.customer.load(_uuid(id, "id"))
        return Customer.from_row(row) if row else None

    @strawberry.field(description="Customers you may see, by id, optionally of some VIP tiers.")
    async def customers(
        self,
        info: Info,
        vip_tier: list[VipTier] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Customer]:
        if not 0 <= first <= 500:
            raise UserInputError("first must be between 0 and 500", field="first")
        after_id = _uuid(strawberry.ID(after), "after") if after else None
        rows = await info.context.session.fetch(
            sql.load("customers_by_ids_page"), values(vip_tier), after_id, first + 1
        )
        nodes = [Customer.from_row(r) for r in rows[:first]]
        edges = [Edge(cursor=str(n.id), node=n) for n in nodes]

        async def unknown_count() -> int:
            raise UserInputError("totalCount is not available on customers")

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=unknown_count,
        )

    @strawberry.field(description="The category tree, flattened (roots first, then by path).")
    async def categories(self, info: Info) -> list[Category]:
        rows = await info.context.session.fetch(sql.load("categories_all"))
        return [Category.from_row(r) for r in rows]

    @strawberry.field(description="A category by id.")
    async def category(self, info: Info, id: strawberry.ID) -> Category | None:
        row = await info.context.loaders.category.load(_int_id(id, "id"))
        return Category.from_row(row) if row else None

    @strawberry.field(description="All SLA policies.")
    async def sla_policies(self, info: Info) -> list[SlaPolicy]:
        rows = await info.context.session.fetch(sql.load("sla_policies_all"))
        return [SlaPolicy.from_row(r) for r in rows]


def _should_mask(error: Exception) -> bool:
    original = getattr(error, "original_error", None)
    # Validation errors (no original error) and user input errors keep their message; anything
    # unexpected is reported as "Unexpected error." and logged with its stack trace.
    return original is not None and not isinstance(original, UserInputError)


def build_schema(extra_extensions: Sequence[Any] = ()) -> strawberry.Schema:
    """The gateway's GraphQL schema (``extra_extensions``: gateway-level instrumentation)."""
    return strawberry.Schema(
        query=Query,
        extensions=[MaskErrors(should_mask_error=_should_mask), *extra_extensions],
    )


schema = build_schema()
