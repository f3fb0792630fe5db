"""Capacity: agents scheduled against agents required, interval by interval, and what the gap
costs; occupancy and utilisation against their targets.

Per interval (an hour of one queue) the requirement is Erlang C over the *actual* arrivals
(:func:`analytics.erlang.required_agents`: the smallest N with service level ≥ target within
the queue's answer threshold and occupancy A/N ≤ max occupancy, A = offered × AHT / interval;
docs/metrics.md "Queues and staffing"). The gap is g = staffed − required (staffed: the mean agents
staffed over the interval's reports):

    under-staffed   g < 0        short by −g agents for the interval
    over-staffed    g ≥ 1        at least one whole agent more than needed
    balanced        0 ≤ g < 1

Agent-hours short / surplus are Σ max(−g, 0)·h and Σ max(g, 0)·h (h = interval hours), and their
cost the agent-hours × the cost of an agent-hour (the teams' labour cost ÷ scheduled hours over
the window, when the caller may read both). Occupancy = handle ÷ (handle + available) time and
utilisation = (handle + available) ÷ scheduled time of the agents' daily rows (docs/metrics.md
"Agents"), against targets 85% (occupancy at most, utilisation on target within ±5 points).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from analytics.erlang import required_agents

OCCUPANCY_MAX = 0.85
UTILIZATION_TARGET = 0.85
UTILIZATION_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Demand:
    """One interval's actuals: contacts offered, AHT of answered contacts, mean agents staffed,
    answer threshold (None when the interval had no reports)."""

    start: datetime
    seconds: float
    offered: float
    aht_seconds: float | None
    staffed: float | None
    threshold_seconds: float | None


@dataclass(frozen=True, slots=True)
class CapacityEstimate:
    start: datetime
    offered: float
    aht_seconds: float | None
    staffed: float
    required: int
    gap: float
    status: str  # under, over, balanced


@dataclass(frozen=True, slots=True)
class CapacityResult:
    intervals: tuple[CapacityEstimate, ...]
    under_intervals: int
    over_intervals: int
    agent_hours_short: float
    agent_hours_surplus: float
    cost_per_agent_hour: float | None
    cost_short: float | None
    cost_surplus: float | None
    occupancy: float | None
    utilization: float | None
    occupancy_on_target: bool | None
    utilization_on_target: bool | None


def _status(gap: float) -> str:
    if gap < 0:
        return "under"
    return "over" if gap >= 1 else "balanced"


def capacity_analysis(
    demand: Sequence[Demand],
    *,
    target_sl: float = 0.8,
    max_occupancy: float = OCCUPANCY_MAX,
    default_threshold: float = 20.0,
    labor_cost: float | None = None,
    scheduled_seconds: float | None = None,
    handle_seconds: float | None = None,
    available_seconds: float | None = None,
) -> CapacityResult:
    """The module docstring's figures; ``ValueError`` for Erlang targets no headcount meets."""
    intervals: list[CapacityEstimate] = []
    short = surplus = 0.0
    for d in demand:
        staffed = d.staffed or 0.0
        if d.offered > 0 and d.aht_seconds:
            threshold = d.threshold_seconds or default_threshold
            need = required_agents(
                d.offered,
                d.seconds,
                d.aht_seconds,
                target_sl,
                threshold,
                max_occupancy=max_occupancy,
            ).agents
        else:
            need = 0
        gap = staffed - need
        hours = d.seconds / 3600.0
        short += max(-gap, 0.0) * hours
        surplus += max(gap, 0.0) * hours
        intervals.append(
            CapacityEstimate(d.start, d.offered, d.aht_seconds, staffed, need, gap, _status(gap))
        )
    per_hour = (
        labor_cost / (scheduled_seconds / 3600.0)
        if labor_cost is not None and scheduled_seconds
        else None
    )
    occupancy = utilization = None
    if handle_seconds is not None and available_seconds is not None:
        busy = handle_seconds + available_seconds
        occupancy = handle_seconds / busy if busy > 0 else None
        if scheduled_seconds:
            utilization = busy / scheduled_seconds
    return CapacityResult(
        intervals=tuple(intervals),
        under_intervals=sum(i.status == "under" for i in intervals),
        over_intervals=sum(i.status == "over" for i in intervals),
        agent_hours_short=short,
        agent_hours_surplus=surplus,
        cost_per_agent_hour=per_hour,
        cost_short=short * per_hour if per_hour is not None else None,
        cost_surplus=surplus * per_hour if per_hour is not None else None,
        occupancy=occupancy,
        utilization=utilization,
        occupancy_on_target=occupancy <= OCCUPANCY_MAX if occupancy is not None else None,
        utilization_on_target=(
            abs(utilization - UTILIZATION_TARGET) <= UTILIZATION_MARGIN
            if utilization is not None
            else None
        ),
    )
