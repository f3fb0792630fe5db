"""Operational insights: skill gaps, automation opportunities and capacity
(``resolvers.insights_ops``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from analytics.automation import AutomationResult, Opportunity
from analytics.capacity import CapacityResult
from analytics.skill_gaps import AgentSkill, SkillGapComparison, TrainingEffect
from resolvers import agents, insights_ops
from schema.common import Info, parse_uuid
from schema.operations import Queue
from schema.window import WindowArg, window_of

if TYPE_CHECKING:
    from schema.agents import Agent

AgentRef = Annotated["Agent", strawberry.lazy("schema.agents")]


async def _agent(info: Info, agent_id: str) -> AgentRef | None:
    from schema.agents import Agent

    row = await agents.agent_by_id(info.context, UUID(agent_id))
    return Agent.from_row(row) if row else None


@strawberry.type(description="An agent against the rest of the team on one metric of a skill.")
class SkillComparison:
    metric: str = strawberry.field(description="csat, qa_score, resolution_time, reopen_rate.")
    agent_value: float
    team_value: float
    difference: float = strawberry.field(description="Agent − team (Welch or two-proportion).")
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float = strawberry.field(description="Benjamini-Hochberg across the team.")
    n_agent: int
    n_team: int
    gap: bool = strawberry.field(description="Significantly worse than the team.")

    @classmethod
    def of(cls, c: SkillGapComparison) -> SkillComparison:
        return cls(
            metric=c.metric,
            agent_value=c.agent_value,
            team_value=c.team_value,
            difference=c.difference,
            ci_low=c.ci_low,
            ci_high=c.ci_high,
            p_value=c.p_value,
            p_adjusted=c.p_adjusted,
            n_agent=c.n_agent,
            n_team=c.n_team,
            gap=c.gap,
        )


@strawberry.type(description="One agent on one skill (category:<root> or channel:<channel>).")
class AgentSkillGap:
    skill: str
    comparisons: list[SkillComparison]
    recommended_training: str | None = strawberry.field(description="Null without a gap.")
    _agent_id: strawberry.Private[str]

    @strawberry.field
    async def agent(self, info: Info) -> AgentRef | None:
        return await _agent(info, self._agent_id)

    @classmethod
    def of(cls, s: AgentSkill) -> AgentSkillGap:
        return cls(
            skill=s.skill,
            comparisons=[SkillComparison.of(c) for c in s.comparisons],
            recommended_training=s.recommended_training,
            _agent_id=s.agent_id,
        )


@strawberry.type(description="A completed course: the agent's CSAT 30 days before and after.")
class TrainingOutcome:
    course: str
    skill: str
    completed_at: datetime
    csat_before: float | None
    csat_after: float | None
    difference: float | None = strawberry.field(description="After − before, Welch 95% CI.")
    ci_low: float | None
    ci_high: float | None
    helped: bool | None = strawberry.field(description="The interval is above 0.")

    @classmethod
    def of(cls, e: TrainingEffect) -> TrainingOutcome:
        return cls(
            course=e.course,
            skill=e.skill,
            completed_at=e.completed_at,
            csat_before=e.csat_before,
            csat_after=e.csat_after,
            difference=e.difference,
            ci_low=e.ci_low,
            ci_high=e.ci_high,
            helped=e.helped,
        )


@strawberry.type
class AgentTrainingOutcomes:
    outcomes: list[TrainingOutcome]
    _agent_id: strawberry.Private[str]

    @strawberry.field
    async def agent(self, info: Info) -> AgentRef | None:
        return await _agent(info, self._agent_id)


@strawberry.type(description="Skill gaps of a team's agents and what their training did.")
class SkillGaps:
    skills: list[AgentSkillGap]
    training: list[AgentTrainingOutcomes]


@strawberry.type
class TextCluster:
    size: int
    example: str


@strawberry.type(description="A category where automation would save agent time.")
class AutomationOpportunity:
    category: str
    tickets: int
    median_handle_minutes: float
    simple_share: float = strawberry.field(description="Resolved in one reply, not reopened.")
    messages_sampled: int
    repetitive_share: float | None = strawberry.field(
        description="First messages in clusters of 3+ near-identical ones (null: text hidden)."
    )
    top_clusters: list[TextCluster]
    automatable_share: float
    hours_saved: float
    cost_saved: float | None

    @classmethod
    def of(cls, o: Opportunity) -> AutomationOpportunity:
        return cls(
            category=o.category,
            tickets=o.tickets,
            median_handle_minutes=o.median_handle_minutes,
            simple_share=o.simple_share,
            messages_sampled=o.messages_sampled,
            repetitive_share=o.repetitive_share,
            top_clusters=[TextCluster(size=c.size, example=c.example) for c in o.top_clusters],
            automatable_share=o.automatable_share,
            hours_saved=o.hours_saved,
            cost_saved=o.cost_saved,
        )


@strawberry.type(description="Automation opportunities, most hours saved first.")
class AutomationOpportunities:
    containment_rate: float | None = strawberry.field(description="Chatbot contained/handled.")
    cost_per_agent_hour: float | None
    assumptions: list[str]
    opportunities: list[AutomationOpportunity]

    @classmethod
    def of(cls, r: AutomationResult) -> AutomationOpportunities:
        return cls(
            containment_rate=r.containment_rate,
            cost_per_agent_hour=r.cost_per_agent_hour,
            assumptions=list(r.assumptions),
            opportunities=[AutomationOpportunity.of(o) for o in r.opportunities],
        )


@strawberry.type(description="One hour of a queue: agents staffed against Erlang C required.")
class CapacityInterval:
    start: datetime
    offered: float
    aht_seconds: float | None
    staffed: float
    required: int
    gap: float = strawberry.field(description="Staffed − required.")
    status: str = strawberry.field(description="under, over (≥ 1 spare agent) or balanced.")


@strawberry.type(description="Scheduled against required agents and what the gaps cost.")
class Capacity:
    intervals: list[CapacityInterval]
    under_intervals: int
    over_intervals: int
    agent_hours_short: float
    agent_hours_surplus: float
    cost_per_agent_hour: float | None
    cost_short: float | None
    cost_surplus: float | None
    occupancy: float | None = strawberry.field(description="Target: at most 0.85.")
    utilization: float | None = strawberry.field(description="Target: 0.85 ± 0.05.")
    occupancy_on_target: bool | None
    utilization_on_target: bool | None

    @classmethod
    def of(cls, r: CapacityResult) -> Capacity:
        return cls(
            intervals=[
                CapacityInterval(
                    start=i.start,
                    offered=i.offered,
                    aht_seconds=i.aht_seconds,
                    staffed=i.staffed,
                    required=i.required,
                    gap=i.gap,
                    status=i.status,
                )
                for i in r.intervals
            ],
            under_intervals=r.under_intervals,
            over_intervals=r.over_intervals,
            agent_hours_short=r.agent_hours_short,
            agent_hours_surplus=r.agent_hours_surplus,
            cost_per_agent_hour=r.cost_per_agent_hour,
            cost_short=r.cost_short,
            cost_surplus=r.cost_surplus,
            occupancy=r.occupancy,
            utilization=r.utilization,
            occupancy_on_target=r.occupancy_on_target,
            utilization_on_target=r.utilization_on_target,
        )


@strawberry.type
class InsightsOpsQuery:
    @strawberry.field(
        description="Per agent of the team and skill (root category, channel): CSAT, QA score, "
        "resolution time and reopen rate against the rest of the team (Welch / two-proportion "
        "tests, BH-adjusted), the training taken and whether it helped, the training to take."
    )
    async def skill_gaps(
        self, info: Info, team_id: strawberry.ID, window: WindowArg = None
    ) -> SkillGaps:
        w = window_of(info, window, None, None, None, None)
        team = parse_uuid(team_id, "teamId")
        r = await insights_ops.skill_gap_report(info.context, team, w.start, w.end)
        return SkillGaps(
            skills=[AgentSkillGap.of(s) for s in r.skills],
            training=[
                AgentTrainingOutcomes(
                    outcomes=[TrainingOutcome.of(e) for e in t.effects], _agent_id=t.agent_id
                )
                for t in r.training
            ],
        )

    @strawberry.field(
        description="Categories by estimated agent hours a bot would save (assumptions listed); "
        "message clusters only where you may read message text (counts only for analysts)."
    )
    async def automation_opportunities(
        self, info: Info, window: WindowArg = None
    ) -> AutomationOpportunities:
        w = window_of(info, window, None, None, None, None)
        r = await insights_ops.automation_report(info.context, w.start, w.end)
        return AutomationOpportunities.of(r)

    @strawberry.field(
        description="Per hour of a queue in the window (at most 92 days): agents staffed "
        "against Erlang C required for the actual arrivals, the gaps' agent-hours and cost, "
        "occupancy and utilisation against targets."
    )
    async def capacity(
        self,
        info: Info,
        queue: Queue,
        window: WindowArg = None,
        service_level_target: float = 0.8,
        max_occupancy: float = 0.85,
    ) -> Capacity:
        w = window_of(info, window, None, None, None, None)
        r = await insights_ops.capacity(
            info.context,
            queue.value,
            w.start,
            w.end,
            target_sl=service_level_target,
            max_occupancy=max_occupancy,
        )
        return Capacity.of(r)
