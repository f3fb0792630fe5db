"""KPI resolvers: the numbers of docs/metrics.md, aggregated in SQL under the caller's rights.

Every function takes a :class:`~resolvers.port.Session` (so row level security decides which
tickets, surveys and agent records are aggregated) and a half-open window ``[start, end)`` of
timezone-aware instants, at most :data:`MAX_WINDOW_DAYS` long. The previous window is
``[start − (end − start), start)``; each KPI comes with its value there and the relative trend.

Data path: a named query (``sql/queries/kpi_*.sql``) calls the ``analytics.*`` functions of
``supabase/migrations/20261125000400_analytics_kpis.sql`` for both windows in one statement;
they return counts, sums and sums of squares, medians and percentiles per group, never rows;
:mod:`resolvers.kpi_measures` turns those into estimates with confidence intervals
(:mod:`analytics.statistics`); :mod:`analytics.kpi_registry` supplies targets and the status rule.

Statements (after the session's own setup): :func:`dashboard_kpis` 1; :func:`kpi` 1;
:func:`kpis` one per distinct source among the names (tickets, backlog, sla, surveys, workforce,
queues, vip); :func:`agent_kpis`, :func:`queue_kpis`, :func:`distributions`, :func:`backlog_at`
1 each.

Scope: ``team_id`` restricts to the team's tickets (the ticket's team) and the team's agents'
records; ``agent_id`` to the tickets assigned to the agent and the agent's own records. Queue and
VIP KPIs are organisation-wide and cannot be scoped. Errors meant for the caller (bad window,
unknown KPI or grouping, bad target override) are :class:`~resolvers.errors.UserInputError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sql
from analytics.kpi_registry import KpiSpec, UnknownKpiError, lookup, registry
from resolvers import kpi_results
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_measures import (
    AGENT_KPIS,
    MEASURES,
    QUEUE_KPIS,
    SOURCES,
    TICKET_GROUPS,
    Source,
    Stats,
    count,
)
from resolvers.kpi_results import (
    AgentFigures,
    BacklogSnapshot,
    KpiBreakdown,
    QueueFigures,
    TicketDistribution,
)
from resolvers.port import Session
from resolvers.windows import MAX_WINDOW_DAYS, require_aware, validate_window

#: Queues in display order; 'all' (every queue) comes first.
QUEUE_ORDER = ("all", "email", "chat", "phone", "social", "vip")


@dataclass(frozen=True, slots=True)
class ComparedWindow:
    """A validated window and the previous window of the same length."""

    start: datetime
    end: datetime
    previous_start: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime) -> ComparedWindow:
        validate_window(start, end, MAX_WINDOW_DAYS)
        return cls(start, end, start - (end - start))


def definitions(targets: Mapping[str, float] | None) -> Mapping[str, KpiSpec]:
    """The registry with target overrides; a bad override is the caller's error."""
    try:
        return registry(targets)
    except ValueError as exc:
        raise UserInputError(str(exc), field="targets") from exc


def definition(name: str, defs: Mapping[str, KpiSpec]) -> KpiSpec:
    """The definition of ``name``; an unknown name is a UserInputError listing the valid ones."""
    try:
        return lookup(name, defs)
    except UnknownKpiError as exc:
        raise UserInputError(str(exc), field="name") from exc


def source_of(name: str) -> Source:
    """The statistics source of KPI ``name`` (a registry name)."""
    return SOURCES[MEASURES[name].source]


def check_group(name: str, source: Source, group_by: str | None) -> None:
    """A UserInputError listing the valid groupings when ``source`` cannot group by ``group_by``."""
    if group_by is not None and group_by not in source.groups:
        raise UserInputError(
            f"KPI {name!r} cannot be grouped by {group_by!r}; valid groupings: "
            + ", ".join(source.groups),
            field="groupBy",
        )


def check_scope(name: str, source: Source, team_id: UUID | None, agent_id: UUID | None) -> None:
    """A UserInputError when an organisation-wide source is given a team or agent scope."""
    if not source.scoped and (team_id is not None or agent_id is not None):
        raise UserInputError(
            f"KPI {name!r} is organisation-wide and cannot be scoped to a team or an agent"
        )


def _params(
    source: Source,
    window: ComparedWindow,
    group_by: str | None,
    team_id: UUID | None,
    agent_id: UUID | None,
) -> tuple[Any, ...]:
    if source.grouped_rows:
        return (window.start, window.end, window.previous_start)
    if source.name == "backlog":
        return (window.start, window.end, group_by, team_id, agent_id)
    return (window.start, window.end, window.previous_start, group_by, team_id, agent_id)


async def fetch_source(
    session: Session,
    source: Source,
    window: ComparedWindow,
    group_by: str | None,
    team_id: UUID | None,
    agent_id: UUID | None,
) -> dict[str, list[Stats]]:
    rows = await session.fetch(
        sql.load(source.query), *_params(source, window, group_by, team_id, agent_id)
    )
    return kpi_results.by_period(rows)


async def kpis(
    session: Session,
    names: Sequence[str],
    start: datetime,
    end: datetime,
    group_by: str | None = None,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    targets: Mapping[str, float] | None = None,
) -> tuple[KpiBreakdown, ...]:
    """The KPIs ``names`` (in that order), overall and per ``group_by`` when given.

    Every argument is checked before any SQL is sent; each distinct source is read once.
    """
    window = ComparedWindow.of(start, end)
    defs = definitions(targets)
    chosen = [definition(name, defs) for name in names]
    sources: dict[str, Source] = {}
    for defn in chosen:
        source = source_of(defn.name)
        check_group(defn.name, source, group_by)
        check_scope(defn.name, source, team_id, agent_id)
        sources.setdefault(source.name, source)
    fetched = {
        name: await fetch_source(session, source, window, group_by, team_id, agent_id)
        for name, source in sources.items()
    }
    return tuple(
        kpi_results.kpi_result(
            defn, source_of(defn.name), fetched[source_of(defn.name).name], group_by
        )
        for defn in chosen
    )


async def kpi(
    session: Session,
    name: str,
    start: datetime,
    end: datetime,
    group_by: str | None = None,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    targets: Mapping[str, float] | None = None,
) -> KpiBreakdown:
    """One KPI over ``[start, end)``, overall and per ``group_by`` when given (one statement)."""
    (result,) = await kpis(
        session, [name], start, end, group_by, team_id=team_id, agent_id=agent_id, targets=targets
    )
    return result


async def agent_kpis(
    session: Session,
    start: datetime,
    end: datetime,
    team_id: UUID | None = None,
    *,
    targets: Mapping[str, float] | None = None,
) -> tuple[AgentFigures, ...]:
    """Per agent (of ``team_id`` when given) with visible activity in the window, ordered by
    name: the :data:`~resolvers.kpi_measures.AGENT_KPIS` against the previous window."""
    window = ComparedWindow.of(start, end)
    defs = definitions(targets)
    rows = await session.fetch(
        sql.load("kpi_agents"), window.start, window.end, window.previous_start, team_id
    )
    periods = kpi_results.by_period(rows)
    previous = {str(r["agent_id"]): r for r in periods.get("previous", [])}
    out = []
    for row in sorted(periods.get("current", []), key=lambda r: (r["agent_name"], r["agent_id"])):
        prev = previous.get(str(row["agent_id"]))
        values = []
        for name in AGENT_KPIS:
            measure = MEASURES[name].estimate
            values.append(
                kpi_results.kpi_value(defs[name], measure(row), measure(prev) if prev else None)
            )
        out.append(
            AgentFigures(UUID(str(row["agent_id"])), str(row["agent_name"]),
                      UUID(str(row["team_id"])), tuple(values))
        )  # fmt: skip
    return tuple(out)


async def queue_kpis(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    targets: Mapping[str, float] | None = None,
) -> tuple[QueueFigures, ...]:
    """Per queue and overall ('all' first): contact counts and the queue KPIs (service level,
    abandonment, speed of answer, longest wait, depth) against the previous window."""
    window = ComparedWindow.of(start, end)
    defs = definitions(targets)
    source = SOURCES["queues"]
    periods = await fetch_source(session, source, window, None, None, None)
    previous = {str(r["queue"]): r for r in periods.get("previous", [])}
    current = sorted(
        periods.get("current", []),
        key=lambda r: (QUEUE_ORDER.index(r["queue"]) if r["queue"] in QUEUE_ORDER else 99,
                       r["queue"]),
    )  # fmt: skip
    out = []
    for row in current:
        prev = previous.get(str(row["queue"]))
        values = tuple(
            kpi_results.kpi_value(
                defs[n], MEASURES[n].estimate(row), MEASURES[n].estimate(prev) if prev else None
            )
            for n in QUEUE_KPIS
        )
        out.append(
            QueueFigures(
                queue=str(row["queue"]),
                offered=count(row, "offered"),
                answered=count(row, "answered"),
                answered_within_threshold=count(row, "answered_within_threshold"),
                abandoned=count(row, "abandoned"),
                abandoned_after_threshold=count(row, "abandoned_after_threshold"),
                kpis=values,
            )
        )
    return tuple(out)


async def distributions(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> tuple[TicketDistribution, ...]:
    """Tickets created in the window by channel, root category, priority and status."""
    window = ComparedWindow.of(start, end)
    rows = await session.fetch(
        sql.load("kpi_distribution"), window.start, window.end, team_id, agent_id
    )
    return kpi_results.distributions([kpi_results.decode(r["stats"]) for r in rows])


async def backlog_at(
    session: Session,
    at: datetime,
    group_by: str | None = None,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> tuple[BacklogSnapshot, ...]:
    """The backlog at instant ``at``: one overall snapshot, or one per group (by label)."""
    require_aware(at, "at")
    if group_by is not None and group_by not in TICKET_GROUPS:
        raise UserInputError(
            f"the backlog cannot be grouped by {group_by!r}; valid groupings: "
            + ", ".join(TICKET_GROUPS),
            field="groupBy",
        )
    rows = await session.fetch(sql.load("kpi_backlog_at"), at, group_by, team_id, agent_id)
    snapshots = [kpi_results.backlog(at, kpi_results.decode(r["stats"])) for r in rows]
    return tuple(sorted(snapshots, key=lambda b: (b.label, b.key)))


def kpi_definitions(ctx: RequestContext) -> list[KpiSpec]:
    """Every KPI of the registry with the request's target overrides."""
    return list(definitions(ctx.kpi_targets).values())
