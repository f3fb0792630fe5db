"""The change log woken up by Supabase Realtime instead of LISTEN (``REALTIME_SOURCE=supabase``).

LISTEN does not work through Supabase's pooler (Supavisor in transaction mode: a session's
LISTEN is gone when its transaction ends), so hosted deployments are woken up by Realtime
``postgres_changes`` events for inserts into ``public.support_change_log`` (the table is in the
``supabase_realtime`` publication, migration ``20261125000900``). Realtime replaces the wake-up
only: an event carries no data the hub uses; it makes the reader run the same read by seq as
:class:`gateway.realtime.changes.PostgresChangeSource` (:class:`ChangeLogSource`: one dedicated
database connection, ``rt_changes_read``, the :class:`~gateway.realtime.cursor.ChangeCursor`), so
the guarantees are the change log's, whatever Realtime does:

* the reader reads on every event, once the channel is (re)subscribed, once Realtime says the
  database subscription is in place (the ``system`` message), and every ``idle_poll_seconds``;
  a lost event costs latency, never a change; a duplicated or late one costs one read that
  finds nothing new (the cursor decides what is new, never the event);
* the Realtime connection lives beside the reading connection: losing either one does not touch
  the other. The ``realtime`` package's own reconnection is off (it gives up after
  ``max_retries`` and leaves a dead client); this source reconnects with a fresh client, forever,
  with exponential backoff and jitter (:class:`~gateway.realtime.changes.Backoff`), and reads
  after each resubscription: what was committed meanwhile arrives then, once, in order;
* a dead socket is noticed by the websocket keepalive pings (the package's Phoenix heartbeats
  are sent, every ``max(hb_interval, 15)`` s, but their replies are not checked), by the
  channel's ``phx_error``/``phx_close``/``system`` error messages, and by a check of the client's
  state (connected, joined, its reader task alive) every ``check_seconds``.

The channel is joined with ``SUPABASE_REALTIME_KEY``, the project's ``service_role`` key, as both
the connection's ``apikey`` and the channel's ``access_token``. It is the gateway's own channel,
never a user's: Realtime checks every change against the token's role (``realtime.apply_rls``:
column privileges, then the table's RLS policies under the token's claims), and the hub needs to
hear of every change, whoever may see it — it decides visibility per subscriber itself, after
its own read, exactly as with LISTEN. ``authenticated`` tokens would only hear of rows their
user may see, and would expire; ``anon`` has no privilege on the log (Realtime answers
``Error 401: Unauthorized``), and is refused here at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import jwt
from realtime import (
    AsyncRealtimeChannel,
    AsyncRealtimeClient,
    RealtimePostgresChangesListenEvent,
    RealtimeSubscribeStates,
)
from realtime.message import SuccessSystemPayload
from realtime.types import PostgresChangesPayload

from gateway.realtime.changes import Backoff, ChangeLogSource
from gateway.settings import Settings

log = logging.getLogger(__name__)

#: The channel's topic (``realtime:support-gateway-changes`` on the wire).
TOPIC = "support-gateway-changes"
SCHEMA = "public"
TABLE = "support_change_log"


class RealtimeConfigError(ValueError):
    """``REALTIME_SOURCE=supabase`` without usable settings (raised when the app is built)."""


def _check_key(key: str) -> None:
    """Refuse keys whose role cannot hear of every change (see the module docstring)."""
    if key.startswith("sb_publishable_"):
        role: object = "anon"
    else:
        try:
            role = jwt.decode(key, options={"verify_signature": False}).get("role")
        except jwt.PyJWTError:
            return  # a secret key (sb_secret_...) or another opaque key: Realtime decides
    if role in ("anon", "authenticated"):
        raise RealtimeConfigError(
            f"SUPABASE_REALTIME_KEY has role {role!r}: Realtime would hide changes of "
            "public.support_change_log from it; use the project's service_role (secret) key"
        )


class SupabaseChangeSource(ChangeLogSource):
    """The change log read by seq, woken up by Supabase Realtime (see the module docstring)."""

    def __init__(
        self,
        dsn: str,
        *,
        realtime_url: str,
        api_key: str,
        join_timeout: int = 10,
        heartbeat_seconds: int = 25,
        check_seconds: float = 5.0,
        **options: Any,
    ) -> None:
        super().__init__(dsn, **options)
        self._realtime_url = realtime_url
        self._api_key = api_key
        self._join_timeout = join_timeout
        self._heartbeat = heartbeat_seconds
        self._check = check_seconds
        self._subscribed = asyncio.Event()
        self._stats.extra.update(
            realtime_subscribed=0, realtime_subscribes=0, realtime_events=0, realtime_losses=0
        )

    @classmethod
    def from_settings(cls, settings: Settings, dsn: str, **options: Any) -> SupabaseChangeSource:
        """The source configured by ``settings``; :class:`RealtimeConfigError` if it cannot be."""
        missing = [
            name
            for name, value in (
                ("SUPABASE_URL", settings.supabase_url),
                ("SUPABASE_REALTIME_KEY", settings.supabase_realtime_key),
            )
            if not value
        ]
        if missing:
            raise RealtimeConfigError(
                "REALTIME_SOURCE=supabase needs " + " and ".join(missing) + " (the project URL "
                "https://<ref>.supabase.co and its service_role key); set them or use "
                "REALTIME_SOURCE=postgres"
            )
        url, key = settings.supabase_realtime_url, settings.supabase_realtime_key
        assert url is not None and key is not None
        _check_key(key)
        return cls(dsn, realtime_url=url, api_key=key, **options)

    async def wait_ready(self, seconds: float) -> bool:
        """True once the reader is up and the channel subscribed (False after ``seconds``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        if not await super().wait_ready(seconds):
            return False
        try:
            await asyncio.wait_for(self._subscribed.wait(), max(0.0, deadline - loop.time()))
        except TimeoutError:
            return False
        return True

    async def _connect(self) -> asyncpg.Connection:
        # no prepared statement cache: a pooler in transaction mode may run each statement on
        # another server connection
        return await asyncpg.connect(self._dsn, timeout=10, statement_cache_size=0)

    @asynccontextmanager
    async def _wake_ups(self, wake: asyncio.Event) -> AsyncIterator[None]:
        task = asyncio.create_task(self._follow_realtime(wake), name="rt-supabase-wake-ups")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _follow_realtime(self, wake: asyncio.Event) -> None:
        """Keep one Realtime subscription alive; every attempt starts with a fresh client."""
        backoff = Backoff(self._backoff_initial, self._backoff_max)
        while True:
            try:
                await self._subscription(wake, backoff)
            except Exception as exc:  # connection refused, join refused or timed out, ...
                self._stats.last_error = f"realtime: {type(exc).__name__}: {exc}"
                log.warning("change source: Realtime unavailable (%s); reconnecting", exc)
            self._stats.extra["realtime_losses"] += 1
            await backoff.sleep()

    async def _subscription(self, wake: asyncio.Event, backoff: Backoff) -> None:
        """Subscribe, wake the reader up on every event, return once the subscription is lost."""
        client = AsyncRealtimeClient(
            self._realtime_url,
            self._api_key,
            auto_reconnect=False,
            hb_interval=self._heartbeat,
            timeout=self._join_timeout,
        )
        lost = asyncio.Event()
        outcome: list[tuple[RealtimeSubscribeStates, Exception | None]] = []

        def on_state(state: RealtimeSubscribeStates, error: Exception | None) -> None:
            outcome.append((state, error))
            if state != RealtimeSubscribeStates.SUBSCRIBED:
                lost.set()

        def on_insert(payload: PostgresChangesPayload) -> None:
            self._stats.extra["realtime_events"] += 1
            wake.set()

        def on_system(payload: SuccessSystemPayload) -> None:
            if payload.extension == "postgres_changes":
                wake.set()  # the database subscription is in place: read what came before it

        channel = client.channel(TOPIC)
        channel.on_postgres_changes(
            RealtimePostgresChangesListenEvent.Insert, on_insert, table=TABLE, schema=SCHEMA
        )
        channel.on_system(on_system)
        try:
            await asyncio.wait_for(channel.subscribe(on_state), self._join_timeout + 5)
            state, error = outcome[-1] if outcome else (None, None)
            if state != RealtimeSubscribeStates.SUBSCRIBED or not channel.is_joined:
                raise ConnectionError(f"channel not subscribed ({state}: {error})")
            self._subscribed.set()
            self._stats.extra["realtime_subscribed"] = 1
            self._stats.extra["realtime_subscribes"] += 1
            backoff.reset()
            wake.set()  # what was committed while we were not subscribed
            while not lost.is_set() and _alive(client, channel):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._check)
            state, error = outcome[-1] if outcome else (None, None)
            log.warning("change source: Realtime subscription lost (%s: %s)", state, error)
        finally:
            self._subscribed.clear()
            self._stats.extra["realtime_subscribed"] = 0
            await _close(client, channel)


def _alive(client: AsyncRealtimeClient, channel: AsyncRealtimeChannel) -> bool:
    """Connected and joined, and the package's reader task still running (it ends silently on
    an unexpected error, e.g. a warning turned into an error, leaving a client that looks
    connected)."""
    reader: asyncio.Task[None] | None = getattr(client, "_listen_task", None)
    return client.is_connected and channel.is_joined and not (reader is not None and reader.done())


async def _close(client: AsyncRealtimeClient, channel: AsyncRealtimeChannel) -> None:
    """Close the client and stop the channel's timers (no rejoin, no join timeout later)."""
    channel.rejoin_timer.reset()
    channel.join_push.destroy()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(client.close(), 5)
