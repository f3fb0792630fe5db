"""Tickets and their conversation: Ticket, Interaction, filters, orderings and the connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional, cast
from uuid import UUID

import strawberry

import resolvers.agents
import resolvers.categories
import resolvers.customers
import resolvers.privacy
import resolvers.sla
import resolvers.tickets
from resolvers.port import Row
from resolvers.tickets import Prefetched, TicketSelection
from schema.common import (
    Channel,
    Info,
    Priority,
    SortDirection,
    TicketStatus,
    VipTier,
    parse_int_id,
    values,
)
from schema.pagination import Connection, connection_from_page, node_fields

if TYPE_CHECKING:
    from schema.agents import Agent, Team
    from schema.categories import Category
    from schema.customers import Customer
    from schema.insights_types import RiskScore
    from schema.satisfaction import Survey
    from schema.sla import SlaCompliance, SlaPolicy, TicketSla

AgentRef = Annotated["Agent", strawberry.lazy("schema.agents")]
TeamRef = Annotated["Team", strawberry.lazy("schema.agents")]
CustomerRef = Annotated["Customer", strawberry.lazy("schema.customers")]
CategoryRef = Annotated["Category", strawberry.lazy("schema.categories")]
SurveyRef = Annotated["Survey", strawberry.lazy("schema.satisfaction")]
RiskScoreRef = Annotated["RiskScore", strawberry.lazy("schema.insights_types")]
SlaComplianceRef = Annotated["SlaCompliance", strawberry.lazy("schema.sla")]
SlaPolicyRef = Annotated["SlaPolicy", strawberry.lazy("schema.sla")]
TicketSlaRef = Annotated["TicketSla", strawberry.lazy("schema.sla")]


@strawberry.type(description="A message, reply, call or internal note on a ticket.")
class Interaction:
    id: strawberry.ID
    author_type: str = strawberry.field(description="customer, agent, bot or system.")
    channel: Channel
    is_public: bool = strawberry.field(description="False for internal notes.")
    created_at: datetime
    handle_seconds: int = strawberry.field(description="Agent handling time spent on it.")
    sentiment_score: float | None = strawberry.field(description="-1 (negative) .. 1 (positive).")
    sentiment_label: str | None
    body: str | None = strawberry.field(
        description="Message text; null when masked (analysts do not see message bodies)."
    )
    body_masked: bool = strawberry.field(description="True when the text is withheld from you.")
    _ticket_id: strawberry.Private[int]
    _agent_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, row: Row) -> Interaction:
        score: Decimal | None = row["sentiment_score"]
        visible = bool(row.get("body_visible", False))
        return cls(
            id=strawberry.ID(str(row["id"])),
            author_type=row["author_type"],
            channel=Channel(row["channel"]),
            is_public=row["is_public"],
            created_at=row["created_at"],
            handle_seconds=row["handle_seconds"],
            sentiment_score=float(score) if score is not None else None,
            sentiment_label=row["sentiment_label"],
            body=row.get("body") if visible else None,
            body_masked=not visible,
            _ticket_id=row["ticket_id"],
            _agent_id=row["agent_id"],
        )

    @strawberry.field(description="The agent who wrote it (agent interactions only).")
    async def agent(self, info: Info) -> AgentRef | None:
        from schema.agents import Agent

        if self._agent_id is None:
            return None
        row = await resolvers.agents.agent_by_id(info.context, self._agent_id)
        return Agent.from_row(row) if row else None

    @strawberry.field(description="The ticket it belongs to.")
    async def ticket(self, info: Info) -> Ticket | None:
        row = await resolvers.tickets.ticket_by_id(info.context, self._ticket_id)
        return Ticket.from_row(row) if row else None


#: Enum members by database value (a look-up, not ``Enum(value)``, per column of each row).
_CHANNELS = {m.value: m for m in Channel}
_PRIORITIES = {m.value: m for m in Priority}
_STATUSES = {m.value: m for m in TicketStatus}
_TIERS = {m.value: m for m in VipTier}
#: A column the page did not read (no field asked for it, so none reads it).
_ABSENT: Any = None


@strawberry.type(description="A support ticket.")
class Ticket:
    id: strawberry.ID
    _subject: strawberry.Private[str]
    channel: Channel
    priority: Priority
    status: TicketStatus
    vip_tier: VipTier | None = strawberry.field(description="Client's tier when the ticket opened.")
    is_white_glove: bool = strawberry.field(description="Handled with the white-glove service.")
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = strawberry.field(
        description="First public agent reply (bots and internal notes excluded)."
    )
    first_resolved_at: datetime | None
    resolved_at: datetime | None = strawberry.field(description="Latest resolution.")
    closed_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    reopen_count: int
    agent_reply_count: int
    customer_message_count: int
    _tags: strawberry.Private[list[str]]
    _row: strawberry.Private[Row]
    #: the page's assigned agents when its connection fetched them ahead (else None)
    _agents: strawberry.Private[Prefetched | None] = None

    @classmethod
    def from_row(cls, row: Row, agents: Prefetched | None = None) -> Ticket:
        """From a ticket row (a page's row may lack the columns no field asked for)."""
        get = cast("Callable[[str], Any]", row.get)
        channel, prio, status, tier = (
            get("channel"),
            get("priority"),
            get("status"),
            get("vip_tier"),
        )
        return cls(
            id=strawberry.ID(str(row["id"])),
            _subject=get("subject"),
            channel=_ABSENT if channel is None else _CHANNELS.get(channel) or Channel(channel),
            priority=_ABSENT if prio is None else _PRIORITIES.get(prio) or Priority(prio),
            status=_ABSENT if status is None else _STATUSES.get(status) or TicketStatus(status),
            vip_tier=(_TIERS.get(tier) or VipTier(tier)) if tier else None,
            is_white_glove=get("is_white_glove"),
            created_at=get("created_at"),
            updated_at=get("updated_at"),
            first_response_at=get("first_response_at"),
            first_resolved_at=get("first_resolved_at"),
            resolved_at=get("resolved_at"),
            closed_at=get("closed_at"),
            first_response_due_at=get("first_response_due_at"),
            resolution_due_at=get("resolution_due_at"),
            reopen_count=get("reopen_count"),
            agent_reply_count=get("agent_reply_count"),
            customer_message_count=get("customer_message_count"),
            _tags=list(get("tags") or ()),
            _row=row,
            _agents=agents,
        )

    @strawberry.field(
        description="The subject line (free text from the client): '[masked]' for analysts."
    )
    def subject(self, info: Info) -> str:
        return resolvers.privacy.shown_text(info.context.viewer.app_role, self._subject)

    @strawberry.field(description="Free-form tags: none for analysts (free text).")
    def tags(self, info: Info) -> list[str]:
        return resolvers.privacy.shown_tags(info.context.viewer.app_role, self._tags)

    @strawberry.field(description="Calendar minutes from creation to the first agent reply.")
    def first_response_minutes(self) -> float | None:
        return resolvers.tickets.minutes_between(self.created_at, self.first_response_at)

    @strawberry.field(description="Calendar minutes from creation to the latest resolution.")
    def resolution_minutes(self) -> float | None:
        return resolvers.tickets.minutes_between(self.created_at, self.resolved_at)

    @strawberry.field(description="The client who opened it.")
    async def customer(self, info: Info) -> CustomerRef | None:
        from schema.customers import Customer

        row = await resolvers.customers.customer_by_id(info.context, self._row["customer_id"])
        return Customer.from_row(row) if row else None

    @strawberry.field(
        description="The assigned agent, if any.",
        graphql_type=Optional[AgentRef],  # noqa: UP045 - a lazy type cannot be or-ed
    )
    def agent(self, info: Info) -> Any:
        """The agent at once when the page fetched its agents ahead (no coroutine, no task per
        ticket), else an awaitable of it (graphql-core awaits either)."""
        from schema.agents import Agent

        agent_id = self._row["assigned_agent_id"]
        if agent_id is None:
            return None
        if self._agents is not None:
            return self._agents.made(agent_id, Agent.from_row)

        async def load() -> Agent | None:
            row = await resolvers.agents.agent_by_id(info.context, agent_id)
            return Agent.from_row(row) if row else None

        return load()

    @strawberry.field(description="The team that owns it, if any.")
    async def team(self, info: Info) -> TeamRef | None:
        from schema.agents import Team

        team_id = self._row["team_id"]
        if team_id is None:
            return None
        row = await resolvers.agents.team_by_id(info.context, team_id)
        return Team.from_row(row) if row else None

    @strawberry.field(description="Its category.")
    async def category(self, info: Info) -> CategoryRef | None:
        from schema.categories import Category

        row = await resolvers.categories.category_by_id(info.context, self._row["category_id"])
        return Category.from_row(row) if row else None

    @strawberry.field(description="The SLA policy that sets its targets.")
    async def sla_policy(self, info: Info) -> SlaPolicyRef | None:
        from schema.sla import SlaPolicy

        policy_id = self._row["sla_policy_id"]
        if policy_id is None:
            return None
        row = await resolvers.sla.sla_policy_by_id(info.context, policy_id)
        return SlaPolicy.from_row(row) if row else None

    @strawberry.field(description="SLA targets (first response, resolution) and their outcome.")
    async def sla_targets(self, info: Info) -> list[SlaComplianceRef]:
        from schema.sla import SlaCompliance

        rows = await resolvers.tickets.ticket_sla_targets(info.context, int(self.id))
        return [SlaCompliance.from_row(r) for r in rows]

    @strawberry.field(
        description="Open tickets: calibrated probability of a 1-2 CSAT rating, with its top "
        "factors (null when resolved or the client may not be profiled)."
    )
    async def satisfaction_risk(self, info: Info) -> RiskScoreRef | None:
        from schema.insights import ticket_satisfaction_risk

        return await ticket_satisfaction_risk(info, int(self.id))

    @strawberry.field(
        description="Live SLA state (due times, breached now, business minutes remaining)."
    )
    async def sla(self, info: Info) -> TicketSlaRef | None:
        from schema.sla import SlaTargetLive, TicketSla

        states = await resolvers.tickets.ticket_sla_state(info.context, int(self.id))
        if not states:
            return None
        return TicketSla(targets=[SlaTargetLive.from_state(s) for s in states])

    @strawberry.field(description="The satisfaction survey sent after resolution, if any.")
    async def survey(self, info: Info) -> SurveyRef | None:
        from schema.satisfaction import Survey

        row = await resolvers.tickets.ticket_survey(info.context, int(self.id))
        return Survey.from_row(row) if row else None

    @strawberry.field(description="The latest interactions, newest first (at most 100).")
    async def interactions(self, info: Info, last: int = 20) -> list[Interaction]:
        rows = await resolvers.tickets.ticket_interactions(info.context, int(self.id), last)
        return [Interaction.from_row(r) for r in rows]


@strawberry.input(description="Ticket filters; all given criteria must hold.")
class TicketFilter:
    status: list[TicketStatus] | None = None
    priority: list[Priority] | None = None
    channel: list[Channel] | None = None
    category_id: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Categories, each including all its descendants."
    )
    agent_id: list[strawberry.ID] | None = None
    team_id: list[strawberry.ID] | None = None
    vip_tier: list[VipTier] | None = None
    customer_id: list[strawberry.ID] | None = None
    created_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    created_to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    resolved_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    resolved_to: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.enum(description="Ticket sort keys.")
class TicketOrderField(Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    RESOLVED_AT = "resolved_at"


@strawberry.input(description="Ticket ordering (ties broken by id in the same direction).")
class TicketOrder:
    field: TicketOrderField = TicketOrderField.CREATED_AT
    direction: SortDirection = SortDirection.DESC


def _ids(raw: list[strawberry.ID] | None, kind: type[Any], name: str) -> list[Any] | None:
    from resolvers.errors import UserInputError

    if raw is None:
        return None
    try:
        return [kind(str(v)) for v in raw]
    except ValueError as exc:
        raise UserInputError(f"{name} contains an invalid id", field=name) from exc


def criteria(f: TicketFilter | None, **fixed: Any) -> TicketSelection:
    """Translate the GraphQL filter (plus relation-fixed criteria) to the resolver's selection."""
    f = f or TicketFilter()
    return TicketSelection(
        statuses=values(f.status),
        priorities=values(f.priority),
        channels=values(f.channel),
        category_ids=_ids(f.category_id, int, "categoryId"),
        agent_ids=fixed.get("agent_ids", _ids(f.agent_id, UUID, "agentId")),
        team_ids=fixed.get("team_ids", _ids(f.team_id, UUID, "teamId")),
        vip_tiers=values(f.vip_tier),
        customer_ids=fixed.get("customer_ids", _ids(f.customer_id, UUID, "customerId")),
        created_from=f.created_from,
        created_to=f.created_to,
        resolved_from=f.resolved_from,
        resolved_to=f.resolved_to,
    )


async def ticket_connection(
    info: Info,
    filt: TicketSelection,
    order: TicketOrder | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Ticket]:
    """The tickets connection used by ``Query.tickets`` and by Agent/Team/Customer.tickets."""
    order = order or TicketOrder()
    fields = node_fields(info)
    found = await resolvers.tickets.ticket_list(
        info.context,
        filt,
        ordering=order.field.value,
        ascending=order.direction is SortDirection.ASC,
        first=first,
        after=after,
        last=last,
        before=before,
        fields=fields,
    )
    page = found.page
    agents = None
    if info.path.prev is None and fields is not None and "agent" in fields:
        agents = await resolvers.tickets.page_agents(info.context, page.items)
    nodes = [Ticket.from_row(r, agents) for r in page.items]
    return connection_from_page(page, nodes, found.count)


@strawberry.type
class TicketsQuery:
    @strawberry.field(description="A ticket by id (null if it does not exist or is not yours).")
    async def ticket(self, info: Info, id: strawberry.ID) -> Ticket | None:
        row = await resolvers.tickets.ticket_by_id(info.context, parse_int_id(id, "id"))
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
