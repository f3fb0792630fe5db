"""SLA policies and per-ticket SLA targets."""

from __future__ import annotations

from datetime import datetime, time

import strawberry

import resolvers.sla
from resolvers.port import Row
from resolvers.sla_state import SlaTargetState
from schema.common import Channel, Info, Priority, enum_or_none


@strawberry.type(description="Business hours used for business-time SLA targets.")
class BusinessCalendar:
    name: str
    timezone: str
    open_days: list[int] = strawberry.field(description="ISO weekdays, 1 = Monday.")
    opens_at: time
    closes_at: time


@strawberry.type(description="SLA targets for a priority × customer tier (× channel).")
class SlaPolicy:
    id: strawberry.ID
    name: str
    priority: Priority
    customer_tier: str = strawberry.field(description="standard, silver, gold, platinum, diamond.")
    channel: Channel | None = strawberry.field(description="Null: any channel.")
    first_response_minutes: int
    resolution_minutes: int
    calendar: BusinessCalendar | None = strawberry.field(
        description="Business hours; null means targets run in calendar time (24×7)."
    )
    is_active: bool

    @classmethod
    def from_row(cls, r: Row) -> SlaPolicy:
        calendar = None
        if r["calendar_id"] is not None:
            calendar = BusinessCalendar(
                name=r["calendar_name"],
                timezone=r["calendar_timezone"],
                open_days=list(r["open_days"]),
                opens_at=r["opens_at"],
                closes_at=r["closes_at"],
            )
        return cls(
            id=strawberry.ID(str(r["id"])),
            name=r["name"],
            priority=Priority(r["priority"]),
            customer_tier=r["customer_tier"],
            channel=enum_or_none(Channel, r["channel"]),
            first_response_minutes=r["first_response_minutes"],
            resolution_minutes=r["resolution_minutes"],
            calendar=calendar,
            is_active=r["is_active"],
        )


@strawberry.type(
    description=(
        "Live state of one SLA target of a ticket, as of the request: due time from the policy "
        "calendar, breached now when open past due, business minutes remaining."
    )
)
class SlaTargetLive:
    target_type: str = strawberry.field(description="first_response or resolution.")
    target_minutes: int = strawberry.field(
        description="Target in business minutes (calendar minutes when businessTime is false)."
    )
    business_time: bool
    due_at: datetime | None
    achieved_at: datetime | None
    state: str = strawberry.field(description="pending, achieved or breached.")
    breached: bool
    business_minutes_remaining: float | None = strawberry.field(
        description="Until the due time; negative when overdue; null once achieved."
    )
    business_minutes_elapsed: float

    @classmethod
    def from_state(cls, s: SlaTargetState) -> SlaTargetLive:
        return cls(
            target_type=s.target_type,
            target_minutes=s.target_minutes,
            business_time=s.business_time,
            due_at=s.due_at,
            achieved_at=s.achieved_at,
            state=s.state,
            breached=s.breached,
            business_minutes_remaining=s.business_minutes_remaining,
            business_minutes_elapsed=s.business_minutes_elapsed,
        )


@strawberry.type(description="A ticket's SLA at a glance: its live targets.")
class TicketSla:
    targets: list[SlaTargetLive]

    @strawberry.field(description="True when any target is breached (missed or overdue now).")
    def breached(self) -> bool:
        return any(t.breached for t in self.targets)

    @strawberry.field(description="The earliest due time of a target not yet achieved.")
    def next_due_at(self) -> datetime | None:
        due = [t.due_at for t in self.targets if t.achieved_at is None and t.due_at is not None]
        return min(due) if due else None


@strawberry.type(description="One SLA target of a ticket and its recorded outcome.")
class SlaCompliance:
    target_type: str = strawberry.field(description="first_response or resolution.")
    target_minutes: int
    due_at: datetime
    achieved_at: datetime | None
    status: str = strawberry.field(description="pending, achieved or breached.")
    _policy_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, r: Row) -> SlaCompliance:
        return cls(
            target_type=r["target_type"],
            target_minutes=r["target_minutes"],
            due_at=r["due_at"],
            achieved_at=r["achieved_at"],
            status=r["status"],
            _policy_id=r["sla_policy_id"],
        )

    @strawberry.field
    def breached(self) -> bool:
        return self.status == "breached"

    @strawberry.field
    async def policy(self, info: Info) -> SlaPolicy | None:
        row = await resolvers.sla.sla_policy_by_id(info.context, self._policy_id)
        return SlaPolicy.from_row(row) if row else None


@strawberry.type
class SlaQuery:
    @strawberry.field(description="All SLA policies.")
    async def sla_policies(self, info: Info) -> list[SlaPolicy]:
        rows = await resolvers.sla.sla_policies(info.context)
        return [SlaPolicy.from_row(r) for r in rows]
