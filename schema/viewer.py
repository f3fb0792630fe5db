"""The caller as the gateway sees them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.viewer import viewer_agent
from schema.common import AppRole, Info, enum_or_none

if TYPE_CHECKING:
    from schema.agents import Agent

AgentRef = Annotated["Agent", strawberry.lazy("schema.agents")]


@strawberry.type(description="Who you are to the gateway (from your verified token).")
class Viewer:
    user_id: strawberry.ID | None
    role: str = strawberry.field(
        description="Postgres role your queries run as (anon or authenticated)."
    )
    app_role: AppRole | None

    @strawberry.field(description="Your agent profile, when you are an agent or team lead.")
    async def agent(self, info: Info) -> AgentRef | None:
        from schema.agents import Agent

        row = await viewer_agent(info.context)
        return Agent.from_row(row) if row else None


def viewer_of(info: Info) -> Viewer:
    v = info.context.viewer
    return Viewer(
        user_id=strawberry.ID(str(v.user_id)) if v.user_id else None,
        role=v.role,
        app_role=enum_or_none(AppRole, v.app_role),
    )


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="Who you are.")
    def viewer(self, info: Info) -> Viewer:
        return viewer_of(info)
