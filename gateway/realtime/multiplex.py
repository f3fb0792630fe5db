"""Shared, throttled recomputation of live dashboards.

Subscribers of ``dashboardMetrics`` are grouped by *scope* = (viewer identity, period, time zone),
where the viewer identity is (app role, agent row, team) as row level security sees it. Every
policy the dashboard query touches is a function of exactly those three facts, so all
subscribers of a scope are entitled to the same figures: one recomputation, run under ONE
representative subscriber's rights (a read-only transaction with their role and claims, like an
HTTP request), serves all of them.

Per scope, a task recomputes:

* when the scope is created (its first subscriber gets the figures at once; later subscribers get
  the latest figures immediately on joining);
* after a ticket or interaction change that the scope's viewer could see (before or after the
  change), at most once per ``min_interval`` seconds (1 s): changes arriving during the pause or
  the computation are coalesced into the next one;
* at least every ``refresh_seconds`` (time moves the window even without changes).

Figures are pushed only when they differ from the previous ones. A failed recomputation (the
database is away) is logged and retried after ``min_interval``. The scope and its task go when
its last subscriber leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg

from gateway.auth import Principal
from gateway.db import Database
from gateway.realtime.visibility import ViewerIdentity
from resolvers.live import DashboardEvent, dashboard_snapshot, dashboard_window
from resolvers.port import Row, Session

if TYPE_CHECKING:
    from gateway.realtime.hub import HubSubscription

log = logging.getLogger(__name__)

Compute = Callable[[Session, datetime, datetime], Awaitable[Row]]


@dataclass(frozen=True, slots=True)
class ScopeKey:
    """What decides a dashboard's figures: who (as RLS sees them), period and time zone."""

    identity: ViewerIdentity
    period: str
    timezone: str


@dataclass(eq=False)
class Scope:
    key: ScopeKey
    class_id: int
    members: set[HubSubscription] = field(default_factory=set)
    dirty: asyncio.Event = field(default_factory=asyncio.Event)
    last: DashboardEvent | None = None
    task: asyncio.Task[None] | None = None


class DashboardMultiplexer:
    """Scopes of dashboard subscriptions and their recomputation tasks."""

    def __init__(
        self,
        db: Database,
        offer: Callable[[HubSubscription, Any], None],
        *,
        min_interval: float = 1.0,
        refresh_seconds: float = 30.0,
        compute: Compute = dashboard_snapshot,
    ) -> None:
        self._db = db
        self._offer = offer
        self._min_interval = min_interval
        self._refresh = refresh_seconds
        self._compute = compute
        self._scopes: dict[ScopeKey, Scope] = {}
        self.recomputations = 0
        self.statements = 0

    def __len__(self) -> int:
        return len(self._scopes)

    def join(self, sub: HubSubscription) -> None:
        """Add a dashboard subscription (criteria: ``(period, timezone)``) to its scope."""
        period, timezone = sub.criteria
        key = ScopeKey(sub.identity, period, timezone)
        scope = self._scopes.get(key)
        if scope is None:
            scope = Scope(key=key, class_id=sub.class_id)
            self._scopes[key] = scope
            scope.task = asyncio.create_task(self._run(scope), name=f"rt-dashboard-{period}")
        scope.members.add(sub)
        if scope.last is not None:
            self._offer(sub, scope.last)

    def leave(self, sub: HubSubscription) -> None:
        """Remove a subscription; the scope stops with its last member."""
        period, timezone = sub.criteria
        key = ScopeKey(sub.identity, period, timezone)
        scope = self._scopes.get(key)
        if scope is None:
            return
        scope.members.discard(sub)
        if not scope.members:
            del self._scopes[key]
            if scope.task is not None:
                scope.task.cancel()

    def changed(self, class_ids: Iterable[int]) -> None:
        """A ticket change visible to these viewer classes: their scopes need recomputing."""
        ids = set(class_ids)
        if not ids:
            return
        for scope in self._scopes.values():
            if scope.class_id in ids:
                scope.dirty.set()

    async def stop(self) -> None:
        tasks = [s.task for s in self._scopes.values() if s.task is not None]
        self._scopes.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self, scope: Scope) -> None:
        loop = asyncio.get_running_loop()
        last_start = float("-inf")
        first = True
        while scope.members:
            if not first:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(scope.dirty.wait(), self._refresh)
            first = False
            pause = self._min_interval - (loop.time() - last_start)
            if pause > 0:
                await asyncio.sleep(pause)
            scope.dirty.clear()
            last_start = loop.time()
            if not scope.members:
                return
            try:
                event = await self._recompute(scope)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("dashboard recomputation failed (%s); retrying", exc)
                scope.dirty.set()
                continue
            previous = scope.last
            scope.last = event
            if previous is None or dict(previous.figures) != dict(event.figures):
                for sub in list(scope.members):
                    self._offer(sub, event)

    async def _recompute(self, scope: Scope) -> DashboardEvent:
        representative: Principal = next(iter(scope.members)).principal
        now = datetime.now(UTC)
        start, end = dashboard_window(scope.key.period, scope.key.timezone, now)
        session = self._db.session(representative)
        try:
            figures = await self._compute(session, start, end)
        finally:
            self.statements += session.statements
            await session.close()
        self.recomputations += 1
        return DashboardEvent(
            period=scope.key.period,
            timezone=scope.key.timezone,
            window_start=start,
            window_end=end,
            computed_at=now,
            figures=dict(figures),
        )
