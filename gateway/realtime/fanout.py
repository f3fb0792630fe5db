"""Shared subscription streams: one pipeline per viewer identity and document, many sockets.

Why
    Without sharing, every websocket subscription runs its own pipeline per event: a hub
    queue, the GraphQL execution of its selection set, result extensions, JSON encoding. A
    change seen by 400 managers cost 400 of each; in Python that, not the database, bounded how
    many changes per second the gateway could fan out.

What is shared
    Subscriptions whose root fields are all pure event streams (:data:`SHAREABLE_FIELDS`:
    ``ticketChanged``, ``queueMetrics``, ``alertRaised``) are grouped by :class:`StreamKey` =
    (viewer identity as row level security sees it — app role, agent row, team —, document
    text, operation name, variables). One :class:`SharedStream` per key runs the subscription
    once — one hub subscription, one execution and one JSON encoding per event — and offers the
    encoded payload to each :class:`StreamMember` (one per websocket operation), whose only
    per-event work is to frame it with its operation id and write it.

Why that is sound
    The hub decides visibility per viewer class, and RLS derives every policy the event types
    can reach from the same three facts (see :mod:`gateway.realtime.sharing`); so every member
    is entitled to exactly the same payloads. The stream's hub subscription is opened with the
    key's identity itself (never re-resolved), and nested fields of each event are read under
    the rights of a *current* member (the one whose token expires last), so a stream never
    reads with the token of someone who left.

Order, joins, leaving
    A member receives the stream's events in order, from the moment it joins (like a new
    subscription: what is committed from then on). The stream stops when its last member
    leaves. When the stream itself ends (an error in the document, a dropped hub subscription),
    every member gets the final message and the key is forgotten, so the next subscriber
    starts afresh.

Slow members
    Each member has its own bounded queue (``queue_size`` frames); the stream never waits for a
    member. A member whose queue is full is dropped with the hub's policy: its pending frames
    are discarded, it receives a GraphQL error (``subscription dropped: ...; subscribe again``)
    and ``complete``; the socket and the other members are unaffected.

``dashboardMetrics`` is not shared here: it is already computed once per scope
(:mod:`gateway.realtime.multiplex`) and hands a joiner the latest figures at once, which a
joiner of a running stream would miss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse

from gateway.auth import Principal
from gateway.realtime.erasure import RecentErasures, filter_queue
from gateway.realtime.visibility import ViewerIdentity

log = logging.getLogger(__name__)

#: Root subscription fields that are pure event streams (no per-subscriber initial state).
SHAREABLE_FIELDS = frozenset({"ticketChanged", "queueMetrics", "alertRaised"})

#: An item of a member's queue: ("next", encoded payload, the event it was made from, the
#: personal data its execution read) |
#: ("error", [formatted errors]) | ("complete", None) | ("dropped", message).
Item = tuple[Any, ...]
Source = Callable[["SharedStream"], AsyncGenerator[Item, None]]


def dropped_message(queue_size: int) -> str:
    """What a dropped subscriber is told (the hub's and the shared streams' overflow policy)."""
    return (
        f"subscription dropped: more than {queue_size} events were waiting for this client "
        "(it reads too slowly); subscribe again"
    )


#: Documents longer than this are checked without being remembered (bounded memory).
CACHED_DOCUMENT_CHARS = 8192


def shareable(query: str, operation_name: str | None) -> bool:
    """Whether the operation is a subscription whose root fields are all in
    :data:`SHAREABLE_FIELDS` (plain fields, aliases allowed; no fragments at the root)."""
    if len(query) > CACHED_DOCUMENT_CHARS:
        return _shareable(query, operation_name)
    return _shareable_cached(query, operation_name)


def _shareable(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLError:
        return False
    try:
        operation = get_operation_ast(document, operation_name)
    except GraphQLError:
        return False
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return False
    selections = operation.selection_set.selections
    return bool(selections) and all(
        isinstance(s, FieldNode) and s.name.value in SHAREABLE_FIELDS for s in selections
    )


_shareable_cached = lru_cache(maxsize=512)(_shareable)


@dataclass(frozen=True, slots=True)
class StreamKey:
    """What decides a shared stream's payloads (see the module docstring)."""

    identity: ViewerIdentity
    query: str
    operation_name: str | None
    variables: str


@dataclass(eq=False)
class StreamMember:
    """One websocket operation reading a shared stream."""

    stream: SharedStream
    queue: asyncio.Queue[Item]
    principal: Principal
    dropped: bool = False

    def offer(self, item: Item) -> None:
        """Queue ``item`` without waiting; drop the member when its queue is full."""
        if self.dropped:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.dropped = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(("dropped", self.stream.registry.dropped_message))
            self.stream.registry.dropped += 1
            log.warning("realtime: dropped a slow member of a shared stream")

    async def next(self) -> Item:
        return await self.queue.get()


@dataclass(eq=False)
class SharedStream:
    """One running subscription shared by its members."""

    registry: SharedStreams
    key: StreamKey
    members: set[StreamMember] = field(default_factory=set)
    hub_open: bool = False
    task: asyncio.Task[None] | None = None

    def opened(self) -> None:
        """The stream's hub subscription is registered: its members count as subscribed."""
        if not self.hub_open:
            self.hub_open = True
            self.registry.hub_subscriptions += 1

    def closed(self) -> None:
        """The stream's hub subscription is unregistered (the stream is ending): later
        subscribers start a new stream."""
        self.registry.forget(self)
        if self.hub_open:
            self.hub_open = False
            self.registry.hub_subscriptions -= 1

    def rights(self, founder: Principal) -> Principal:
        """Whose rights read the next event's nested fields: the current member whose token
        expires last (every member has the same identity); ``founder`` when none is left."""
        if not self.members:
            return founder
        best = max(self.members, key=lambda m: float(m.principal.claims.get("exp") or 0))
        return best.principal

    async def _run(self, source: Source) -> None:
        final: Item = ("complete", None)
        try:
            async with aclosing(source(self)) as items:
                async for item in items:
                    if item[0] == "error":
                        final = item
                        break
                    if len(item) > 2 and self.registry.erasures.covers(item[2]):
                        continue  # made from an event an erasure arrived for meanwhile
                    for member in list(self.members):
                        member.offer(item)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("realtime: a shared stream failed")
        finally:
            self.registry.forget(self)
        for member in list(self.members):
            member.offer(final)


class SharedStreams:
    """The shared streams of one gateway process, by key."""

    def __init__(self, queue_size: int, erasures: RecentErasures | None = None) -> None:
        self.queue_size = queue_size
        self.erasures = erasures or RecentErasures()
        self._streams: dict[StreamKey, SharedStream] = {}
        self.dropped = 0
        #: hub subscriptions held by shared streams (running or stopping)
        self.hub_subscriptions = 0
        self.dropped_message = dropped_message(queue_size)

    def join(self, key: StreamKey, source: Source, principal: Principal) -> StreamMember:
        """A new member (whose rights are ``principal``'s) of the stream of ``key``; starts the
        stream (with ``source``) if none runs."""
        stream = self._streams.get(key)
        if stream is None:
            stream = SharedStream(self, key)
            self._streams[key] = stream
            stream.task = asyncio.create_task(stream._run(source), name="rt-shared-stream")
        member = StreamMember(stream, asyncio.Queue(maxsize=self.queue_size), principal)
        stream.members.add(member)
        return member

    def leave(self, member: StreamMember) -> None:
        """Remove ``member``; the stream stops with its last member (idempotent)."""
        stream = member.stream
        stream.members.discard(member)
        if not stream.members and stream.task is not None and not stream.task.done():
            self.forget(stream)
            stream.task.cancel()

    def forget(self, stream: SharedStream) -> None:
        if self._streams.get(stream.key) is stream:
            del self._streams[stream.key]

    async def stop(self) -> None:
        streams = list(self._streams.values())
        self._streams.clear()
        for stream in streams:
            if stream.task is not None:
                stream.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await stream.task

    def scrub(self, covers: Callable[[Any], bool]) -> int:
        """Remove waiting frames made from events ``covers`` selects (an erasure); how many."""
        removed = 0
        for stream in list(self._streams.values()):
            for member in stream.members:
                removed += filter_queue(
                    member.queue, lambda item: len(item) > 2 and covers(item[2])
                )
        return removed

    def counts(self) -> tuple[int, int, int]:
        """(streams, members, members of streams whose hub subscription is open)."""
        streams = list(self._streams.values())
        members = sum(len(s.members) for s in streams)
        ready = sum(len(s.members) for s in streams if s.hub_open)
        return len(streams), members, ready
