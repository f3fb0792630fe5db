"""Operational records: queue intervals, daily automation and financial metrics.

The rates shown on a record (service level, abandonment) are the KPI formulas of
:mod:`resolvers.kpi_measures` applied to that one record, so a queue interval's service level is
by construction what the ``service_level`` KPI gives over that interval (in percent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.kpi_measures import MEASURES
from resolvers.port import Row
from resolvers.windows import validate_dates, validate_window

#: Longest window of ``queueMetrics`` (a quarter of interval buckets).
MAX_QUEUE_WINDOW_DAYS = 93


@dataclass(frozen=True, slots=True)
class QueueRates:
    """A queue interval's rates in percent (None when the denominator is 0)."""

    service_level: float | None
    abandonment_rate: float | None


def queue_rates(row: Row) -> QueueRates:
    """The ``service_level`` and ``abandonment_rate`` KPIs of one queue-metric row."""
    return QueueRates(
        MEASURES["service_level"].estimate(row).value,
        MEASURES["abandonment_rate"].estimate(row).value,
    )


@dataclass(frozen=True, slots=True)
class AgentDayRates:
    """An agent day's workforce ratios in percent (None when the denominator is 0)."""

    occupancy: float | None
    utilization: float | None
    schedule_adherence: float | None


def agent_day_rates(row: Row) -> AgentDayRates:
    """The ``occupancy``, ``utilization`` and ``schedule_adherence`` KPIs of one agent day."""
    return AgentDayRates(
        MEASURES["occupancy"].estimate(row).value,
        MEASURES["utilization"].estimate(row).value,
        MEASURES["schedule_adherence"].estimate(row).value,
    )


async def queue_metrics(
    ctx: RequestContext, start: datetime, end: datetime, queues: list[str] | None
) -> list[Row]:
    """Queue interval rows with bucket start in ``[start, end)`` (at most
    :data:`MAX_QUEUE_WINDOW_DAYS` days), by bucket start then queue (``ops_queue_metrics``)."""
    validate_window(start, end, MAX_QUEUE_WINDOW_DAYS)
    return list(await ctx.session.fetch(sql.load("ops_queue_metrics"), queues, start, end))


async def automation_metrics(
    ctx: RequestContext,
    first: date,
    last: date,
    automation_types: list[str] | None,
    channels: list[str] | None,
) -> list[Row]:
    """Daily automation rows of the days ``first..last`` (both included, at most 400 days)."""
    validate_dates(first, last)
    query = sql.load("ops_automation_metrics")
    return list(await ctx.session.fetch(query, first, last, automation_types, channels))


async def financial_metrics(
    ctx: RequestContext, first: date, last: date, team_ids: list[UUID] | None
) -> list[Row]:
    """Daily financial rows of the days ``first..last`` (both included, at most 400 days),
    organisation overhead first; empty unless the caller may see finances."""
    validate_dates(first, last)
    return list(await ctx.session.fetch(sql.load("ops_financial_metrics"), first, last, team_ids))
