"""Operational intelligence: queue performance, automation performance and support finances.

Queue rates are the KPI formulas of ``resolvers.kpi_measures`` applied to each interval
(percent, as the KPIs; the older 0..1 fields are deprecated); other ratios are computed from the
stored counts as docs/metrics.md defines them. Every ratio is null when its denominator is zero
(never 0 and never NaN). Money is in the organisation's
currency, as stored.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

import resolvers.agents
import resolvers.operations
from resolvers.operations import MAX_QUEUE_WINDOW_DAYS, QueueRates, queue_rates
from resolvers.port import Row
from resolvers.windows import MAX_WINDOW_DAYS
from schema.common import Channel, Info, parse_uuid, values
from schema.window import WindowArg, required_window_of

if TYPE_CHECKING:
    from schema.agents import Team

TeamRef = Annotated["Team", strawberry.lazy("schema.agents")]


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _fraction(percent: float | None) -> float | None:
    return percent / 100.0 if percent is not None else None


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@strawberry.enum(description="A contact queue (the VIP queue serves VIP clients on every channel).")
class Queue(Enum):
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SOCIAL = "social"
    VIP = "vip"


@strawberry.enum(description="Kind of automation.")
class AutomationType(Enum):
    CHATBOT = "chatbot"
    AUTO_TRIAGE = "auto_triage"
    MACRO = "macro"
    AUTO_REPLY = "auto_reply"


@strawberry.type(description="Performance of one queue over one interval (bucket).")
class QueueMetric:
    queue: Queue
    bucket_start: datetime = strawberry.field(description="Start of the interval (UTC instant).")
    interval_seconds: int = strawberry.field(description="Length of the interval, in seconds.")
    offered: int = strawberry.field(description="Contacts that entered the queue.")
    answered: int = strawberry.field(description="Contacts answered by an agent.")
    answered_within_threshold: int = strawberry.field(
        description="Contacts answered within thresholdSeconds (the Y of service level X/Y)."
    )
    abandoned: int = strawberry.field(description="Contacts that left before being answered.")
    abandoned_after_threshold: int = strawberry.field(
        description="Contacts that abandoned after waiting longer than thresholdSeconds."
    )
    threshold_seconds: int = strawberry.field(description="Service level answer target Y, seconds.")
    avg_wait_seconds: float = strawberry.field(description="Mean wait before answer, seconds.")
    longest_wait_seconds: int = strawberry.field(description="Longest wait, seconds.")
    queue_depth: int = strawberry.field(description="Contacts waiting at the end of the interval.")
    agents_available: int = strawberry.field(description="Agents available to take contacts.")
    agents_staffed: int = strawberry.field(description="Agents logged in to the queue.")
    aht_seconds: float | None = strawberry.field(
        description="Average handle time (talk + hold + after-contact work), seconds."
    )
    _rates: strawberry.Private[QueueRates]

    @classmethod
    def from_row(cls, r: Row) -> QueueMetric:
        return cls(
            queue=Queue(r["queue"]),
            bucket_start=r["bucket_start"],
            interval_seconds=r["interval_seconds"],
            offered=r["offered"],
            answered=r["answered"],
            answered_within_threshold=r["answered_within_threshold"],
            abandoned=r["abandoned"],
            abandoned_after_threshold=r["abandoned_after_threshold"],
            threshold_seconds=r["threshold_seconds"],
            avg_wait_seconds=float(r["avg_wait_seconds"]),
            longest_wait_seconds=r["longest_wait_seconds"],
            queue_depth=r["queue_depth"],
            agents_available=r["agents_available"],
            agents_staffed=r["agents_staffed"],
            aht_seconds=_float(r["aht_seconds"]),
            _rates=queue_rates(r),
        )

    @strawberry.field(
        description="Service level X/Y: answered within thresholdSeconds ÷ (answered + abandoned "
        "after thresholdSeconds), 0..1; null when that denominator is 0.",
        deprecation_reason="A 0..1 fraction: use serviceLevelPercent (the service_level KPI).",
    )
    def service_level(self) -> float | None:
        return _fraction(self._rates.service_level)

    @strawberry.field(
        description="Service level X/Y in percent, as the service_level KPI over this interval: "
        "answered within thresholdSeconds ÷ (answered + abandoned after thresholdSeconds); null "
        "when that denominator is 0."
    )
    def service_level_percent(self) -> float | None:
        return self._rates.service_level

    @strawberry.field(
        description="abandoned ÷ offered, 0..1; null when nothing was offered.",
        deprecation_reason=(
            "A 0..1 fraction: use abandonmentRatePercent (the abandonment_rate KPI)."
        ),
    )
    def abandonment_rate(self) -> float | None:
        return _fraction(self._rates.abandonment_rate)

    @strawberry.field(
        description="abandoned ÷ offered in percent, as the abandonment_rate KPI over this "
        "interval; null when nothing was offered."
    )
    def abandonment_rate_percent(self) -> float | None:
        return self._rates.abandonment_rate


@strawberry.type(description="One day of one automation on one channel.")
class AutomationMetric:
    date: date
    automation_type: AutomationType
    channel: Channel
    contacts_handled: int = strawberry.field(description="Contacts the automation took on.")
    contained: int = strawberry.field(description="Contacts resolved without a human.")
    escalated: int = strawberry.field(description="Contacts handed over to a human.")
    avg_confidence: float | None = strawberry.field(description="Mean model confidence, 0..1.")
    csat_avg: float | None = strawberry.field(description="Mean CSAT (1-5) of contained contacts.")
    cost_saved: float = strawberry.field(description="Estimated saving, organisation currency.")

    @classmethod
    def from_row(cls, r: Row) -> AutomationMetric:
        return cls(
            date=r["metric_date"],
            automation_type=AutomationType(r["automation_type"]),
            channel=Channel(r["channel"]),
            contacts_handled=r["contacts_handled"],
            contained=r["contained"],
            escalated=r["escalated"],
            avg_confidence=_float(r["avg_confidence"]),
            csat_avg=_float(r["csat_avg"]),
            cost_saved=float(r["cost_saved"]),
        )

    @strawberry.field(description="contained ÷ contactsHandled, 0..1; null when none handled.")
    def containment_rate(self) -> float | None:
        return _ratio(self.contained, self.contacts_handled)

    @strawberry.field(description="escalated ÷ contactsHandled, 0..1; null when none handled.")
    def escalation_rate(self) -> float | None:
        return _ratio(self.escalated, self.contacts_handled)


@strawberry.type(
    description="One day of support costs and value for one team (no team = organisation "
    "overhead). Amounts are in the organisation's currency."
)
class FinancialMetric:
    date: date
    tickets_handled: int = strawberry.field(description="Tickets the team handled that day.")
    labor_cost: float = strawberry.field(description="Agent labour cost.")
    tooling_cost: float = strawberry.field(description="Software and tooling cost.")
    automation_savings: float = strawberry.field(description="Cost avoided by automation.")
    revenue_protected: float = strawberry.field(description="Revenue retained through support.")
    refunds_issued: float = strawberry.field(description="Refunds granted.")
    _team_id: strawberry.Private[UUID | None]
    _labor: strawberry.Private[Decimal]
    _tooling: strawberry.Private[Decimal]

    @classmethod
    def from_row(cls, r: Row) -> FinancialMetric:
        return cls(
            date=r["metric_date"],
            tickets_handled=r["tickets_handled"],
            labor_cost=float(r["labor_cost"]),
            tooling_cost=float(r["tooling_cost"]),
            automation_savings=float(r["automation_savings"]),
            revenue_protected=float(r["revenue_protected"]),
            refunds_issued=float(r["refunds_issued"]),
            _team_id=r["team_id"],
            _labor=r["labor_cost"],
            _tooling=r["tooling_cost"],
        )

    @strawberry.field(description="laborCost + toolingCost.")
    def total_cost(self) -> float:
        return float(self._labor + self._tooling)

    @strawberry.field(
        description="(laborCost + toolingCost) ÷ ticketsHandled; null when no tickets handled."
    )
    def cost_per_ticket(self) -> float | None:
        if not self.tickets_handled:
            return None
        return float((self._labor + self._tooling) / self.tickets_handled)

    @strawberry.field(description="The team; null for organisation overhead.")
    async def team(self, info: Info) -> TeamRef | None:
        from schema.agents import Team

        if self._team_id is None:
            return None
        row = await resolvers.agents.team_by_id(info.context, self._team_id)
        return Team.from_row(row) if row else None


FromTime = Annotated[
    datetime | None, strawberry.argument(name="from", description="Inclusive (or give window).")
]
ToTime = Annotated[
    datetime | None, strawberry.argument(name="to", description="Exclusive (or give window).")
]
FromDate = Annotated[date, strawberry.argument(name="from", description="First day, included.")]
ToDate = Annotated[date, strawberry.argument(name="to", description="Last day, included.")]


@strawberry.type
class OperationsQuery:
    @strawberry.field(
        description="Queue interval metrics with bucketStart in [from, to) (at most 93 days), "
        "ordered by bucketStart then queue; all queues unless some are given. Give window or"
        " both from and to."
    )
    async def queue_metrics(
        self,
        info: Info,
        start: FromTime = None,
        end: ToTime = None,
        queue: list[Queue] | None = None,
        window: WindowArg = None,
    ) -> list[QueueMetric]:
        start, end = required_window_of(info, window, start, end, max_days=MAX_QUEUE_WINDOW_DAYS)
        rows = await resolvers.operations.queue_metrics(info.context, start, end, values(queue))
        return [QueueMetric.from_row(r) for r in rows]

    @strawberry.field(
        description="Daily automation metrics for the days from..to (both included, at most "
        f"{MAX_WINDOW_DAYS} days), ordered by date, automation type and channel."
    )
    async def automation_metrics(
        self,
        info: Info,
        start: FromDate,
        end: ToDate,
        automation_type: list[AutomationType] | None = None,
        channel: list[Channel] | None = None,
    ) -> list[AutomationMetric]:
        rows = await resolvers.operations.automation_metrics(
            info.context, start, end, values(automation_type), values(channel)
        )
        return [AutomationMetric.from_row(r) for r in rows]

    @strawberry.field(
        description="Daily financial metrics for the days from..to (both included, at most "
        f"{MAX_WINDOW_DAYS} days), ordered by date with organisation overhead first; empty unless"
        " your role may see finances (managers, executives, admins, analysts)."
    )
    async def financial_metrics(
        self,
        info: Info,
        start: FromDate,
        end: ToDate,
        team_id: list[strawberry.ID] | None = None,
    ) -> list[FinancialMetric]:
        teams = [parse_uuid(t, "teamId") for t in team_id] if team_id is not None else None
        rows = await resolvers.operations.financial_metrics(info.context, start, end, teams)
        return [FinancialMetric.from_row(r) for r in rows]
