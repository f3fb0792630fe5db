"""Correlations between KPI series (docs/metrics.md, "Statistics": Spearman with BH; Pearson and a
lagged variant beside it), from the ``timeSeries`` queries under the caller's row level security
(one statement per KPI source), computed off the event loop by :mod:`analytics.correlation`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from analytics.correlation import (
    CorrelationMatrix,
    LaggedPair,
    lagged_correlations,
    spearman_matrix,
)
from resolvers.buckets import Granularity, parse_granularity
from resolvers.errors import UserInputError
from resolvers.port import Session
from resolvers.statistics import values_of
from resolvers.statistics_data import cached_result, kpi_series, off_loop

MAX_KPIS = 8
MAX_LAG = 14


@dataclass(frozen=True, slots=True)
class CorrelationReport:
    kpis: tuple[str, ...]
    granularity: Granularity
    buckets: int
    spearman: CorrelationMatrix
    pearson: CorrelationMatrix
    lagged: tuple[LaggedPair, ...]


@cached_result("correlations")
async def correlations(
    session: Session,
    kpis: Sequence[str],
    start: datetime,
    end: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    max_lag: int = 0,
) -> CorrelationReport:
    """Spearman and Pearson matrices over the buckets (BH across each matrix) and, with
    ``max_lag``, lagged Spearman correlations of every ordered pair; one statement per source."""
    names = tuple(dict.fromkeys(kpis))
    if not 2 <= len(names) <= MAX_KPIS:
        raise UserInputError(f"give 2 to {MAX_KPIS} distinct KPIs", field="kpis")
    if not 0 <= max_lag <= MAX_LAG:
        raise UserInputError(f"maxLag must be between 0 and {MAX_LAG}", field="maxLag")
    g = parse_granularity(granularity)
    request, got = await kpi_series(session, names, start, end, g, timezone,
                                    team_id=team_id, agent_id=agent_id)  # fmt: skip

    def compute() -> CorrelationReport:
        columns = {k: [math.nan if v is None else v for v in values_of(k, got[k])] for k in names}
        lagged = lagged_correlations(columns, max_lag) if max_lag else ()
        return CorrelationReport(
            kpis=names,
            granularity=g,
            buckets=request.bucket_count,
            spearman=spearman_matrix(columns),
            pearson=spearman_matrix(columns, method="pearson"),
            lagged=lagged,
        )

    return await off_loop(compute)
