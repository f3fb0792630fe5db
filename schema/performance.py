"""Computed KPI fields on graph objects, batched per window.

``Agent.performance``, ``Team.performance``, ``Category.stats`` and ``Customer.supportSummary``
each cost one batch per distinct window, however many objects ask: the window is resolved
against the request's clock, and a DataLoader keyed by the window answers every object at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry

from resolvers import kpis as engine
from resolvers.port import Row
from schema.common import Info
from schema.kpis import AgentKpis, KpiValue

#: The KPIs of Team.performance (all from sources that can be grouped by team).
TEAM_KPIS = [
    "ticket_volume",
    "first_response_time",
    "resolution_time",
    "fcr",
    "reopen_rate",
    "sla_compliance",
    "csat",
    "nps",
    "utilization",
    "schedule_adherence",
    "quality_score",
]


async def agent_performance(
    info: Info, agent_id: UUID, start: datetime, end: datetime
) -> AgentKpis | None:
    ctx = info.context

    async def batch(keys: list[UUID]) -> list[Any]:
        rows = await engine.agent_kpis(ctx.session, start, end, None, targets=ctx.kpi_targets)
        by_id = {a.agent_id: a for a in rows}
        return [by_id.get(k) for k in keys]

    found = await ctx.loaders.computed(("agent_performance", start, end), batch).load(agent_id)
    return AgentKpis.of(found) if found is not None else None


async def team_performance(
    info: Info, team_id: UUID, start: datetime, end: datetime
) -> list[KpiValue]:
    ctx = info.context

    async def batch(keys: list[UUID]) -> list[Any]:
        results = await engine.kpis(
            ctx.session, TEAM_KPIS, start, end, "team", targets=ctx.kpi_targets
        )
        per_team: dict[str, list[KpiValue]] = {str(k): [] for k in keys}
        for result in results:
            groups = {g.key: g for g in result.groups}
            for key in per_team:
                g = groups.get(key)
                if g is not None:
                    per_team[key].append(KpiValue.of(g))
        return [per_team[str(k)] for k in keys]

    values: list[KpiValue] = await ctx.loaders.computed(
        ("team_performance", start, end), batch
    ).load(team_id)
    return values


@strawberry.type(description="Ticket statistics of a category and all its descendants.")
class CategoryStats:
    tickets: int
    open: int
    resolved: int
    reopened: int
    first_response_median_minutes: float | None
    resolution_median_hours: float | None
    csat_mean: float | None
    csat_n: int

    @classmethod
    def of(cls, r: Row) -> CategoryStats:
        return cls(
            tickets=r["tickets"],
            open=r["open"],
            resolved=r["resolved"],
            reopened=r["reopened"],
            first_response_median_minutes=r["frt_median_minutes"],
            resolution_median_hours=r["resolution_median_hours"],
            csat_mean=r["csat_mean"],
            csat_n=r["csat_n"],
        )


@strawberry.type(description="A client's support experience over a window.")
class CustomerSupportSummary:
    tickets: int
    open: int
    white_glove: int
    first_response_median_minutes: float | None
    csat_mean: float | None
    csat_n: int
    sla_breaches: int = strawberry.field(description="Targets missed, or overdue now.")
    last_contact_at: datetime | None

    @classmethod
    def of(cls, r: Row) -> CustomerSupportSummary:
        return cls(
            tickets=r["tickets"],
            open=r["open"],
            white_glove=r["white_glove"],
            first_response_median_minutes=r["frt_median_minutes"],
            csat_mean=r["csat_mean"],
            csat_n=r["csat_n"],
            sla_breaches=r["sla_breaches"],
            last_contact_at=r["last_contact_at"],
        )


async def category_stats(info: Info, category_id: int, start: datetime, end: datetime) -> Row:
    loader = info.context.loaders.one("category_stats", "category_id", start, end)
    row: Row = await loader.load(category_id)
    return row


async def customer_summary(info: Info, customer_id: UUID, start: datetime, end: datetime) -> Row:
    loader = info.context.loaders.one("customer_support_summary", "customer_id", start, end)
    row: Row = await loader.load(customer_id)
    return row
