"""Erasure in memory: what a gateway process drops when a customer is erased.

``app.erase_customer`` (migration ``20261203003000``) appends an erasure row to the change log
(table ``customers``, op ``ERASE``) naming the tickets and alerts whose text held the customer's
data. Every hub reads it in sequence like any change, in every process, and then:

* removes from every subscription queue (the hub's, and the frames waiting in shared streams'
  member queues) the events about those tickets and alerts that were dispatched before the
  erasure was read — their payloads (ticket subjects) and the results made from them (the
  customer's name and email read by nested fields) predate the erasure;
* refuses such an event if it was already taken from a queue (in flight: being executed) when
  the erasure arrived, at the moment it would be delivered (a shared stream skips its frame; a
  subscription's own pipeline sends the result withheld — data null and an error saying so —
  :class:`ErasedEventGuard`, which finds the event in :data:`CURRENT_EVENT`);
* empties the statistics result cache (its key, the data version, moves with the erasure row, so
  old entries could no longer be hit; they are dropped from memory too).

Events dispatched after the erasure was read are delivered: they were read from the log after the
erasure committed, so they carry redacted data. Subscribers are not told about removed events:
the erasure's own redactions reach them as updates of those tickets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult

from gateway.realtime.changes import Change
from resolvers.live import RowEvent, TicketChangeEvent

#: Key in an event's ``shared`` dict: the hub batch that dispatched it.
BATCH_KEY = "hub_batch"
#: How long an erasure is remembered for events in flight (far longer than one execution).
KEEP_SECONDS = 600.0
#: What a subscriber receives instead of a result made from an erased customer's event.
WITHHELD = "this change was withheld: the customer it concerned has been erased"


@dataclass(frozen=True, slots=True)
class Erasure:
    """One erasure as the hub read it: the tickets and alerts it redacted, and the hub batch in
    which it was read (events dispatched by earlier batches predate it)."""

    seq: int
    batch: int
    tickets: frozenset[int]
    alerts: frozenset[int]
    read_at: float

    @classmethod
    def of(cls, change: Change, batch: int) -> Erasure | None:
        """The erasure a change-log row announces, or None for any other change."""
        if change.table != "customers" or change.op != "ERASE" or change.new_row is None:
            return None
        row = change.new_row
        return cls(
            seq=change.seq,
            batch=batch,
            tickets=frozenset(int(t) for t in row.get("tickets") or ()),
            alerts=frozenset(int(a) for a in row.get("alerts") or ()),
            read_at=time.monotonic(),
        )

    def covers(self, event: Any) -> bool:
        """Whether ``event`` was dispatched before this erasure and is about what it redacted."""
        shared = getattr(event, "shared", None)
        dispatched = shared.get(BATCH_KEY) if isinstance(shared, dict) else None
        if dispatched is None or dispatched >= self.batch:
            return False
        if isinstance(event, TicketChangeEvent):
            return event.ticket_id in self.tickets
        if isinstance(event, RowEvent) and "alert_type" in event.row:
            return event.row.get("id") in self.alerts or event.row.get("ticket_id") in self.tickets
        return False


class RecentErasures:
    """The erasures read in the last :data:`KEEP_SECONDS` (see the module docstring)."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self._keep = keep_seconds
        self._items: list[Erasure] = []

    def add(self, erasure: Erasure) -> None:
        self._items.append(erasure)
        horizon = time.monotonic() - self._keep
        self._items = [e for e in self._items if e.read_at >= horizon]

    def covers(self, event: Any) -> bool:
        """Whether any recent erasure covers ``event`` (no erasure: False at once)."""
        return bool(self._items) and any(e.covers(event) for e in self._items)


def filter_queue(queue: asyncio.Queue[Any], drop: Callable[[Any], bool]) -> int:
    """Remove the items ``drop`` selects from ``queue``, keeping the others in order (no await:
    atomic on the event loop); how many were removed."""
    kept, removed = [], 0
    while not queue.empty():
        item = queue.get_nowait()
        if drop(item):
            removed += 1
        else:
            kept.append(item)
    for item in kept:
        queue.put_nowait(item)
    return removed


#: The event a subscription's task is executing, with the erasures of its hub (set by
#: :class:`gateway.realtime.feeds.ConnectionFeeds` as it hands the event out: a subscription's
#: source and its execution run in the same task).
CURRENT_EVENT: ContextVar[tuple[Any, RecentErasures] | None] = ContextVar(
    "realtime_current_event", default=None
)


class ErasedEventGuard(SchemaExtension):
    """Withholds a subscription result made from an event that an erasure arrived for while it
    was being executed (see the module docstring); what it read is not audited as delivered."""

    def on_stream_result(self, result: Any) -> Iterator[None]:
        current = CURRENT_EVENT.get()
        if (
            current is not None
            and isinstance(result, ExecutionResult)
            and current[1].covers(current[0])
        ):
            result.data = None
            result.errors = [GraphQLError(WITHHELD)]
            context = self.execution_context.context
            notes = getattr(getattr(context, "session", None), "notes", None)
            if notes is not None:
                notes.take()
        yield
