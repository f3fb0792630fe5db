"""Agents and teams, with their daily metrics, quality evaluations and training."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

import resolvers.agents
import resolvers.privacy
from resolvers.operations import AgentDayRates, agent_day_rates
from resolvers.port import Row
from resolvers.tickets import ticket_by_id
from resolvers.windows import MAX_WINDOW_DAYS
from schema.common import Channel, Info, parse_uuid
from schema.pagination import Connection
from schema.window import FromArg, Period, WindowArg, window_of

if TYPE_CHECKING:
    from schema.kpi_types import AgentKpis, KpiValue
    from schema.tickets import Ticket, TicketFilter, TicketOrder

AgentKpisRef = Annotated["AgentKpis", strawberry.lazy("schema.kpi_types")]
KpiValueRef = Annotated["KpiValue", strawberry.lazy("schema.kpi_types")]
TicketRef = Annotated["Ticket", strawberry.lazy("schema.tickets")]
TicketFilterRef = Annotated["TicketFilter", strawberry.lazy("schema.tickets")]
TicketOrderRef = Annotated["TicketOrder", strawberry.lazy("schema.tickets")]


@strawberry.type(description="One day of an agent's workforce metrics.")
class AgentDailyMetric:
    date: date
    scheduled_seconds: int
    logged_in_seconds: int
    handle_seconds: int
    available_seconds: int
    in_adherence_seconds: int
    talk_seconds: int
    hold_seconds: int
    after_contact_seconds: int
    contacts_handled: int
    tickets_solved: int
    _rates: strawberry.Private[AgentDayRates]

    @classmethod
    def from_row(cls, r: Row) -> AgentDailyMetric:
        return cls(
            date=r["metric_date"],
            scheduled_seconds=r["scheduled_seconds"],
            logged_in_seconds=r["logged_in_seconds"],
            handle_seconds=r["handle_seconds"],
            available_seconds=r["available_seconds"],
            in_adherence_seconds=r["in_adherence_seconds"],
            talk_seconds=r["talk_seconds"],
            hold_seconds=r["hold_seconds"],
            after_contact_seconds=r["after_contact_seconds"],
            contacts_handled=r["contacts_handled"],
            tickets_solved=r["tickets_solved"],
            _rates=agent_day_rates(r),
        )

    @strawberry.field(
        description="handle ÷ (handle + available); null without time logged.",
        deprecation_reason="A 0..1 fraction: use occupancyPercent (the occupancy KPI).",
    )
    def occupancy(self) -> float | None:
        return _fraction(self._rates.occupancy)

    @strawberry.field(
        description="(handle + available) ÷ scheduled; null when unscheduled.",
        deprecation_reason="A 0..1 fraction: use utilizationPercent (the utilization KPI).",
    )
    def utilization(self) -> float | None:
        return _fraction(self._rates.utilization)

    @strawberry.field(
        description="time in the scheduled state ÷ scheduled time.",
        deprecation_reason="A 0..1 fraction: use adherencePercent (the schedule_adherence KPI).",
    )
    def adherence(self) -> float | None:
        return _fraction(self._rates.schedule_adherence)

    @strawberry.field(
        description="The occupancy KPI of this day, percent; null without time logged."
    )
    def occupancy_percent(self) -> float | None:
        return self._rates.occupancy

    @strawberry.field(
        description="The utilization KPI of this day, percent; null when unscheduled."
    )
    def utilization_percent(self) -> float | None:
        return self._rates.utilization

    @strawberry.field(
        description="The schedule_adherence KPI of this day, percent; null when unscheduled."
    )
    def adherence_percent(self) -> float | None:
        return self._rates.schedule_adherence


def _fraction(percent: float | None) -> float | None:
    return percent / 100.0 if percent is not None else None


@strawberry.type(description="A quality assurance review of an agent's work (scores 1-5).")
class QaEvaluation:
    id: strawberry.ID
    evaluated_at: datetime
    score: float
    empathy: int
    accuracy: int
    tone: int
    process: int
    _feedback: strawberry.Private[str | None]
    _agent_id: strawberry.Private[UUID]
    _evaluator_id: strawberry.Private[UUID | None]
    _ticket_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, r: Row) -> QaEvaluation:
        score: Decimal = r["score"]
        return cls(
            id=strawberry.ID(str(r["id"])),
            evaluated_at=r["evaluated_at"],
            score=float(score),
            empathy=r["empathy"],
            accuracy=r["accuracy"],
            tone=r["tone"],
            process=r["process"],
            _feedback=r["feedback"],
            _agent_id=r["agent_id"],
            _evaluator_id=r["evaluator_id"],
            _ticket_id=r["ticket_id"],
        )

    @strawberry.field(description="The reviewer's text: null for analysts (free text).")
    def feedback(self, info: Info) -> str | None:
        return resolvers.privacy.shown_optional_text(info.context.viewer.app_role, self._feedback)

    @strawberry.field
    async def agent(self, info: Info) -> Agent | None:
        row = await resolvers.agents.agent_by_id(info.context, self._agent_id)
        return Agent.from_row(row) if row else None

    @strawberry.field
    async def evaluator(self, info: Info) -> Agent | None:
        if self._evaluator_id is None:
            return None
        row = await resolvers.agents.agent_by_id(info.context, self._evaluator_id)
        return Agent.from_row(row) if row else None

    @strawberry.field
    async def ticket(self, info: Info) -> TicketRef | None:
        from schema.tickets import Ticket

        if self._ticket_id is None:
            return None
        row = await ticket_by_id(info.context, self._ticket_id)
        return Ticket.from_row(row) if row else None


@strawberry.type(description="A training course assigned to an agent.")
class TrainingRecord:
    id: strawberry.ID
    course: str
    skill: str
    status: str = strawberry.field(description="assigned, in_progress or completed.")
    assigned_at: datetime
    completed_at: datetime | None
    score: float | None = strawberry.field(description="Assessment score 0-100.")

    @classmethod
    def from_row(cls, r: Row) -> TrainingRecord:
        score: Decimal | None = r["score"]
        return cls(
            id=strawberry.ID(str(r["id"])),
            course=r["course"],
            skill=r["skill"],
            status=r["status"],
            assigned_at=r["assigned_at"],
            completed_at=r["completed_at"],
            score=float(score) if score is not None else None,
        )


@strawberry.type(description="A support agent (or team lead).")
class Agent:
    id: strawberry.ID
    display_name: str
    email: str
    skill_level: int = strawberry.field(description="1 (junior) .. 5 (expert).")
    hired_on: date
    is_vip_specialist: bool
    channels: list[Channel]
    chat_concurrency: int
    status: str
    _team_id: strawberry.Private[UUID]

    @classmethod
    def from_row(cls, r: Row) -> Agent:
        return cls(
            id=strawberry.ID(str(r["id"])),
            display_name=r["display_name"],
            email=r["email"],
            skill_level=r["skill_level"],
            hired_on=r["hired_on"],
            is_vip_specialist=r["is_vip_specialist"],
            channels=[Channel(c) for c in r["channels"]],
            chat_concurrency=r["chat_concurrency"],
            status=r["status"],
            _team_id=r["team_id"],
        )

    @strawberry.field
    async def team(self, info: Info) -> Team | None:
        row = await resolvers.agents.team_by_id(info.context, self._team_id)
        return Team.from_row(row) if row else None

    @strawberry.field(description="Tickets assigned to this agent that you may see.")
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

        filt = criteria(filter, agent_ids=[UUID(str(self.id))])
        return await ticket_connection(info, filt, order_by, first, after, last, before)

    @strawberry.field(
        description=f"Daily metrics between two dates (inclusive, at most {MAX_WINDOW_DAYS} days)."
    )
    async def daily_metrics(
        self, info: Info, from_date: date, to_date: date
    ) -> list[AgentDailyMetric]:
        rows = await resolvers.agents.agent_daily_metrics(
            info.context, UUID(str(self.id)), from_date, to_date
        )
        return [AgentDailyMetric.from_row(r) for r in rows]

    @strawberry.field(description="Latest QA evaluations, newest first.")
    async def evaluations(self, info: Info, last: int = 20) -> list[QaEvaluation]:
        rows = await resolvers.agents.agent_evaluations(info.context, UUID(str(self.id)), last)
        return [QaEvaluation.from_row(r) for r in rows]

    @strawberry.field(description="The agent's KPIs over a window (one batch for all agents).")
    async def performance(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> AgentKpisRef | None:
        from schema.kpi_types import AgentKpis

        w = window_of(info, window, from_, to, period, timezone)
        found = await resolvers.agents.agent_performance(info.context, UUID(str(self.id)), w)
        return AgentKpis.of(found) if found is not None else None

    @strawberry.field(description="Training records, newest first.")
    async def training(self, info: Info) -> list[TrainingRecord]:
        rows = await resolvers.agents.agent_training(info.context, UUID(str(self.id)))
        return [TrainingRecord.from_row(r) for r in rows]


@strawberry.type(description="A support team.")
class Team:
    id: strawberry.ID
    name: str
    specialty: str
    timezone: str

    @classmethod
    def from_row(cls, r: Row) -> Team:
        return cls(
            id=strawberry.ID(str(r["id"])),
            name=r["name"],
            specialty=r["specialty"],
            timezone=r["timezone"],
        )

    @strawberry.field(description="Members of the team.")
    async def agents(self, info: Info) -> list[Agent]:
        rows = await resolvers.agents.team_agents(info.context, UUID(str(self.id)))
        return [Agent.from_row(r) for r in rows]

    @strawberry.field(description="The team's KPIs over a window (one batch for all teams).")
    async def performance(
        self,
        info: Info,
        from_: FromArg = None,
        to: datetime | None = None,
        period: Period | None = None,
        timezone: str | None = None,
        window: WindowArg = None,
    ) -> list[KpiValueRef]:
        from schema.kpi_types import KpiValue

        w = window_of(info, window, from_, to, period, timezone)
        values = await resolvers.agents.team_kpis(info.context, UUID(str(self.id)), w)
        return [KpiValue.of(v) for v in values]

    @strawberry.field(description="The team lead.")
    async def lead(self, info: Info) -> Agent | None:
        row = await resolvers.agents.team_lead(info.context, UUID(str(self.id)))
        return Agent.from_row(row) if row else None

    @strawberry.field(description="Tickets owned by this team that you may see.")
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

        filt = criteria(filter, team_ids=[UUID(str(self.id))])
        return await ticket_connection(info, filt, order_by, first, after, last, before)


@strawberry.type
class AgentsQuery:
    @strawberry.field(description="An agent by id.")
    async def agent(self, info: Info, id: strawberry.ID) -> Agent | None:
        row = await resolvers.agents.agent_by_id(info.context, parse_uuid(id, "id"))
        return Agent.from_row(row) if row else None

    @strawberry.field(description="Agents, optionally of some teams.")
    async def agents(self, info: Info, team_id: list[strawberry.ID] | None = None) -> list[Agent]:
        teams = [parse_uuid(t, "teamId") for t in team_id] if team_id is not None else None
        rows = await resolvers.agents.agents(info.context, teams)
        return [Agent.from_row(r) for r in rows]

    @strawberry.field(description="A team by id.")
    async def team(self, info: Info, id: strawberry.ID) -> Team | None:
        row = await resolvers.agents.team_by_id(info.context, parse_uuid(id, "id"))
        return Team.from_row(row) if row else None

    @strawberry.field(description="All teams.")
    async def teams(self, info: Info) -> list[Team]:
        return [Team.from_row(r) for r in await resolvers.agents.teams(info.context)]
