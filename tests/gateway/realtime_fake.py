"""A fake Supabase Realtime server on 127.0.0.1, driven by the test.

Hosted Realtime cannot run here; this server speaks the Phoenix channel protocol (vsn 1.0.0, JSON
objects ``{topic, event, payload, ref, join_ref}``) exactly as the ``realtime`` package (2.x)
expects it, so the adapter is tested against the protocol contract:

* the websocket is ``/realtime/v1/websocket?apikey=<key>&vsn=1.0.0`` (anything else: HTTP 404 /
  401, and 503 while the test keeps the server "down");
* ``heartbeat`` on topic ``phoenix`` is answered with an ``ok`` ``phx_reply`` (same ref);
* ``phx_join`` on ``realtime:<topic>`` with ``config.postgres_changes`` bindings and the
  ``access_token`` is answered with an ``ok`` ``phx_reply`` listing the bindings with the
  server's ids, then the ``system`` message ``Subscribed to PostgreSQL``, as Realtime does;
* ``phx_leave`` is answered ``ok``; ``access_token`` updates are recorded;
* the test pushes ``postgres_changes`` messages (``{data: {...}, ids: [...]}``) and drops
  connections (TCP abort, no close frame, like a lost network).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

PATH = "/realtime/v1/websocket"


@dataclass
class Join:
    """A joined channel: its connection, topic, bindings (with our ids) and join payload."""

    ws: ServerConnection
    topic: str
    join_ref: str | None
    bindings: list[dict[str, Any]]
    payload: dict[str, Any]


@dataclass
class FakeRealtime:
    api_key: str
    down: bool = False
    server: Server | None = None
    joins: list[Join] = field(default_factory=list)
    heartbeats: int = 0
    connections: int = 0
    refused: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(48_000_001))

    @property
    def port(self) -> int:
        assert self.server is not None
        port: int = next(iter(self.server.sockets)).getsockname()[1]
        return port

    @property
    def project_url(self) -> str:
        """What ``SUPABASE_URL`` would be (``http://127.0.0.1:<port>``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def realtime_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/realtime/v1"

    async def start(self) -> None:
        self.server = await serve(self._handle, "127.0.0.1", 0, process_request=self._check_request)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        query = parse_qs(url.query)
        if self.down:
            self.refused += 1
            return connection.respond(503, "realtime down\n")
        if url.path != PATH:
            return connection.respond(404, "not found\n")
        if query.get("apikey") != [self.api_key] or query.get("vsn") != ["1.0.0"]:
            return connection.respond(401, "bad apikey or vsn\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections += 1
        try:
            async for raw in ws:
                await self._on_message(ws, json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            self.joins = [j for j in self.joins if j.ws is not ws]

    async def _on_message(self, ws: ServerConnection, msg: dict[str, Any]) -> None:
        topic, event, ref = msg["topic"], msg["event"], msg.get("ref")
        if topic == "phoenix" and event == "heartbeat":
            self.heartbeats += 1
            await _send(ws, topic, "phx_reply", {"status": "ok", "response": {}}, ref)
        elif event == "phx_join":
            payload = msg["payload"]
            bindings = [
                {**b, "id": next(self._ids)} for b in payload["config"].get("postgres_changes", [])
            ]
            self.joins.append(Join(ws, topic, msg.get("join_ref"), bindings, payload))
            reply = {"status": "ok", "response": {"postgres_changes": bindings}}
            await _send(ws, topic, "phx_reply", reply, ref, msg.get("join_ref"))
            system = {
                "channel": topic.removeprefix("realtime:"),
                "extension": "postgres_changes",
                "message": "Subscribed to PostgreSQL",
                "status": "ok",
            }
            await _send(ws, topic, "system", system, None)
        elif event == "phx_leave":
            self.joins = [j for j in self.joins if not (j.ws is ws and j.topic == topic)]
            await _send(ws, topic, "phx_reply", {"status": "ok", "response": {}}, ref)

    async def wait_joined(self, count: int = 1, within: float = 10.0) -> list[Join]:
        """Poll until ``count`` channels are joined."""
        deadline = time.monotonic() + within
        while len(self.joins) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.joins)} joins, expected {count}")
            await asyncio.sleep(0.01)
        return list(self.joins)

    async def push_insert(self, record: dict[str, Any]) -> int:
        """A ``postgres_changes`` INSERT on the change log to every joined channel (how many)."""
        sent = 0
        for join in list(self.joins):
            for binding in join.bindings:
                if binding.get("table") != "support_change_log":
                    continue
                data = {
                    "schema": "public",
                    "table": "support_change_log",
                    "commit_timestamp": "2026-11-25T12:00:00.000Z",
                    "type": "INSERT",
                    "errors": None,
                    "columns": [{"name": "seq", "type": "int8"}],
                    "record": record,
                }
                payload = {"data": data, "ids": [binding["id"]]}
                await _send(join.ws, join.topic, "postgres_changes", payload, None)
                sent += 1
        return sent

    async def drop_all(self) -> None:
        """Abort every connection (no close frame), as a lost network would."""
        for join in list(self.joins):
            transport = join.ws.transport
            transport.abort()
        self.joins = []


async def _send(
    ws: ServerConnection,
    topic: str,
    event: str,
    payload: dict[str, Any],
    ref: str | None,
    join_ref: str | None = None,
) -> None:
    message = {"topic": topic, "event": event, "payload": payload, "ref": ref}
    if join_ref is not None:
        message["join_ref"] = join_ref
    await ws.send(json.dumps(message))
