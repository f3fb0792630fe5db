"""Customer satisfaction surveys (CSAT, NPS, CES)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

import resolvers.customers
import resolvers.tickets
from resolvers.port import Row
from schema.common import Info

if TYPE_CHECKING:
    from schema.customers import Customer
    from schema.tickets import Ticket

TicketRef = Annotated["Ticket", strawberry.lazy("schema.tickets")]
CustomerRef = Annotated["Customer", strawberry.lazy("schema.customers")]


@strawberry.type(
    description=(
        "A post-resolution survey. csatRating 1-5, npsScore 0-10, cesScore 1-7 where 7 means "
        "'very easy' (higher is less effort). Unanswered surveys have no scores."
    )
)
class Survey:
    id: strawberry.ID
    sent_at: datetime
    responded_at: datetime | None
    csat_rating: int | None
    nps_score: int | None
    ces_score: int | None
    comment_topic: str | None
    _ticket_id: strawberry.Private[int]
    _customer_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, r: Row) -> Survey:
        return cls(
            id=strawberry.ID(str(r["id"])),
            sent_at=r["sent_at"],
            responded_at=r["responded_at"],
            csat_rating=r["csat_rating"],
            nps_score=r["nps_score"],
            ces_score=r["ces_score"],
            comment_topic=r["comment_topic"],
            _ticket_id=r["ticket_id"],
            _customer_id=r["customer_id"],
        )

    @strawberry.field
    def answered(self) -> bool:
        return self.responded_at is not None

    @strawberry.field
    async def ticket(self, info: Info) -> TicketRef | None:
        from schema.tickets import Ticket

        row = await resolvers.tickets.ticket_by_id(info.context, self._ticket_id)
        return Ticket.from_row(row) if row else None

    @strawberry.field
    async def customer(self, info: Info) -> CustomerRef | None:
        from schema.customers import Customer

        row = await resolvers.customers.customer_by_id(info.context, self._customer_id)
        return Customer.from_row(row) if row else None
