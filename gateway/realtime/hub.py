"""The realtime hub: one per gateway process, fanning changes out to subscribers.

Flow of a change: the :class:`~gateway.realtime.changes.ChangeSource` hands a batch to
:meth:`Hub._on_changes`; one statement (:func:`gateway.realtime.visibility.decide`) decides, for
every viewer class of the current subscribers, who may see each change and reads the payloads;
the hub then puts an event on the queue of each subscription whose class may see the change and
whose criteria match, and tells the dashboard multiplexer which scopes changed. Internal
listeners (the alerting engine) get every batch, unfiltered.

Subscriptions and their queues:

* each GraphQL subscription is a :class:`HubSubscription` with its own bounded queue
  (``queue_size``, default 1,000 events);
* the hub never waits on a subscriber: it puts events without blocking;
* **overflow policy**: when a subscription's queue is full, the subscription is dropped: its
  pending events are discarded, and the client receives a GraphQL error (``subscription
  dropped: ... more than N events waiting ...; subscribe again``) followed by ``complete`` for
  that operation. The websocket and the client's other subscriptions stay open. The client
  resubscribes and re-reads current state over HTTP if it needs it.

Order and uniqueness: batches arrive in order and once (the source's cursor); within a batch
events are put in seq order, so each subscription sees its events in commit order, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.auth import Principal
from gateway.db import Database
from gateway.realtime.changes import Change, ChangeSource
from gateway.realtime.erasure import BATCH_KEY, Erasure, RecentErasures, filter_queue
from gateway.realtime.fanout import SharedStreams, dropped_message
from gateway.realtime.multiplex import DashboardMultiplexer
from gateway.realtime.visibility import Decision, ViewerClasses, ViewerIdentity, decide
from resolvers.live import (
    RowEvent,
    SubscriberDropped,
    TicketChangeCriteria,
    TicketChangeEvent,
    dashboard_snapshot,
)

log = logging.getLogger(__name__)

#: Default bound of a subscription's queue.
QUEUE_SIZE = 1000

_DROPPED = object()


@dataclass(frozen=True, slots=True)
class RowCriteria:
    """Narrowing of queue-metric and alert streams: allowed values of one or two columns."""

    first: frozenset[str] | None = None
    second: frozenset[str] | None = None


@dataclass(eq=False)
class HubSubscription:
    """One GraphQL subscription registered with the hub."""

    kind: str
    identity: ViewerIdentity
    class_id: int
    criteria: Any
    principal: Principal
    queue: asyncio.Queue[Any]
    dropped: str | None = None
    delivered: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    erasures: RecentErasures | None = None

    async def next(self) -> Any:
        """The next event; raises :class:`SubscriberDropped` once the subscription was dropped.
        Events an erasure covers are skipped (gateway.realtime.erasure)."""
        while True:
            item = await self.queue.get()
            if item is _DROPPED:
                raise SubscriberDropped(self.dropped or "subscription dropped")
            if self.erasures is None or not self.erasures.covers(item):
                return item


KINDS = ("tickets", "queues", "alerts", "dashboard")


class Hub:
    """Subscriptions, the change source's sink, and fan-out (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        source: ChangeSource,
        *,
        queue_size: int = QUEUE_SIZE,
        dashboard_min_interval: float = 1.0,
        dashboard_refresh_seconds: float = 30.0,
        kpi_targets: Mapping[str, float] | None = None,
    ) -> None:
        self._db = db
        self.source = source
        self.queue_size = queue_size
        self.classes = ViewerClasses()
        self._subs: dict[str, dict[int, set[HubSubscription]]] = {
            k: defaultdict(set) for k in KINDS
        }
        self._listeners: list[Callable[[Sequence[Change]], None]] = []
        self._task: asyncio.Task[None] | None = None
        self.dashboards = DashboardMultiplexer(
            db,
            self.offer,
            min_interval=dashboard_min_interval,
            refresh_seconds=dashboard_refresh_seconds,
            compute=functools.partial(dashboard_snapshot, targets=kpi_targets),
        )
        self.counters: dict[str, int] = defaultdict(int)
        self.erasures = RecentErasures()
        self.streams = SharedStreams(queue_size, self.erasures)
        self._batch = 0

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start following the change source."""
        if self._task is None:
            self._task = asyncio.create_task(self.source.run(self._on_changes), name="rt-source")

    async def stop(self) -> None:
        """Stop the source, the shared streams and the dashboard tasks; subscriptions simply stop
        receiving."""
        await self.streams.stop()
        await self.dashboards.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def add_listener(self, listener: Callable[[Sequence[Change]], None]) -> None:
        """Call ``listener`` with every batch (unfiltered, in order); it must not block."""
        self._listeners.append(listener)

    # -- subscriptions ---------------------------------------------------------------------------

    def open(
        self, kind: str, identity: ViewerIdentity, criteria: Any, principal: Principal
    ) -> HubSubscription:
        """Register a subscription; events committed from now on reach its queue."""
        if kind not in KINDS:
            raise ValueError(f"unknown subscription kind {kind!r}")
        sub = HubSubscription(
            kind=kind,
            identity=identity,
            class_id=self.classes.acquire(identity),
            criteria=criteria,
            principal=principal,
            queue=asyncio.Queue(maxsize=self.queue_size),
            erasures=self.erasures,
        )
        self._subs[kind][sub.class_id].add(sub)
        self.counters["subscribed"] += 1
        if kind == "dashboard":
            self.dashboards.join(sub)
        return sub

    def close(self, sub: HubSubscription) -> None:
        """Unregister ``sub`` (idempotent)."""
        members = self._subs[sub.kind].get(sub.class_id)
        if members is None or sub not in members:
            return
        members.discard(sub)
        if not members:
            del self._subs[sub.kind][sub.class_id]
        self.classes.release(sub.class_id)
        if sub.kind == "dashboard":
            self.dashboards.leave(sub)

    def offer(self, sub: HubSubscription, event: Any) -> None:
        """Queue ``event`` for ``sub`` without waiting; drop ``sub`` if its queue is full."""
        if sub.dropped is not None:
            return
        try:
            sub.queue.put_nowait(event)
        except asyncio.QueueFull:
            self._drop(sub)
            return
        sub.delivered += 1
        self.counters["delivered"] += 1

    def _drop(self, sub: HubSubscription) -> None:
        sub.dropped = dropped_message(self.queue_size)
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(_DROPPED)
        self.counters["dropped"] += 1
        log.warning("realtime: dropped a slow %s subscription", sub.kind)
        self.close(sub)

    def lag_seconds(self, now: datetime | None = None) -> float:
        """Age of the oldest event still waiting in a subscriber's queue (0 when none is): how
        far behind its change the slowest subscriber is, by the change's own ``changed_at``."""
        at = now or datetime.now(UTC)
        oldest: datetime | None = None
        for by_class in self._subs.values():
            for members in by_class.values():
                for sub in members:
                    waiting = getattr(sub.queue, "_queue", None)  # asyncio.Queue's deque
                    head = waiting[0] if waiting else None
                    changed = getattr(head, "changed_at", None)
                    if isinstance(changed, datetime) and (oldest is None or changed < oldest):
                        oldest = changed
        return max(0.0, (at - oldest).total_seconds()) if oldest is not None else 0.0

    def subscriptions(self) -> int:
        return sum(len(s) for by_class in self._subs.values() for s in by_class.values())

    def stats(self) -> dict[str, Any]:
        """Counters for ``/realtime/stats`` and the benchmark."""
        src = self.source.stats
        streams, members, ready = self.streams.counts()
        return {
            "connected": src.connected,
            "reconnects": src.reconnects,
            "watermark": src.watermark,
            "pendingGaps": src.pending_gaps,
            "changes": src.changes,
            "batches": src.batches,
            "sourceStatements": src.statements,
            "visibilityStatements": self.counters["visibility_statements"],
            "dashboardStatements": self.dashboards.statements,
            "dashboardRecomputations": self.dashboards.recomputations,
            "dashboardScopes": len(self.dashboards),
            # what clients hold: a shared stream counts as its members once it is registered
            "subscriptions": self.subscriptions() - self.streams.hub_subscriptions + ready,
            "sharedStreams": streams,
            "sharedMembers": members,
            "subscriptionsByKind": {k: sum(len(s) for s in self._subs[k].values()) for k in KINDS},
            "viewerClasses": len(self.classes),
            "delivered": self.counters["delivered"],
            "queued": sum(
                sub.queue.qsize()
                for by_class in self._subs.values()
                for members in by_class.values()
                for sub in members
            ),
            "lagSeconds": round(self.lag_seconds(), 3),
            "dropped": self.counters["dropped"] + self.streams.dropped,
            "erasures": self.counters["erasures"],
            "scrubbedEvents": self.counters["scrubbed"],
            "lastError": src.last_error,
            # source-specific counters (Supabase Realtime: subscribed, subscribes, events, losses)
            "source": dict(src.extra),
        }

    # -- fan-out ---------------------------------------------------------------------------------

    async def _on_changes(self, batch: Sequence[Change]) -> None:
        """The source's sink: decide visibility (may raise: the batch is then re-read)."""
        self._batch += 1
        for change in batch:
            erasure = Erasure.of(change, self._batch)
            if erasure is not None:
                self.scrub(erasure)
        for listener in self._listeners:
            try:
                listener(batch)
            except Exception:
                log.exception("realtime: a change listener failed")
        classes = self.classes.items()
        if not classes:
            return
        async with self._db.pool.acquire() as conn:
            decisions = await decide(conn, batch, classes)
        self.counters["visibility_statements"] += 1
        for decision in decisions:
            try:
                self._dispatch(decision)
            except Exception:  # a bug here must not stop the stream for everyone
                log.exception("realtime: dispatching change %s failed", decision.change.seq)

    def scrub(self, erasure: Erasure) -> int:
        """Drop what this process holds about an erased customer (gateway.realtime.erasure):
        queued events and shared-stream frames made from them, and the statistics cache."""
        from resolvers.statistics_data import CACHE

        self.erasures.add(erasure)
        removed = 0
        for by_class in self._subs.values():
            for members in by_class.values():
                for sub in members:
                    removed += filter_queue(sub.queue, erasure.covers)
        removed += self.streams.scrub(erasure.covers)
        CACHE.clear()
        self.counters["erasures"] += 1
        self.counters["scrubbed"] += removed
        log.info("realtime: erasure %s scrubbed %d queued event(s)", erasure.seq, removed)
        return removed

    def _dispatch(self, d: Decision) -> None:
        c = d.change
        if c.table in ("support_tickets", "support_interactions"):
            self._dispatch_ticket(d)
            self.dashboards.changed(d.visible_after | d.visible_before)
        elif c.table == "support_queue_metrics" and d.queue_metric is not None:
            queue = str(d.queue_metric["queue"])
            for cid in d.visible_after:
                event = RowEvent(c.seq, c.op, d.queue_metric, c.created_at)  # one per class
                event.shared[BATCH_KEY] = self._batch
                for sub in list(self._subs["queues"].get(cid, ())):
                    allowed = sub.criteria.first
                    if allowed is None or queue in allowed:
                        self.offer(sub, event)
        elif c.table == "support_alerts" and c.op == "INSERT" and d.alert is not None:
            severity, kind = str(d.alert["severity"]), str(d.alert["alert_type"])
            for cid in d.visible_after:
                event = RowEvent(c.seq, c.op, d.alert, c.created_at)
                event.shared[BATCH_KEY] = self._batch
                for sub in list(self._subs["alerts"].get(cid, ())):
                    crit: RowCriteria = sub.criteria
                    if (crit.first is None or severity in crit.first) and (
                        crit.second is None or kind in crit.second
                    ):
                        self.offer(sub, event)

    def _dispatch_ticket(self, d: Decision) -> None:
        c = d.change
        after, before = d.visible_after, d.visible_before
        ticket_id = c.ticket_id if c.ticket_id is not None else c.row_id
        subs_by_class = self._subs["tickets"]
        for cid in after | before:
            # one event object per outcome for the whole class (subscribers share it)
            events: dict[tuple[str, bool], TicketChangeEvent] = {}
            for sub in list(subs_by_class.get(cid, ())):
                outcome = _ticket_outcome(d, sub.criteria, cid in after, cid in before)
                if outcome is None:
                    continue
                event = events.get(outcome)
                if event is None:
                    op, removed = outcome
                    ticket = None if removed else d.ticket
                    event = TicketChangeEvent(c.seq, op, ticket_id, ticket, removed, c.created_at)
                    event.shared[BATCH_KEY] = self._batch
                    events[outcome] = event
                self.offer(sub, event)


def _ticket_outcome(
    d: Decision, crit: TicketChangeCriteria, seen_after: bool, seen_before: bool
) -> tuple[str, bool] | None:
    """(op, removed) of the event one subscriber gets for a ticket change, or None."""
    c = d.change
    if c.table == "support_interactions":
        if seen_after and d.ticket is not None and crit.matches(d.ticket):
            return "INTERACTION", False
        return None
    if c.op == "INSERT":
        return ("INSERT", False) if seen_after and crit.matches(c.new_row) else None
    if c.op == "UPDATE":
        if seen_after and crit.matches(c.new_row):
            return "UPDATE", False
        if seen_before and crit.matches(c.old_row):
            return "UPDATE", True
        return None
    return ("DELETE", True) if seen_before and crit.matches(c.old_row) else None
