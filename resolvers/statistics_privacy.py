"""k-anonymity of the statistics groupings shown to analysts: ``trend(groupBy)`` and
``anomalies(groupBy)`` leave out every group over fewer than ``ctx.k_anonymity`` distinct
customers in the window (counted as for the KPI groups, :func:`resolvers.privacy.group_sizes`,
under the caller's rights); the overall series stays. Other roles, and groupings that are not
about customers, are unchanged. The cached results (:mod:`resolvers.statistics`) are per rights,
so the filtering is applied to each answer, after the cache."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

from resolvers.buckets import Granularity
from resolvers.context import RequestContext
from resolvers.kpi_series import resolve_kpi
from resolvers.kpis import source_of
from resolvers.privacy import group_sizes
from resolvers.statistics import AnomalyReport, TrendReport, anomalies, trend


async def _sizes(
    ctx: RequestContext,
    kpi: str,
    window: tuple[datetime, datetime],
    group_by: str | None,
    team_id: UUID | None,
    agent_id: UUID | None,
) -> dict[str, int] | None:
    source = source_of(resolve_kpi(kpi)).name
    return await group_sizes(
        ctx.session, ctx.viewer.app_role, ctx.k_anonymity, source, window, group_by, team_id,
        agent_id,
    )  # fmt: skip


async def shown_trend(
    ctx: RequestContext,
    kpi: str,
    start: datetime,
    end: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    seasonal: bool = False,
    group_by: str | None = None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    alpha: float = 0.05,
) -> TrendReport:
    """:func:`resolvers.statistics.trend` with an analyst's small groups left out."""
    r = await trend(
        ctx, kpi, start, end, granularity, timezone, seasonal=seasonal, group_by=group_by,
        team_id=team_id, agent_id=agent_id, alpha=alpha,
    )  # fmt: skip
    sizes = await _sizes(ctx, kpi, (start, end), group_by, team_id, agent_id)
    if sizes is None:
        return r
    k = ctx.k_anonymity
    return dataclasses.replace(
        r, groups=tuple(g for g in r.groups if sizes.get(str(g.group), 0) >= k)
    )


async def shown_anomalies(
    ctx: RequestContext,
    kpi: str,
    start: datetime,
    end: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    group_by: str | None = None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    threshold: float = 3.5,
) -> AnomalyReport:
    """:func:`resolvers.statistics.anomalies` with an analyst's small groups left out."""
    r = await anomalies(
        ctx, kpi, start, end, granularity, timezone, group_by=group_by, team_id=team_id,
        agent_id=agent_id, threshold=threshold,
    )  # fmt: skip
    sizes = await _sizes(ctx, kpi, (start, end), group_by, team_id, agent_id)
    if sizes is None:
        return r
    k = ctx.k_anonymity
    return dataclasses.replace(
        r, series=tuple(s for s in r.series if sizes.get(str(s.group), 0) >= k)
    )
