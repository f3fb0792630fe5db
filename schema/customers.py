"""Customers (platform clients) with VIP attributes and history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

import resolvers.agents
import resolvers.customers
from resolvers.errors import UserInputError
from resolvers.port import Row
from schema.common import Info, VipTier, enum_or_none, parse_uuid, values
from schema.pagination import Connection, Edge, PageInfo
from schema.window import FromArg, Period, WindowArg, window_of

if TYPE_CHECKING:
    from schema.agents import Agent
    from schema.insights_types import ChurnRisk
    from schema.privacy import CustomerConsent
    from schema.tickets import Ticket, TicketFilter, TicketOrder

ConsentRef = Annotated["CustomerConsent", strawberry.lazy("schema.privacy")]
ChurnRiskRef = Annotated["ChurnRisk", strawberry.lazy("schema.insights_types")]
AgentRef = Annotated["Agent", strawberry.lazy("schema.agents")]
TicketRef = Annotated["Ticket", strawberry.lazy("schema.tickets")]
TicketFilterRef = Annotated["TicketFilter", strawberry.lazy("schema.tickets")]
TicketOrderRef = Annotated["TicketOrder", strawberry.lazy("schema.tickets")]


@strawberry.type(description="A client's support experience over a window.")
class CustomerSupportSummary:
    tickets: int
    open: int
    white_glove: int
    first_response_median_minutes: float | None
    csat_mean: float | None
    csat_n: int
    sla_breaches: int = strawberry.field(
        description="SLA targets due in the window and missed (not met by their due time, which"
        " has passed): the breached targets of the sla_compliance KPI."
    )
    last_contact_at: datetime | None

    @classmethod
    def of(cls, r: Row) -> CustomerSupportSummary:
        return cls(
            tickets=r["tickets"],
            open=r["open"],
            white_glove=r["white_glove"],
            first_response_median_minutes=r["frt_median_minutes"],
            csat_mean=r["csat_mean"],
            csat_n=r["csat_n"],
            sla_breaches=r["sla_breaches"],
            last_contact_at=r["last_contact_at"],
        )


@strawberry.type(description="A period during which a client held a VIP tier.")
class VipPeriod:
    tier: VipTier
    effective_from: datetime
    effective_to: datetime | None
    change_reason: str = strawberry.field(
        description="enrolled, upgraded, downgraded, churned or renewed."
    )
    white_glove_sessions: int
    personalized_followups: int
    followups_answered: int
    _dedicated_agent_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, r: Row) -> VipPeriod:
        return cls(
            tier=VipTier(r["vip_tier"]),
            effective_from=r["effective_from"],
            effective_to=r["effective_to"],
            change_reason=r["change_reason"],
            white_glove_sessions=r["white_glove_sessions"],
            personalized_followups=r["personalized_followups"],
            followups_answered=r["followups_answered"],
            _dedicated_agent_id=r["dedicated_agent_id"],
        )

    @strawberry.field
    async def dedicated_agent(self, info: Info) -> AgentRef | None:
        from schema.agents import Agent

        if self._dedicated_agent_id is None:
            return None
        row = await resolvers.agents.agent_by_id(info.context, self._dedicated_agent_id)
        return Agent.from_row(row) if row else None


@strawberry.type(
    description=(
        "A platform client. Personal data (name, email, phone) is masked for roles that may not "
        "see it (analysts): name becomes a pseudonym, email and phone null, piiMasked true."
    )
)
class Customer:
    id: strawberry.ID
    name: str
    email: str | None
    phone: str | None
    pii_masked: bool
    vip_tier: VipTier | None
    segment: str = strawberry.field(description="beauty, fitness or both.")
    lifetime_value: float
    country: str
    joined_at: datetime
    status: str = strawberry.field(description="active or churned.")
    churned_at: datetime | None
    consent_marketing: bool
    consent_analytics: bool
    consent_surveys: bool
    _dedicated_agent_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, r: Row) -> Customer:
        visible = bool(r["pii_visible"])
        ltv: Decimal = r["lifetime_value"]
        return cls(
            id=strawberry.ID(str(r["id"])),
            name=r["full_name"] if visible else f"Client {str(r['id'])[:8]}",
            email=r["email"] if visible else None,
            phone=r["phone"] if visible else None,
            pii_masked=not visible,
            vip_tier=enum_or_none(VipTier, r["vip_tier"]),
            segment=r["segment"],
            lifetime_value=float(ltv),
            country=r["country"],
            joined_at=r["joined_at"],
            status=r["status"],
            churned_at=r["churned_at"],
            consent_marketing=r["consent_marketing"],
            consent_analytics=r["consent_analytics"],
            consent_surveys=r["consent_surveys"],
            _dedicated_agent_id=r["dedicated_agent_id"],
        )

    @strawberry.field(description="The VIP client's dedicated agent.")
    async def dedicated_agent(self, info: Info) -> AgentRef | None:
        from schema.agents import Agent

        if self._dedicated_agent_id is None:
            return None
        row = await resolvers.agents.agent_by_id(info.context, self._dedicated_agent_id)
        return Agent.from_row(row) if row else None

    @strawberry.field(description="The client's consent flags (what may be done with their data).")
    def consent(self) -> ConsentRef:
        from schema.privacy import CustomerConsent

        return CustomerConsent(
            marketing=self.consent_marketing,
            profiling=self.consent_analytics,
            surveys=self.consent_surveys,
        )

    @strawberry.field(description="The client's support experience over a window.")
    async def support_summary(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> CustomerSupportSummary:
        w = window_of(info, window, from_, to, period, timezone)
        row = await resolvers.customers.customer_support_summary(
            info.context, UUID(str(self.id)), w
        )
        return CustomerSupportSummary.of(row)

    @strawberry.field(
        description="Active VIP clients: risk of churning within 90 days, with its factors."
    )
    async def churn_risk(self, info: Info) -> ChurnRiskRef | None:
        from schema.insights import customer_churn_risk

        return await customer_churn_risk(info, UUID(str(self.id)))

    @strawberry.field(description="VIP tier history, oldest first.")
    async def vip_history(self, info: Info) -> list[VipPeriod]:
        rows = await resolvers.customers.customer_vip_history(info.context, UUID(str(self.id)))
        return [VipPeriod.from_row(r) for r in rows]

    @strawberry.field(description="The client's tickets that you may see.")
    async def tickets(
        self,
        info: Info,
        filter: TicketFilterRef | None = None,
        order_by: TicketOrderRef | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TicketRef]:
        from schema.tickets import criteria, ticket_connection

        filt = criteria(filter, customer_ids=[UUID(str(self.id))])
        return await ticket_connection(info, filt, order_by, first, after, last, before)


@strawberry.type
class CustomersQuery:
    @strawberry.field(description="A customer by id.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        row = await resolvers.customers.customer_by_id(info.context, parse_uuid(id, "id"))
        return Customer.from_row(row) if row else None

    @strawberry.field(
        description="Customers you may see, by id, optionally of some VIP tiers (no totalCount)."
    )
    async def customers(
        self,
        info: Info,
        vip_tier: list[VipTier] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[Customer]:
        after_id = parse_uuid(after, "after") if after else None
        found = await resolvers.customers.customers_page(
            info.context, values(vip_tier), first, after_id
        )
        nodes = [Customer.from_row(r) for r in found.rows]
        edges = [Edge(cursor=str(n.id), node=n) for n in nodes]

        async def no_count() -> int:
            raise UserInputError("totalCount is not available on customers")

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=found.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=no_count,
        )
