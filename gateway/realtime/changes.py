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

A second source, Supabase Realtime (``postgres_changes`` on ``support_change_log`` inserts through
the ``realtime`` package), fits the same interface: it would turn each payload into a
:class:`Change` and feed the same cursor; the hosted mode is completed by a later issue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
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


class PostgresChangeSource:
    """LISTEN/NOTIFY plus the change log table (see the module docstring)."""

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
        self._idle = idle_poll_seconds
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._retention = retention
        self._prune_every = prune_every_seconds
        self._cursor: ChangeCursor | None = None
        self._stats = SourceStats()
        self._ready = asyncio.Event()

    @property
    def stats(self) -> SourceStats:
        return self._stats

    async def wait_ready(self, seconds: float) -> bool:
        """True once the first connection is listening (False after ``seconds``)."""
        try:
            await asyncio.wait_for(self._ready.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def run(self, sink: ChangeSink) -> None:
        backoff = self._backoff_initial
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn, timeout=10)
                wake = asyncio.Event()
                await conn.add_listener(CHANNEL, _waker(wake))
                conn.add_termination_listener(_waker(wake))
                self._stats.statements += 1
                await self._position(conn)
                self._stats.connected = True
                self._ready.set()
                backoff = self._backoff_initial
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
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 2)
            self._stats.reconnects += 1
            await asyncio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, self._backoff_max)

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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self._idle)

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
