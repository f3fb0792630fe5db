"""Change sources: where the hub's changes come from, behind one small interface.

A :class:`ChangeSource` delivers every committed change of the watched tables to a sink, in
batches, once each, in the order the changes became visible (seq order within a batch), and
keeps doing so across connection losses until it is cancelled. The sink returning normally is
the acknowledgement: a batch whose sink raised a database error is read again later.

:class:`PostgresChangeSource` (the default) reads ``public.support_change_log``, which triggers
fill (migration ``20261125000600``), woken by ``LISTEN support_changes``:

* one dedicated connection per process (not from the pool) holds the LISTEN and runs the reads;
* every read is ``rt_changes_read`` (``seq`` above the watermark, at most ``batch_limit`` rows,
  with the statement's snapshot) and :class:`gateway.realtime.cursor.ChangeCursor` decides which
  rows are new, so late commits are neither lost nor repeated;
* notifications only wake the reader up; a read also happens every ``idle_poll_seconds``, so a
  notification lost with a connection costs latency, never data;
* on connection loss (or a database restart) it reconnects with exponential backoff and jitter
  and reads everything after its watermark: what happened meanwhile arrives in order, once (any
  other failure, in the sink included, is logged and retried the same way: the batch is re-read,
  never skipped);
* every ``prune_every_seconds`` it deletes log rows older than ``retention`` (app.prune_change_log).

Everything above except the LISTEN is :class:`ChangeLogSource`; a subclass only says how the
reader is woken up (:meth:`ChangeLogSource._on_connect` for a per-connection wake-up,
:meth:`ChangeLogSource._wake_ups` for one that lives beside the reading connection).
:class:`gateway.realtime.supabase_source.SupabaseChangeSource` is woken by Supabase Realtime
(``postgres_changes`` inserts on the log) for deployments where LISTEN does not work (Supavisor in
transaction mode): the wake-up changes, the reads and their guarantees do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import asyncpg

import sql
from gateway.realtime.cursor import ChangeCursor, Snapshot

log = logging.getLogger(__name__)

#: The NOTIFY channel the triggers use.
CHANNEL = "support_changes"

#: Errors after which the source reconnects (the connection or the server went away).
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    ConnectionError,
    TimeoutError,
)


@dataclass(frozen=True, slots=True)
class Change:
    """One row of the change log (see the migration for the meaning of each column)."""

    seq: int
    table: str
    op: str
    row_id: int
    ticket_id: int | None
    team_id: UUID | None
    agent_id: UUID | None
    old_team_id: UUID | None
    old_agent_id: UUID | None
    old_row: Mapping[str, Any] | None
    new_row: Mapping[str, Any] | None
    new_row_json: str | None
    created_at: datetime

    @classmethod
    def from_record(cls, r: Any) -> Change:
        """From a change log row (``rt_changes_read``)."""
        old_raw, new_raw = r["old_row"], r["new_row"]
        return cls(
            seq=r["seq"],
            table=r["table_name"],
            op=r["op"],
            row_id=r["row_id"],
            ticket_id=r["ticket_id"],
            team_id=r["team_id"],
            agent_id=r["agent_id"],
            old_team_id=r["old_team_id"],
            old_agent_id=r["old_agent_id"],
            old_row=json.loads(old_raw) if old_raw is not None else None,
            new_row=json.loads(new_raw) if new_raw is not None else None,
            new_row_json=new_raw,
            created_at=r["created_at"],
        )


ChangeSink = Callable[[Sequence[Change]], Awaitable[None]]


def _waker(event: asyncio.Event) -> Callable[..., None]:
    """A notification/termination callback that sets ``event``."""

    def wake(*_: object) -> None:
        event.set()

    return wake


@dataclass
class SourceStats:
    """Counters of a change source (read by ``/realtime/stats`` and the benchmark)."""

    connected: bool = False
    reconnects: int = 0
    statements: int = 0
    changes: int = 0
    batches: int = 0
    watermark: int = 0
    pending_gaps: int = 0
    last_error: str = ""
    extra: dict[str, int] = field(default_factory=dict)


class ChangeSource(Protocol):
    """Delivers committed changes to a sink: in order, once each, across reconnections."""

    @property
    def stats(self) -> SourceStats: ...

    async def run(self, sink: ChangeSink) -> None:
        """Deliver changes to ``sink`` until cancelled (never returns otherwise)."""
        ...


class Backoff:
    """Exponential reconnection delays with jitter (0.5-1.5 times the current step)."""

    def __init__(self, initial: float, maximum: float) -> None:
        self._initial = initial
        self._max = maximum
        self._step = initial

    def reset(self) -> None:
        self._step = self._initial

    async def sleep(self) -> None:
        await asyncio.sleep(self._step * (0.5 + random.random()))
        self._step = min(self._step * 2, self._max)


class ChangeLogSource:
    """Reads the change log by seq on a dedicated connection, whenever woken up and every
    ``idle_poll_seconds`` (see the module docstring); subclasses provide the wake-up."""

    def __init__(
        self,
        dsn: str,
        *,
        batch_limit: int = 500,
        idle_poll_seconds: float = 2.0,
        backoff_initial: float = 0.05,
        backoff_max: float = 5.0,
        retention: timedelta = timedelta(days=1),
        prune_every_seconds: float = 300.0,
    ) -> None:
        self._dsn = dsn
        self._limit = batch_limit
        self._idle_poll = idle_poll_seconds
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._retention = retention
        self._prune_every = prune_every_seconds
        self._cursor: ChangeCursor | None = None
        self._stats = SourceStats()
        self._ready = asyncio.Event()
        self._idle = asyncio.Event()
        self._wake = asyncio.Event()

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def wait_ready(self, seconds: float) -> bool:
        """True once the first reading connection is up (False after ``seconds``)."""
        try:
            await asyncio.wait_for(self._ready.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def wait_idle(self, seconds: float) -> bool:
        """True once the reader waits for a wake-up with none pending (False after ``seconds``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not (self._idle.is_set() and not self._wake.is_set()):
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def _connect(self) -> asyncpg.Connection:
        """The reading connection."""
        return await asyncpg.connect(self._dsn, timeout=10)

    async def _on_connect(self, conn: asyncpg.Connection, wake: asyncio.Event) -> None:
        """Arrange for ``wake`` to be set when rows may have been added (per connection)."""

    @asynccontextmanager
    async def _wake_ups(self, wake: asyncio.Event) -> AsyncIterator[None]:
        """Wake-ups that live for the whole run, beside the reading connection."""
        yield

    async def run(self, sink: ChangeSink) -> None:
        # one wake-up event for the whole run: wake-ups outlive reading connections
        wake = self._wake = asyncio.Event()
        async with self._wake_ups(wake):
            await self._read_forever(wake, sink)

    async def _read_forever(self, wake: asyncio.Event, sink: ChangeSink) -> None:
        backoff = Backoff(self._backoff_initial, self._backoff_max)
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await self._connect()
                await self._on_connect(conn, wake)
                conn.add_termination_listener(_waker(wake))
                await self._position(conn)
                self._stats.connected = True
                self._ready.set()
                backoff.reset()
                await self._follow(conn, wake, sink)
            except CONNECTION_ERRORS as exc:
                self._stats.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("change source: connection lost (%s); reconnecting", exc)
            except asyncpg.PostgresError as exc:
                self._stats.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("change source: database error (%s); reconnecting", exc)
            except Exception as exc:  # a bug must not stop the stream for good: retry
                self._stats.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("change source: unexpected error; retrying")
            finally:
                self._stats.connected = False
                self._idle.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 2)
            self._stats.reconnects += 1
            await backoff.sleep()

    async def _position(self, conn: asyncpg.Connection) -> None:
        """Start the cursor, or check that the log was not reset while we were away."""
        if self._cursor is None:
            row = await conn.fetchrow(sql.load("rt_changes_start"))
            self._stats.statements += 1
            assert row is not None
            self._cursor = ChangeCursor.start(row["newest"], Snapshot.parse(row["snapshot"]))
            return
        newest = await conn.fetchval(sql.load("rt_changes_newest"))
        self._stats.statements += 1
        if newest < self._cursor.watermark:
            log.warning(
                "change log was reset (newest %s < watermark %s); restarting",
                newest,
                self._cursor.watermark,
            )
            row = await conn.fetchrow(sql.load("rt_changes_start"))
            self._stats.statements += 1
            assert row is not None
            self._cursor = ChangeCursor.start(row["newest"], Snapshot.parse(row["snapshot"]))

    async def _follow(
        self, conn: asyncpg.Connection, wake: asyncio.Event, sink: ChangeSink
    ) -> None:
        loop = asyncio.get_running_loop()
        next_prune = loop.time() + self._prune_every
        while True:
            wake.clear()
            await self._drain(conn, sink)
            if conn.is_closed():
                raise ConnectionError("listening connection closed")
            if loop.time() >= next_prune:
                pruned = await conn.fetchval(sql.load("rt_changes_prune"), self._retention)
                self._stats.statements += 1
                if pruned:
                    log.info("change log: pruned %s rows older than %s", pruned, self._retention)
                next_prune = loop.time() + self._prune_every
            if not wake.is_set():
                self._idle.set()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self._idle_poll)
            finally:
                self._idle.clear()

    async def _drain(self, conn: asyncpg.Connection, sink: ChangeSink) -> None:
        """Read and deliver until a read comes back short of the limit."""
        while True:
            cursor = self._cursor
            assert cursor is not None
            rows = await conn.fetch(
                sql.load("rt_changes_read"),
                cursor.watermark,
                cursor.startup_xids,
                self._limit,
                cursor.startup_ceiling,
            )
            self._stats.statements += 1
            snapshot = Snapshot.parse(rows[0]["snapshot"])
            records = [r for r in rows if r["seq"] is not None]
            truncated = len(records) >= self._limit
            step = cursor.advance(snapshot, [r["seq"] for r in records], truncated)
            wanted = set(step.deliver)
            batch = [Change.from_record(r) for r in records if r["seq"] in wanted]
            if batch:
                await sink(batch)
                self._stats.changes += len(batch)
                self._stats.batches += 1
            self._cursor = step.cursor
            self._stats.watermark = step.cursor.watermark
            self._stats.pending_gaps = len(step.cursor.gaps)
            if not truncated:
                return


class PostgresChangeSource(ChangeLogSource):
    """The change log woken by ``LISTEN support_changes`` on the reading connection."""

    async def _on_connect(self, conn: asyncpg.Connection, wake: asyncio.Event) -> None:
        await conn.add_listener(CHANNEL, _waker(wake))
        self._stats.statements += 1
