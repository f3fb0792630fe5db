"""The Subscription root: live tickets, queues, alerts and dashboards over websocket.

Served at ``/graphql`` over graphql-transport-ws (the ``graphql-ws`` npm client) and the legacy
graphql-ws protocol (subscriptions-transport-ws), authenticated by the access token in the
``connection_init`` payload (``{"Authorization": "Bearer <jwt>"}``). Every event is one the
subscriber's row level security lets them see (see ``gateway.realtime``); arguments only narrow
the stream. A subscription that falls more than 1,000 events behind ends with an error saying so.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry

from resolvers.errors import UserInputError
from resolvers.live import (
    SHARED_RESULT,
    DashboardEvent,
    LiveFeeds,
    LivePeriod,
    TicketChangeCriteria,
    TicketChangeEvent,
)
from schema.alerts import Alert, AlertType, Severity
from schema.common import Info, Priority, TicketStatus, VipTier, parse_uuid, values
from schema.kpi_types import KpiValue
from schema.operations import Queue, QueueMetric

if TYPE_CHECKING:
    from schema.tickets import Ticket

TicketRef = Annotated["Ticket", strawberry.lazy("schema.tickets")]


@strawberry.enum(description="What happened to a ticket.")
class ChangeOp(Enum):
    INSERT = "INSERT"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    INTERACTION = "INTERACTION"


#: The live periods (:class:`resolvers.live.LivePeriod`), under their GraphQL name.
strawberry.enum(LivePeriod, name="DashboardPeriod", description="The window of a live dashboard.")
DashboardPeriod = LivePeriod


@strawberry.input(description="Narrows ticketChanged; all given criteria must hold.")
class TicketChangeFilter:
    status: list[TicketStatus] | None = None
    priority: list[Priority] | None = None
    team_id: list[strawberry.ID] | None = None
    agent_id: list[strawberry.ID] | None = None
    vip_tier: list[VipTier] | None = None


@strawberry.type(description="A ticket change as you may see it.")
class TicketChange:
    seq: strawberry.ID = strawberry.field(
        description="Position in the change log (a 64-bit integer as text); grows with commits."
    )
    op: ChangeOp
    ticket_id: strawberry.ID
    ticket: TicketRef | None = strawberry.field(
        description="The ticket after the change; null when removed is true."
    )
    removed: bool = strawberry.field(
        description="True for a delete, and for a change that took the ticket out of what you "
        "may see or out of your filter: drop it from your view."
    )
    changed_at: datetime
    shared_results: strawberry.Private[dict[Any, Any]]

    @classmethod
    def from_event(cls, e: TicketChangeEvent) -> TicketChange:
        """The GraphQL object of ``e``, made once per event object: every subscriber of one
        viewer class gets the same one, and ``shared_results`` lets them share the execution of
        identical documents (``gateway.realtime.sharing``)."""
        from schema.tickets import Ticket

        made = e.shared.get(SHARED_RESULT)
        if isinstance(made, TicketChange):
            return made
        made = cls(
            seq=strawberry.ID(str(e.seq)),
            op=ChangeOp(e.op),
            ticket_id=strawberry.ID(str(e.ticket_id)),
            ticket=Ticket.from_row(e.ticket) if e.ticket is not None else None,
            removed=e.removed,
            changed_at=e.changed_at,
            shared_results={},
        )
        e.shared[SHARED_RESULT] = made
        return made


@strawberry.type(description="Open tickets in one status.")
class StatusCount:
    status: TicketStatus
    count: int


@strawberry.type(description="Live dashboard figures of a window ending now.")
class DashboardMetrics:
    period: DashboardPeriod
    timezone: str
    window_start: datetime
    window_end: datetime
    computed_at: datetime
    created: int = strawberry.field(description="Tickets created in the window.")
    resolved: int = strawberry.field(description="Tickets resolved (latest resolution) in it.")
    open_backlog: int = strawberry.field(description="Tickets not resolved now.")
    backlog_by_status: list[StatusCount]
    overdue: int = strawberry.field(description="Open tickets past their resolution due time.")
    median_first_response_minutes: float | None = strawberry.field(
        description="The first_response_time KPI of the window (median minutes from creation"
        " to the first public agent reply, tickets created in the window): kpi(name:"
        ' "first_response_time").value, kept for compatibility.',
        deprecation_reason='Use kpi(name: "first_response_time") { value }.',
    )
    kpis: list[KpiValue] = strawberry.field(
        description="The headline KPIs of the window, as the dashboard query computes them."
    )

    @strawberry.field(description="One KPI by name (null if absent).")
    def kpi(self, name: str) -> KpiValue | None:
        return next((k for k in self.kpis if k.name == name), None)

    @classmethod
    def from_event(cls, e: DashboardEvent) -> DashboardMetrics:
        f = e.figures
        frt = next((k for k in f.get("kpis", ()) if k.name == "first_response_time"), None)
        return cls(
            period=DashboardPeriod(e.period),
            timezone=e.timezone,
            window_start=e.window_start,
            window_end=e.window_end,
            computed_at=e.computed_at,
            created=f["created"],
            resolved=f["resolved"],
            open_backlog=f["open_backlog"],
            backlog_by_status=[
                StatusCount(status=TicketStatus(s), count=n)
                for s, n in zip(f["statuses"], f["status_counts"], strict=True)
            ],
            overdue=f["overdue"],
            median_first_response_minutes=None if frt is None else frt.value,
            kpis=[KpiValue.of(k) for k in f.get("kpis", ())],
        )


def _feeds(info: Info) -> LiveFeeds:
    live = getattr(info.context, "live", None)
    if live is None:
        raise UserInputError(
            "live subscriptions are served over websocket at /graphql (graphql-transport-ws or "
            "graphql-ws) while the gateway's realtime hub runs"
        )
    return cast(LiveFeeds, live)


def _set(items: list[Any] | None) -> frozenset[str] | None:
    return None if items is None else frozenset(str(i) for i in items)


def _ticket_criteria(f: TicketChangeFilter | None) -> TicketChangeCriteria:
    if f is None:
        return TicketChangeCriteria()
    teams = None if f.team_id is None else [parse_uuid(t, "teamId") for t in f.team_id]
    agents = None if f.agent_id is None else [parse_uuid(a, "agentId") for a in f.agent_id]
    return TicketChangeCriteria(
        statuses=_set(values(f.status)),
        priorities=_set(values(f.priority)),
        team_ids=_set(teams),
        agent_ids=_set(agents),
        vip_tiers=_set(values(f.vip_tier)),
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Ticket inserts, updates, deletes and new interactions you may see, in commit "
        "order, once each, with the ticket after the change."
    )
    async def ticket_changed(
        self, info: Info, filter: TicketChangeFilter | None = None
    ) -> AsyncGenerator[TicketChange, None]:
        stream: AsyncIterator[TicketChangeEvent] = _feeds(info).ticket_changes(
            _ticket_criteria(filter)
        )
        async with aclosing(stream):  # type: ignore[type-var]
            async for event in stream:
                info.context.renew_for_event()
                yield TicketChange.from_event(event)

    @strawberry.subscription(
        description="Queue buckets as they are written: depth, longest wait, agents available."
    )
    async def queue_metrics(
        self, info: Info, queue: list[Queue] | None = None
    ) -> AsyncGenerator[QueueMetric, None]:
        stream = _feeds(info).queue_metrics(_set(values(queue)))
        async with aclosing(stream):  # type: ignore[type-var]
            async for event in stream:
                yield QueueMetric.from_row(event.row)

    @strawberry.subscription(description="Alerts you may see, as they are raised.")
    async def alert_raised(
        self,
        info: Info,
        severities: list[Severity] | None = None,
        types: list[AlertType] | None = None,
    ) -> AsyncGenerator[Alert, None]:
        stream = _feeds(info).alerts(_set(values(severities)), _set(values(types)))
        async with aclosing(stream):  # type: ignore[type-var]
            async for event in stream:
                info.context.renew_for_event()
                yield Alert.from_row(event.row)

    @strawberry.subscription(
        description="Dashboard figures now, then after each change you may see (at most once a "
        "second; one computation shared by everyone with your rights, period and time zone)."
    )
    async def dashboard_metrics(
        self,
        info: Info,
        period: DashboardPeriod = DashboardPeriod.TODAY,
        timezone: str | None = None,
    ) -> AsyncGenerator[DashboardMetrics, None]:
        zone = timezone or info.context.org_timezone
        stream = _feeds(info).dashboard(period.value, zone)
        async with aclosing(stream):  # type: ignore[type-var]
            async for event in stream:
                yield DashboardMetrics.from_event(event)
