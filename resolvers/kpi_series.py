"""KPI time series: any KPI of the registry per time bucket, with the dashboard's definitions.

A series applies the KPI engine to every bucket: the statistics function of the KPI's source
(:data:`~resolvers.kpi_measures.SOURCES`, ``analytics.<x>_stats``) runs over each bucket of
:mod:`resolvers.buckets` clipped to the window, and the KPI's measure
(:data:`~resolvers.kpi_measures.MEASURES`) turns each bucket's statistics into the value, ``n``
and, where the KPI is a sample estimate, the 95% interval. A bucket's figure is therefore exactly
what ``kpi(name, from, to)`` returns for that bucket's part of the window.

Per source
    Flows (tickets, sla, surveys, queues) count what happened in the bucket, as a window does.
    **Backlog** KPIs are snapshots: a bucket reports the backlog at its end (clipped to the window
    and capped at now); buckets that start after now have no snapshot (``n = 0``).
    **Workforce** KPIs come from daily agent rows (one per agent and UTC day), counted in the
    bucket that holds the day's start (00:00 UTC), as a window counts them; HOUR buckets are
    refused. **VIP retention** per bucket is the share of VIP clients active at the bucket's start
    still active at its end; HOUR buckets are refused. Queue and VIP KPIs are organisation-wide.

Contract (as docs/metrics.md): every bucket is present, in order; with ``group_by`` each group that
has an observation (``n > 0``) in some bucket gets every bucket, ordered by group key, then
bucket. ``value`` is None when ``n`` is 0 (and, as in ``kpi``, when a ratio's denominator is 0).

Cost: one SQL statement per series (``sql/queries/series_kpi_<source>.sql``), under the caller's
row level security; every argument is checked before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

import sql
from analytics.kpi_registry import UnknownKpiError, lookup
from resolvers.buckets import Granularity, SeriesRequest, clipped_bucket, validate_series
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_measures import MEASURES, Estimate, Estimator, Source, Stats
from resolvers.kpi_results import ALL, decode
from resolvers.kpis import check_group, check_scope, source_of
from resolvers.offload import run_cpu
from resolvers.port import Row, Session
from resolvers.privacy import group_sizes
from resolvers.windows import TimeWindow

#: Source → named query computing its statistics per bucket (columns: bucket_no, bucket_start,
#: bucket_end, local_start, group_key, group_label, stats; see series_kpi_tickets.sql).
SERIES_QUERIES: Mapping[str, str] = {
    "tickets": "series_kpi_tickets",
    "backlog": "series_kpi_backlog",
    "sla": "series_kpi_sla",
    "surveys": "series_kpi_surveys",
    "workforce": "series_kpi_workforce",
    "queues": "series_kpi_queues",
    "vip": "series_kpi_vip",
}

#: KPIs of the registry without a series, with the reason (today every KPI has one; a KPI whose
#: source has no entry in :data:`SERIES_QUERIES` must be listed here).
NOT_SERIESABLE: Mapping[str, str] = {}

#: Sources without HOUR buckets, with the reason given to the caller.
NO_HOUR: Mapping[str, str] = {
    "workforce": "its agent figures are daily rows (one per agent and UTC day)",
    "vip": "retention from a bucket's start to its end says nothing over an hour, and each "
    "bucket re-reads the clients' tier history",
}

#: Former series names still accepted, mapped to the registry's name (deprecated).
ALIASES: Mapping[str, str] = {"first_response_minutes": "first_response_time"}


@dataclass(frozen=True, slots=True)
class SeriesFigure:
    """One bucket of a series (of one group when grouped).

    ``bucket_start``/``bucket_end``: the UTC instants counted, the bucket clipped to the window.
    ``local_label``: the local bucket (see :func:`resolvers.buckets.local_label`).
    ``n``: the observations behind ``value``; ``value`` is None when ``n`` is 0.
    ``ci_low``/``ci_high``: the 95% interval where the KPI is a sample estimate, else None.
    ``group``/``group_label``: the group's key and its name for people, None when not grouped.
    ``suppressed``: withheld for k-anonymity (value, n and interval emptied).
    """

    bucket_start: datetime
    bucket_end: datetime
    local_label: str
    n: int
    value: float | None
    group: str | None = None
    group_label: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    #: withheld for k-anonymity (an analyst's group of fewer customers than the threshold)
    suppressed: bool = False


#: Series with more rows than this are assembled on the CPU pool (:mod:`resolvers.offload`).
OFFLOAD_ROWS = 2_000


def resolve_kpi(kpi: str) -> str:
    """The registry name of series KPI ``kpi`` (aliases mapped); UserInputError otherwise."""
    name = ALIASES.get(kpi, kpi)
    try:
        lookup(name)
    except UnknownKpiError as exc:
        raise UserInputError(str(exc), field="kpi") from exc
    if name in NOT_SERIESABLE:
        raise UserInputError(f"KPI {name!r} has no series: {NOT_SERIESABLE[name]}", field="kpi")
    return name


def check_granularity(name: str, source: Source, granularity: Granularity) -> None:
    """A UserInputError when ``source`` has no buckets of ``granularity`` (see :data:`NO_HOUR`)."""
    if granularity is Granularity.HOUR and source.name in NO_HOUR:
        allowed = ", ".join(g.name for g in Granularity if g is not Granularity.HOUR)
        raise UserInputError(
            f"KPI {name!r} has no HOUR series: {NO_HOUR[source.name]}; use one of {allowed}",
            field="granularity",
        )


def _params(
    source: Source,
    request: SeriesRequest,
    group_by: str | None,
    team_id: UUID | None,
    agent_id: UUID | None,
) -> tuple[Any, ...]:
    base = (
        request.window_from,
        request.window_to,
        request.granularity.value,
        request.timezone,
        group_by,
    )
    return (*base, team_id, agent_id) if source.scoped else base


def _point(
    bounds: tuple[datetime, datetime, str],
    est: Estimate,
    group: str | None,
    label: str | None,
) -> SeriesFigure:
    start, end, local = bounds
    measured = est.n > 0
    return SeriesFigure(
        bucket_start=start,
        bucket_end=end,
        local_label=local,
        n=est.n,
        value=est.value if measured else None,
        group=group,
        group_label=label,
        ci_low=est.ci_low if measured else None,
        ci_high=est.ci_high if measured else None,
    )


def assemble(
    rows: Iterable[Row], request: SeriesRequest, measure: Estimator, group_by: str | None
) -> list[SeriesFigure]:
    """Series points from the rows of a ``series_kpi_*`` query (pure; see the module contract).

    Rows come one per bucket and group, in bucket order; a bucket without statistics is one row
    with a null ``group_key``. Missing (group, bucket) cells are empty buckets.
    """
    buckets: dict[int, tuple[datetime, datetime, str]] = {}
    cells: dict[tuple[str, int], Estimate] = {}
    labels: dict[str, str] = {}
    for row in rows:
        no = int(row["bucket_no"])
        buckets.setdefault(no, clipped_bucket(row, request))
        key = row["group_key"]
        if key is not None:
            stats: Stats = decode(row["stats"])
            cells[(str(key), no)] = measure(stats)
            labels[str(key)] = str(row["group_label"] or key)
    empty = measure({})
    ordered = sorted(buckets.items())
    if group_by is None:
        return [_point(b, cells.get((ALL, no), empty), None, None) for no, b in ordered]
    keys = sorted({key for (key, _), est in cells.items() if est.n > 0})
    return [
        _point(bounds, cells.get((key, no), empty), key, labels[key])
        for key in keys
        for no, bounds in ordered
    ]


async def series(
    session: Session,
    kpi: str,
    window_from: datetime,
    window_to: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    group_by: str | None = None,
) -> list[SeriesFigure]:
    """KPI ``kpi`` (a registry name, or an alias of :data:`ALIASES`) per bucket of
    ``[window_from, window_to)`` in ``timezone``, optionally for one team's or agent's records
    and optionally one series per group of ``group_by`` (the KPI's source's groupings).

    One SQL statement, under the session's row level security. Invalid arguments (unknown KPI,
    zone or granularity, too many buckets, HOUR for a daily source, unsupported grouping or scope)
    raise :class:`UserInputError` before any SQL is sent.
    """
    name = resolve_kpi(kpi)
    request = validate_series(window_from, window_to, granularity, timezone)
    source = source_of(name)
    check_granularity(name, source, request.granularity)
    check_group(name, source, group_by)
    check_scope(name, source, team_id, agent_id)
    rows: Sequence[Row] = await session.fetch(
        sql.load(SERIES_QUERIES[source.name]),
        *_params(source, request, group_by, team_id, agent_id),
    )
    if len(rows) > OFFLOAD_ROWS:  # e.g. hourly by agent: seconds of Python, off the event loop
        return await run_cpu(assemble, rows, request, MEASURES[name].estimate, group_by)
    return assemble(rows, request, MEASURES[name].estimate, group_by)


async def kpi_series(
    ctx: RequestContext,
    kpi: str,
    granularity: Granularity,
    window: TimeWindow,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    group_by: str | None = None,
) -> list[SeriesFigure]:
    """:func:`series` of ``kpi`` over ``window`` (in its timezone) under the request's rights;
    an analyst's groups over fewer than ``ctx.k_anonymity`` customers in the window withheld."""
    points = await series(ctx.session, kpi, window.start, window.end, granularity,
                          window.timezone, team_id=team_id, agent_id=agent_id,
                          group_by=group_by)  # fmt: skip
    k = ctx.k_anonymity
    sizes = await group_sizes(ctx.session, ctx.viewer.app_role, k,
                              source_of(resolve_kpi(kpi)).name, (window.start, window.end),
                              group_by, team_id, agent_id)  # fmt: skip
    if sizes is None:
        return points
    return [p if p.group is None or sizes.get(p.group, 0) >= k
            else replace(p, value=None, n=0, ci_low=None, ci_high=None, suppressed=True)
            for p in points]  # fmt: skip
