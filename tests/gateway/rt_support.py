"""Realtime test support: a private seeded database with its own gateway, and a websocket client
speaking graphql-transport-ws or the legacy graphql-ws protocol."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import websockets
from testkit import LiveServer, create_database, tq

from gateway.auth import mint_token
from gateway.settings import Settings

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@dataclass
class User:
    user_id: uuid.UUID
    app_role: str
    agent_id: uuid.UUID | None
    team_id: uuid.UUID | None


@dataclass
class RtEnv:
    """A migrated, seeded database with a gateway (realtime hub on) serving it."""

    dsn: str
    url: str
    secret: str
    users: list[User] = field(default_factory=list)

    def of_role(self, role: str) -> list[User]:
        return [u for u in self.users if u.app_role == role]

    def token(self, user: User, ttl: int = 3600) -> str:
        return mint_token(
            self.secret, user_id=user.user_id, app_role=user.app_role, ttl_seconds=ttl
        )

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/graphql"

    async def owner(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """Run tests/queries/<query>.sql as the owner (no RLS) and return its rows."""
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(tq(query), *args))
        finally:
            await conn.close()

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            body: dict[str, Any] = (await client.get(self.url + "/realtime/stats")).json()
            return body

    async def wait_stats(self, key: str, at_least: int, within: float = 10.0) -> dict[str, Any]:
        """Poll /realtime/stats until ``key`` reaches ``at_least``."""
        deadline = time.monotonic() + within
        while True:
            stats = await self.stats()
            if stats.get(key, 0) >= at_least:
                return stats
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} stayed below {at_least}: {stats}")
            await asyncio.sleep(0.05)


def build_database(pg_server: str, name: str, *, tickets: int, days: int, seed: int) -> str:
    """A fresh database migrated and seeded (returns its URL)."""
    from gateway.migrate import migrate
    from synthetic import seed_database

    async def build() -> str:
        dsn = await create_database(pg_server, name)
        await migrate(dsn)
        await seed_database(dsn, tickets=tickets, days=days, seed=seed)
        return dsn

    return asyncio.run(build())


def read_users(dsn: str) -> list[User]:
    async def read() -> list[User]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(tq("rt_users"))
        finally:
            await conn.close()
        return [User(r["user_id"], r["app_role"], r["agent_id"], r["team_id"]) for r in rows]

    return asyncio.run(read())


@contextmanager
def serve(settings: Settings, dsn: str, **app_options: Any) -> Iterator[RtEnv]:
    """A LiveServer running the gateway over ``dsn`` (realtime on)."""
    from gateway.app import create_app

    server = LiveServer(create_app(settings, dsn, **app_options))
    server.start()
    try:
        yield RtEnv(dsn=dsn, url=server.url, secret=settings.jwt_secret, users=read_users(dsn))
    finally:
        server.stop()


class Closed(Exception):
    """The server closed the socket (code and reason attached)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason


class WsClient:
    """A GraphQL-over-websocket client for one protocol, recording arrival times."""

    def __init__(self, ws: Any, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self.arrivals: list[float] = []
        self.rejection: Any = None

    @classmethod
    async def connect(
        cls,
        env: RtEnv,
        token: str | None,
        protocol: str = TRANSPORT_WS,
        payload: dict[str, Any] | None = None,
    ) -> WsClient:
        ws = await websockets.connect(env.ws_url, subprotocols=[protocol])  # type: ignore[list-item]
        client = cls(ws, protocol)
        if payload is None:
            payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = await client.message(10)
        if ack.get("type") == "connection_error":  # legacy protocol: the close frame follows
            client.rejection = ack.get("payload")
            ack = await client.message(10)
        if ack.get("type") != "connection_ack":
            raise AssertionError(f"no connection_ack: {ack}")
        return client

    async def message(self, within: float) -> dict[str, Any]:
        """The next protocol message (keep-alives skipped); :class:`Closed` if the socket closed."""
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), within)
            except websockets.ConnectionClosed as exc:
                rcvd = exc.rcvd
                raise Closed(rcvd.code if rcvd else None, rcvd.reason if rcvd else "") from exc
            message: dict[str, Any] = json.loads(raw)
            if message.get("type") != "ka":
                return message

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, op_id: str = "1"
    ) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.ws.send(json.dumps({"id": op_id, "type": kind, "payload": payload}))

    async def next_payload(self, within: float = 10.0) -> dict[str, Any]:
        """The next result payload ({data, errors?}); an ``error`` message raises."""
        message = await self.message(within)
        self.arrivals.append(time.monotonic())
        if message["type"] in ("next", "data"):
            payload: dict[str, Any] = message["payload"]
            return payload
        raise AssertionError(f"unexpected message: {message}")

    async def collect(self, count: int, within: float = 10.0) -> list[dict[str, Any]]:
        """``count`` data payloads, within ``within`` seconds in all."""
        deadline = time.monotonic() + within
        out: list[dict[str, Any]] = []
        for _ in range(count):
            try:
                out.append(await self.next_payload(max(0.01, deadline - time.monotonic())))
            except TimeoutError:
                raise AssertionError(f"got {len(out)} of {count} payloads: {out}") from None
        return out

    async def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Every message that arrives within ``seconds`` (expected: none)."""
        got = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(await self.message(left))
            except TimeoutError:
                break
        return got

    async def close(self) -> None:
        await self.ws.close()


TICKET_CHANGED = """
subscription($filter: TicketChangeFilter) {
  ticketChanged(filter: $filter) {
    seq op ticketId removed changedAt
    ticket { id status priority team { id } agent { id } }
  }
}
"""


def change_of(payload: dict[str, Any]) -> tuple[str, str, bool]:
    """(op, ticketId, removed) of a ticketChanged payload."""
    assert "errors" not in payload, payload
    c = payload["data"]["ticketChanged"]
    return c["op"], c["ticketId"], c["removed"]
