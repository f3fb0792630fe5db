"""Operational insights: capacity against actual arrivals (:mod:`analytics.capacity`), skill
gaps (:mod:`analytics.skill_gaps`) and automation opportunities (:mod:`analytics.automation`).

Reads one queue's hours (``planning_queue_hours``, the staffing plan's input: offered contacts,
AHT of answered contacts, mean agents staffed and the answer threshold per UTC hour) and the
window's workforce totals (``insights_capacity_totals``), both under the caller's rights. Two
statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import sql
from analytics.automation import AutomationResult, automation_opportunities
from analytics.capacity import CapacityResult, Demand, capacity_analysis
from analytics.skill_gaps import AgentTraining, SkillGapResult, skill_gaps, training_effects
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.offload import run_cpu
from resolvers.port import Row
from resolvers.windows import validate_window

MAX_CAPACITY_DAYS = 92
#: First messages sampled per category for the text clusters.
AUTOMATION_SAMPLE = 300


async def capacity(
    ctx: RequestContext,
    queue: str,
    start: datetime,
    end: datetime,
    *,
    target_sl: float = 0.8,
    max_occupancy: float = 0.85,
) -> CapacityResult:
    """Required against staffed agents per hour of ``queue`` in ``[start, end)``."""
    validate_window(start, end, MAX_CAPACITY_DAYS)
    if not 0.0 < target_sl < 1.0:
        raise UserInputError("serviceLevelTarget must be in (0, 1)", field="serviceLevelTarget")
    if not 0.0 < max_occupancy <= 1.0:
        raise UserInputError("maxOccupancy must be in (0, 1]", field="maxOccupancy")
    session = ctx.session
    rows = await session.fetch(sql.load("planning_queue_hours"), queue, start, end)
    totals = await session.fetchrow(sql.load("insights_capacity_totals"), start, end)
    demand = [
        Demand(
            start=r["hour_start"],
            seconds=3600.0,
            offered=float(r["offered"]),
            aht_seconds=(
                float(r["aht_weighted"]) / int(r["aht_answered"]) if r["aht_answered"] else None
            ),
            staffed=r["agents_staffed"],
            threshold_seconds=r["threshold_seconds"],
        )
        for r in rows
    ]
    t = totals or {}
    try:
        return capacity_analysis(
            demand,
            target_sl=target_sl,
            max_occupancy=max_occupancy,
            labor_cost=t.get("labor_cost"),
            scheduled_seconds=t.get("scheduled_seconds"),
            handle_seconds=t.get("handle_seconds"),
            available_seconds=t.get("available_seconds"),
        )
    except ValueError as exc:
        raise UserInputError(f"no staffing meets these targets: {exc}") from exc


async def skill_gap_report(
    ctx: RequestContext, team_id: UUID, start: datetime, end: datetime
) -> SkillGapResult:
    """Gaps of the team's agents over tickets resolved in ``[start, end)``, with the effect of
    their completed training (CSAT 30 days before/after, from tickets of the 60 days before the
    window on). Two statements."""
    validate_window(start, end)
    rows = await ctx.session.fetch(
        sql.load("insights_skill_rows"), team_id, start - timedelta(days=60), end
    )
    training = await ctx.session.fetch(sql.load("insights_team_training"), team_id)
    inside = [r for r in rows if r["resolved_at"] >= start]
    result: SkillGapResult = await run_cpu(_skill_gaps, inside, rows, training)
    return result


def _skill_gaps(
    inside: Sequence[Row], rows: Sequence[Row], training: Sequence[Row]
) -> SkillGapResult:
    gaps = skill_gaps(inside, training)
    effects = training_effects(rows, training)
    return SkillGapResult(
        gaps.skills, tuple(AgentTraining(a, tuple(e)) for a, e in sorted(effects.items()))
    )


async def automation_report(
    ctx: RequestContext, start: datetime, end: datetime, *, sample: int = AUTOMATION_SAMPLE
) -> AutomationResult:
    """Automation opportunities of the tickets created in ``[start, end)`` the caller may see
    (:mod:`analytics.automation`); message text only where the caller may read it. Four
    statements."""
    validate_window(start, end, MAX_CAPACITY_DAYS)
    session = ctx.session
    categories = await session.fetch(sql.load("insights_automation_categories"), start, end)
    firsts = await session.fetch(sql.load("insights_first_messages"), start, end, sample)
    bots = await session.fetch(sql.load("insights_automation_bots"), start, end)
    totals = await session.fetchrow(sql.load("insights_capacity_totals"), start, end)
    visible = [r for r in firsts if r["body_visible"]]
    messages: dict[str, list[str]] | None = None
    if visible:
        messages = {}
        for r in visible:
            messages.setdefault(r["path"], []).append(r["body"])
    chat = [b for b in bots if b["automation_type"] == "chatbot"]
    t = totals or {}
    result: AutomationResult = await run_cpu(
        automation_opportunities,
        categories,
        messages,
        chatbot_handled=sum(int(b["handled"]) for b in chat),
        chatbot_contained=sum(int(b["contained"]) for b in chat),
        labor_cost=t.get("labor_cost"),
        scheduled_seconds=t.get("scheduled_seconds"),
    )
    return result
