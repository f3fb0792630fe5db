"""Alerts raised by the alerting engine, newest first, with their team, agent and ticket."""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

import resolvers.agents
import resolvers.alerts
import resolvers.tickets
from resolvers.alerts import AlertFilter
from resolvers.pagination import DEFAULT_PAGE_SIZE
from resolvers.port import Row
from schema.common import Info, parse_int_id, values
from schema.pagination import Connection, connection_from_page

if TYPE_CHECKING:
    from schema.agents import Agent, Team
    from schema.tickets import Ticket

AgentRef = Annotated["Agent", strawberry.lazy("schema.agents")]
TeamRef = Annotated["Team", strawberry.lazy("schema.agents")]
TicketRef = Annotated["Ticket", strawberry.lazy("schema.tickets")]


#: The ordering name carried in alert cursors (cursors of other lists are refused).
def json_value(raw: Any) -> JSON:
    """A jsonb column as a JSON value (asyncpg returns jsonb as text, PostgREST as parsed)."""
    return JSON(json.loads(raw) if isinstance(raw, str | bytes) else raw)


@strawberry.enum(description="What an alert is about.")
class AlertType(Enum):
    SLA_BREACH = "sla_breach"
    PERFORMANCE_DEVIATION = "performance_deviation"
    SATISFACTION_DROP = "satisfaction_drop"
    VOLUME_SPIKE = "volume_spike"
    SYSTEM_ERROR = "system_error"


@strawberry.enum(description="How urgent an alert is.")
class Severity(Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum(description="Where an alert is in its lifecycle.")
class AlertStatus(Enum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@strawberry.type(description="An alert: one per underlying condition (see dedupKey).")
class Alert:
    id: strawberry.ID
    type: AlertType
    severity: Severity
    status: AlertStatus
    dedup_key: str = strawberry.field(
        description="Identifies the underlying condition; a condition raises one alert."
    )
    title: str
    message: str
    details: JSON = strawberry.field(description="Engine-specific facts (metric, value, limit).")
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    _team_id: strawberry.Private[UUID | None]
    _agent_id: strawberry.Private[UUID | None]
    _ticket_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, r: Row) -> Alert:
        return cls(
            id=strawberry.ID(str(r["id"])),
            type=AlertType(r["alert_type"]),
            severity=Severity(r["severity"]),
            status=AlertStatus(r["status"]),
            dedup_key=r["dedup_key"],
            title=r["title"],
            message=r["message"],
            details=json_value(r["details"]),
            raised_at=r["raised_at"],
            acknowledged_at=r["acknowledged_at"],
            resolved_at=r["resolved_at"],
            _team_id=r["team_id"],
            _agent_id=r["agent_id"],
            _ticket_id=r["ticket_id"],
        )

    @strawberry.field(description="The team concerned, if any.")
    async def team(self, info: Info) -> TeamRef | None:
        from schema.agents import Team

        if self._team_id is None:
            return None
        row = await resolvers.agents.team_by_id(info.context, self._team_id)
        return Team.from_row(row) if row else None

    @strawberry.field(description="The agent concerned, if any.")
    async def agent(self, info: Info) -> AgentRef | None:
        from schema.agents import Agent

        if self._agent_id is None:
            return None
        row = await resolvers.agents.agent_by_id(info.context, self._agent_id)
        return Agent.from_row(row) if row else None

    @strawberry.field(description="The ticket concerned, if any and if you may see it.")
    async def ticket(self, info: Info) -> TicketRef | None:
        from schema.tickets import Ticket

        if self._ticket_id is None:
            return None
        row = await resolvers.tickets.ticket_by_id(info.context, self._ticket_id)
        return Ticket.from_row(row) if row else None


@strawberry.type
class AlertsQuery:
    @strawberry.field(
        description="Alerts you may see (managers all; a team lead their team's and its agents'; "
        "an agent their own), newest raisedAt first, optionally filtered; first is 0..500."
    )
    async def alerts(
        self,
        info: Info,
        status: list[AlertStatus] | None = None,
        severity: list[Severity] | None = None,
        type: list[AlertType] | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Alert]:
        filt = AlertFilter(values(status), values(severity), values(type))
        page = await resolvers.alerts.alerts_page(info.context, filt, first, after)

        async def count() -> int:
            return await resolvers.alerts.alerts_count(info.context, filt)

        return connection_from_page(page, [Alert.from_row(r) for r in page.items], count)

    @strawberry.field(description="An alert by id (null if it does not exist or is not yours).")
    async def alert(self, info: Info, id: strawberry.ID) -> Alert | None:
        row = await resolvers.alerts.alert_by_id(info.context, parse_int_id(id, "id"))
        return Alert.from_row(row) if row else None
