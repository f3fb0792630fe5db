"""Result types of the dashboard root fields (one per tab)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.kpi_types import AgentKpis, Backlog, Distribution, KpiResult, KpiValue, QueueKpis


@strawberry.type(description="The executive dashboard: headline KPIs, backlog, distributions.")
class Dashboard:
    start: datetime
    end: datetime
    previous_start: datetime
    timezone: str
    kpis: list[KpiValue]
    backlog: Backlog
    previous_backlog: Backlog
    distributions: list[Distribution]

    @strawberry.field(description="One KPI by name (null if the dashboard does not have it).")
    def kpi(self, name: str) -> KpiValue | None:
        return next((k for k in self.kpis if k.name == name), None)


@strawberry.type(description="Satisfaction tab: CSAT, CSAT%, NPS, CES and response rate.")
class Satisfaction:
    csat: KpiResult
    csat_percent: KpiResult
    nps: KpiResult
    ces: KpiResult
    response_rate: KpiResult


@strawberry.type(description="Operations tab: queues, SLA compliance, backlog, capacity.")
class Operations:
    queues: list[QueueKpis]
    sla_compliance_by_policy: KpiResult
    sla_first_response: KpiResult
    sla_resolution: KpiResult
    backlog_by_priority: KpiResult
    backlog_age: list[Backlog] = strawberry.field(
        description="Open tickets at the window's end (or now) by priority, with age buckets."
    )
    utilization: KpiResult
    occupancy: KpiResult
    schedule_adherence: KpiResult


@strawberry.type(description="An agent on a leaderboard (score 1 = on target on average).")
class RankedAgent:
    agent_id: strawberry.ID
    name: str
    score: float
    previous_score: float | None
    improvement: float | None


@strawberry.type(
    description=(
        "An agent significantly below target on a KPI: one-sided t-test of the agent's mean "
        "against target − margin, Benjamini–Hochberg corrected across the team."
    )
)
class CoachingOpportunity:
    agent_id: strawberry.ID
    name: str
    kpi: str
    value: float
    target: float
    margin: float
    p_value: float
    p_adjusted: float


@strawberry.type(description="Team performance: agents, leaderboard, coaching opportunities.")
class TeamPerformance:
    agents: list[AgentKpis]
    team: list[KpiValue] = strawberry.field(description="The team's own KPIs (all its tickets).")
    top_performers: list[RankedAgent]
    most_improved: list[RankedAgent]
    coaching_opportunities: list[CoachingOpportunity]


@strawberry.type(
    description=(
        "A dedicated agent's KPIs over the tickets of the VIP clients assigned to them "
        "(whoever handled each ticket): docs/metrics.md's dedicated agent performance."
    )
)
class DedicatedAgentPerformance:
    agent_id: strawberry.ID
    name: str
    tickets: int
    handled_personally: int = strawberry.field(description="Of those, assigned to the agent.")
    first_response_median_minutes: float | None
    resolution_median_hours: float | None
    csat_mean: float | None
    csat_n: int
    sla_compliance: float | None = strawberry.field(
        description="Percent of the tickets' SLA targets due in the window that were met."
    )


@strawberry.type(description="One VIP tier in one time bucket: high-value client trends.")
class VipTrendPoint:
    bucket_start: datetime
    bucket_end: datetime
    local_label: str
    vip_tier: str
    tickets: int
    white_glove: int
    csat_n: int
    csat_mean: float | None


@strawberry.type(description="VIP analytics tab, by tier.")
class VipAnalytics:
    retention: KpiResult
    white_glove_usage: KpiResult
    first_response_time: KpiResult
    resolution_time: KpiResult
    csat: KpiResult
    nps: KpiResult
    sla_compliance: KpiResult
    dedicated_agents: list[DedicatedAgentPerformance]
    trends: list[VipTrendPoint] = strawberry.field(
        description="Weekly tickets, white-glove use and CSAT per tier over the window."
    )
