"""One websocket connection's live streams (:class:`resolvers.live.LiveFeeds` for the hub).

The connection's user is verified once, at ``connection_init``; their viewer identity (app role,
agent row, team, as row level security sees them) is resolved at their first subscription, once
per connection, by one read-only transaction under their own role and claims. Each stream
registers a hub subscription when the client starts iterating and unregisters it when the
subscription ends (client ``complete``/``stop``, socket closed, or drop on overflow).

Nested fields of the events (a ticket's customer, an alert's agent, ...) are read by
:class:`EventSession`: every statement in its own short read-only transaction under the
subscriber's rights, so a long-lived connection never holds a transaction or a pooled
connection between events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from typing import Any

from gateway.auth import Principal
from gateway.db import Database
from gateway.privacy.audit import ReadNotes
from gateway.realtime.erasure import CURRENT_EVENT
from gateway.realtime.hub import Hub, RowCriteria
from gateway.realtime.visibility import ViewerIdentity, resolve_identity
from resolvers.errors import UserInputError
from resolvers.live import (
    DashboardEvent,
    RowEvent,
    TicketChangeCriteria,
    TicketChangeEvent,
    live_period,
)
from resolvers.port import Row
from resolvers.windows import resolve_timezone


class EventSession:
    """A :class:`resolvers.port.Session` whose every statement is its own transaction; it notes
    the personal data its rows carried (``notes``, for the audit log: one event per delivered
    subscription event, :mod:`gateway.privacy.audit`)."""

    def __init__(self, db: Database, principal: Principal) -> None:
        self._db = db
        self._principal = principal
        self._statements = 0
        self.notes = ReadNotes()

    @property
    def statements(self) -> int:
        return self._statements

    def renewed(self) -> EventSession:
        """A fresh session for the next event (statement counts are per event)."""
        return EventSession(self._db, self._principal)

    async def _run(self, method: str, query: str, *args: Any) -> Any:
        session = self._db.session(self._principal)
        try:
            return await getattr(session, method)(query, *args)
        finally:
            self._statements += session.statements
            await session.close()

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        rows: Sequence[Row] = await self._run("fetch", query, *args)
        self.notes.note(rows)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        row: Row | None = await self._run("fetchrow", query, *args)
        if row is not None:
            self.notes.note([row])
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run("fetchval", query, *args)


class ConnectionFeeds:
    """The :class:`resolvers.live.LiveFeeds` of one authenticated websocket connection (or of
    one shared stream: ``on_open``/``on_close`` are then told when its hub subscription is
    registered and unregistered)."""

    def __init__(
        self,
        hub: Hub,
        db: Database,
        principal: Principal,
        *,
        on_open: Callable[[], None] | None = None,
        on_close: Callable[[], None] | None = None,
        identity: ViewerIdentity | None = None,
    ) -> None:
        self._hub = hub
        self._db = db
        self._principal = principal
        self._identity: ViewerIdentity | None = identity
        self._lock = asyncio.Lock()
        self._on_open = on_open
        self._on_close = on_close
        #: the event last handed out (a shared stream tags its frame with it)
        self.last_event: Any = None

    @property
    def hub(self) -> Hub:
        return self._hub

    @property
    def db(self) -> Database:
        return self._db

    @property
    def principal(self) -> Principal:
        return self._principal

    async def identity(self) -> ViewerIdentity:
        """The subscriber's identity (resolved once); anonymous users may not subscribe."""
        if self._principal.is_anonymous:
            raise UserInputError(
                "subscriptions need a signed-in user: send connection_init with "
                '{"Authorization": "Bearer <access token>"}'
            )
        async with self._lock:
            if self._identity is None:
                self._identity = await resolve_identity(self._db, self._principal)
        if not self._identity.app_role:
            raise UserInputError("your token has no application role (app_role claim)")
        return self._identity

    async def _stream(self, kind: str, criteria: Any) -> AsyncGenerator[Any, None]:
        identity = await self.identity()
        sub = self._hub.open(kind, identity, criteria, self._principal)
        if self._on_open is not None:
            self._on_open()
        try:
            while True:
                self.last_event = await sub.next()
                CURRENT_EVENT.set((self.last_event, self._hub.erasures))
                yield self.last_event
        finally:
            self._hub.close(sub)
            if self._on_close is not None:
                self._on_close()

    def ticket_changes(self, criteria: TicketChangeCriteria) -> AsyncIterator[TicketChangeEvent]:
        return self._stream("tickets", criteria)

    def queue_metrics(self, queues: frozenset[str] | None) -> AsyncIterator[RowEvent]:
        return self._stream("queues", RowCriteria(queues))

    def alerts(
        self, severities: frozenset[str] | None, types: frozenset[str] | None
    ) -> AsyncIterator[RowEvent]:
        return self._stream("alerts", RowCriteria(severities, types))

    def dashboard(self, period: str, timezone: str) -> AsyncIterator[DashboardEvent]:
        live_period(period)
        zone = resolve_timezone(timezone).key
        return self._stream("dashboard", (period, zone))
