"""Agents and teams: rows by id, lists, an agent's daily records and their KPIs over a window.

Rows come from the named queries in ``sql/queries/`` (through the request's DataLoaders for
per-object relations, so a page of objects costs one statement per relation), always under the
caller's row level security. KPI figures are those of :mod:`resolvers.dashboards` (one
statement per window, however many agents or teams ask).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import sql
from resolvers.context import RequestContext
from resolvers.dashboards import TEAM_KPIS
from resolvers.errors import UserInputError
from resolvers.kpi_results import AgentFigures, KpiGroupFigure
from resolvers.kpis import agent_kpis, kpis
from resolvers.port import Row
from resolvers.windows import TimeWindow, validate_dates

#: Most QA evaluations one ``Agent.evaluations`` returns.
MAX_EVALUATIONS = 500


async def agent_by_id(ctx: RequestContext, agent_id: UUID) -> Row | None:
    """The agent row, or None when it does not exist or is not visible."""
    row: Row | None = await ctx.loaders.agent_by_id.load(agent_id)
    return row


async def agents(ctx: RequestContext, team_ids: list[UUID] | None) -> list[Row]:
    """Visible agents, of ``team_ids`` when given (``agents_list``)."""
    return list(await ctx.session.fetch(sql.load("agents_list"), team_ids, None))


async def team_by_id(ctx: RequestContext, team_id: UUID) -> Row | None:
    """The team row, or None."""
    row: Row | None = await ctx.loaders.team_by_id.load(team_id)
    return row


async def teams(ctx: RequestContext) -> list[Row]:
    """Every visible team (``teams_all``)."""
    return list(await ctx.session.fetch(sql.load("teams_all")))


async def team_agents(ctx: RequestContext, team_id: UUID) -> list[Row]:
    """The team's agent rows."""
    rows: list[Row] = await ctx.loaders.agents_by_team.load(team_id)
    return rows


async def team_lead(ctx: RequestContext, team_id: UUID) -> Row | None:
    """The team lead's agent row, or None."""
    row: Row | None = await ctx.loaders.lead_by_team.load(team_id)
    return row


async def agent_daily_metrics(
    ctx: RequestContext, agent_id: UUID, first: date, last: date
) -> list[Row]:
    """The agent's daily metric rows of the days ``first..last`` (both included, at most
    :data:`~resolvers.windows.MAX_WINDOW_DAYS` days)."""
    validate_dates(first, last, names=("fromDate", "toDate"))
    rows: list[Row] = await ctx.loaders.daily_metrics_by_agent(first, last).load(agent_id)
    return rows


async def agent_evaluations(ctx: RequestContext, agent_id: UUID, last: int) -> list[Row]:
    """The agent's latest ``last`` (0..500) QA evaluation rows, newest first."""
    if not 0 <= last <= MAX_EVALUATIONS:
        raise UserInputError(f"last must be between 0 and {MAX_EVALUATIONS}", field="last")
    rows: list[Row] = await ctx.loaders.evaluations_by_agent(last).load(agent_id)
    return rows


async def agent_training(ctx: RequestContext, agent_id: UUID) -> list[Row]:
    """The agent's training record rows, newest first."""
    rows: list[Row] = await ctx.loaders.training_by_agent.load(agent_id)
    return rows


async def agent_performance(
    ctx: RequestContext, agent_id: UUID, window: TimeWindow
) -> AgentFigures | None:
    """The agent's KPIs over ``window`` (None when they have no visible activity); one
    :func:`~resolvers.dashboards.agent_kpis` statement per window for every agent asked."""

    async def batch(keys: list[UUID]) -> list[Any]:
        rows = await agent_kpis(ctx.session, window.start, window.end, None,
                                targets=ctx.kpi_targets)  # fmt: skip
        by_id = {a.agent_id: a for a in rows}
        return [by_id.get(k) for k in keys]

    key = ("agent_performance", window.start, window.end)
    found: AgentFigures | None = await ctx.loaders.computed(key, batch).load(agent_id)
    return found


async def team_kpis(ctx: RequestContext, team_id: UUID, window: TimeWindow) -> list[KpiGroupFigure]:
    """The team's :data:`~resolvers.dashboards.TEAM_KPIS` over ``window`` (those with data);
    one statement per source and window for every team asked."""

    async def batch(keys: list[UUID]) -> list[Any]:
        results = await kpis(ctx.session, TEAM_KPIS, window.start, window.end, "team",
                             targets=ctx.kpi_targets)  # fmt: skip
        per_team: dict[str, list[KpiGroupFigure]] = {str(k): [] for k in keys}
        for result in results:
            groups = {g.key: g for g in result.groups}
            for key in per_team:
                g = groups.get(key)
                if g is not None:
                    per_team[key].append(g)
        return [per_team[str(k)] for k in keys]

    key = ("team_performance", window.start, window.end)
    values: list[KpiGroupFigure] = await ctx.loaders.computed(key, batch).load(team_id)
    return values
