"""Data access of the statistics fields: KPI series (the ``timeSeries`` queries), a data version
for cache invalidation, and the result cache.

Series
    :func:`kpi_series` reads several KPIs over one window with **one statement per source**
    (tickets, sla, surveys, ...): the ``series_kpi_<source>`` query of
    :mod:`resolvers.kpi_series` returns a source's statistics per bucket, and every KPI of that
    source is assembled from the same rows with its own measure, so each bucket's figure is
    exactly what ``timeSeries`` (and ``kpi``) returns for it. Row level security applies.

Cache
    Results are cached per (rights, field, arguments, data version), both read in one cheap
    statement (``stats_data_version``). Rights are everything row level security decides the
    viewer's rows from: the Postgres role, the application role, the user id, and the team they
    lead or belong to and their agent as the database says now (``app.current_team_id()``,
    ``app.current_agent_id()``), so a reassigned team lead misses the cache at once. The data
    version is ``analytics.data_version()``: the newest change-log sequence number (tickets,
    interaction inserts, queue metrics, alerts) plus the newest ``stats_source_changes`` number,
    which a statement-level trigger moves on every write to surveys, sla rows, agent-day
    metrics, qa evaluations, vip periods, customers, interactions (updates, deletes), the
    organisation (agents, teams, user_roles) and the reference tables
    (migration ``20261203001200``). Entries also expire after :data:`TTL_SECONDS` (a backstop:
    sequence numbers are allocation order, not commit order). At most :data:`MAX_ENTRIES`
    entries are kept (least recently used out).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

import sql
from resolvers.buckets import Granularity, SeriesRequest, validate_series
from resolvers.context import RequestContext
from resolvers.kpi_measures import MEASURES
from resolvers.kpi_series import (
    SERIES_QUERIES,
    SeriesFigure,
    assemble,
    check_granularity,
    resolve_kpi,
)
from resolvers.kpis import check_group, check_scope, source_of
from resolvers.offload import pool_info, run_cpu
from resolvers.port import Session

T = TypeVar("T")
P = ParamSpec("P")

TTL_SECONDS = 300.0
MAX_ENTRIES = 512


@dataclass(frozen=True, slots=True)
class Rights:
    """Whose rows a result was computed from (the inputs of row level security)."""

    role: str
    app_role: str | None
    user_id: UUID | None
    team_id: UUID | None = None
    agent_id: UUID | None = None


async def kpi_series(
    session: Session,
    kpis: Sequence[str],
    window_from: datetime,
    window_to: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    group_by: str | None = None,
) -> tuple[SeriesRequest, dict[str, list[SeriesFigure]]]:
    """Each KPI's series (registry names or aliases; keyed as given), one statement per
    source. Every argument is checked before any SQL is sent (UserInputError)."""
    request = validate_series(window_from, window_to, granularity, timezone)
    names = {kpi: resolve_kpi(kpi) for kpi in kpis}
    by_source: dict[str, list[str]] = {}
    for kpi, name in names.items():
        source = source_of(name)
        check_granularity(name, source, request.granularity)
        check_group(name, source, group_by)
        check_scope(name, source, team_id, agent_id)
        by_source.setdefault(source.name, []).append(kpi)
    out: dict[str, list[SeriesFigure]] = {}
    for source_name, members in by_source.items():
        source = source_of(names[members[0]])
        base = (window_from, window_to, request.granularity.value, timezone, group_by)
        params = (*base, team_id, agent_id) if source.scoped else base
        rows = await session.fetch(sql.load(SERIES_QUERIES[source_name]), *params)
        for kpi in members:
            out[kpi] = assemble(rows, request, MEASURES[names[kpi]].estimate, group_by)
    return request, out


async def data_version(session: Session) -> tuple[int, UUID | None, UUID | None]:
    """(``analytics.data_version()``, the viewer's team, the viewer's agent) in one statement."""
    row = await session.fetchrow(sql.load("stats_data_version"))
    if row is None:
        return 0, None, None
    return int(row["version"] or 0), row["team_id"], row["agent_id"]


class ResultCache:
    """An LRU of results keyed by (rights, field, arguments, data version), with a TTL."""

    def __init__(self, ttl: float = TTL_SECONDS, size: int = MAX_ENTRIES) -> None:
        self._ttl, self._size = ttl, size
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self.hits = self.misses = 0

    def clear(self) -> None:
        self._entries.clear()

    async def get_or_compute(
        self,
        session: Session,
        rights: Rights,
        field: str,
        arguments: Hashable,
        compute: Callable[[], Awaitable[T]],
    ) -> T:
        """The cached result, or ``compute()`` stored under the current data version and the
        viewer's current team and agent."""
        version, team_id, agent_id = await data_version(session)
        scoped = Rights(rights.role, rights.app_role, rights.user_id, team_id, agent_id)
        key = (scoped, field, arguments, version)
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self._ttl:
            self._entries.move_to_end(key)
            self.hits += 1
            result: T = hit[1]
            return result
        self.misses += 1
        value = await compute()
        self._entries[key] = (now, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return value


#: The process's statistics cache (one per gateway process).
CACHE = ResultCache()


async def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """Run pure analytics off the event loop, on the gateway's CPU pool
    (:func:`resolvers.offload.run_cpu`); with a process pool, in a thread instead: the
    statistics' computations are closures over the fetched rows, which do not pickle."""
    if pool_info()["kind"] == "process":
        return await asyncio.to_thread(fn, *args)
    return await run_cpu(fn, *args)


def _hashable(value: Any) -> Hashable:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    hashable: Hashable = value
    return hashable


def cached_result(
    field: str,
) -> Callable[
    [Callable[Concatenate[Session, P], Awaitable[T]]],
    Callable[Concatenate[RequestContext, P], Awaitable[T]],
]:
    """Turn ``fn(session, *args)`` into ``fn(ctx, *args)`` answered from :data:`CACHE` per
    (the viewer's rights, ``field``, the arguments, the data version)."""

    def wrap(
        fn: Callable[Concatenate[Session, P], Awaitable[T]],
    ) -> Callable[Concatenate[RequestContext, P], Awaitable[T]]:
        async def cached(ctx: RequestContext, /, *args: P.args, **kwargs: P.kwargs) -> T:
            v = ctx.viewer
            key = (_hashable(args), _hashable(kwargs))
            return await CACHE.get_or_compute(
                ctx.session,
                Rights(v.role, v.app_role, v.user_id),
                field,
                key,
                lambda: fn(ctx.session, *args, **kwargs),
            )

        cached.__doc__, cached.__name__ = fn.__doc__, fn.__name__
        return cached

    return wrap
