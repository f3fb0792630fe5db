"""The npm ``graphql-ws`` client (run by Node from tests/node) against the real gateway.

Needs ``node`` and ``tests/node/node_modules`` (``npm ci --prefix tests/node``, done by
``make install``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rt_support import RtEnv, build_database, serve

from gateway.settings import Settings

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="module")
def env(pg_server: str, gateway_settings: Settings) -> Iterator[RtEnv]:
    if not (NODE_DIR / "node_modules" / "graphql-ws").exists():
        pytest.fail("tests/node has no node_modules: run `npm ci --prefix tests/node`")
    dsn = build_database(
        pg_server, f"rt_node_{os.getpid()}_{uuid.uuid4().hex[:6]}", tickets=300, days=10, seed=13
    )
    with serve(gateway_settings, dsn) as rt:
        yield rt


class NodeClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, env: RtEnv, token: str, wanted: int) -> NodeClient:
        assert NODE is not None
        process = await asyncio.create_subprocess_exec(
            NODE,
            str(NODE_DIR / "client.mjs"),
            env.ws_url,
            token,
            str(wanted),
            cwd=NODE_DIR,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def line(self, within: float = 20.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not raw:
            assert self.process.stderr is not None
            err = await self.process.stderr.read()
            raise AssertionError(f"node exited: {err.decode()}")
        event: dict[str, Any] = json.loads(raw)
        return event

    async def finish(self) -> int:
        try:
            return await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise


async def test_node_graphql_ws_client_receives_ticket_changes(env: RtEnv) -> None:
    manager = env.of_role("manager")[0]
    before = (await env.stats())["subscriptions"]
    client = await NodeClient.start(env, env.token(manager), wanted=1)
    assert (await client.line()) == {"event": "connected"}
    await env.wait_stats("subscriptions", before + 1)
    ticket = next(t for t in await env.owner("rt_tickets") if t["priority"] != "urgent")
    await env.owner("rt_set_priority", ticket["id"], "urgent")
    event = await client.line()
    assert event["event"] == "next", event
    change = event["value"]["data"]["ticketChanged"]
    assert (change["op"], change["ticketId"], change["removed"]) == (
        "UPDATE",
        str(ticket["id"]),
        False,
    )
    assert change["ticket"] == {"id": str(ticket["id"]), "priority": "URGENT"}
    assert await client.finish() == 0


async def test_node_client_sees_4403_for_a_bad_token(env: RtEnv) -> None:
    client = await NodeClient.start(env, "not.a.jwt", wanted=1)
    events = [await client.line()]
    while events[-1]["event"] not in ("error", "timeout"):
        events.append(await client.line())
    closed = next(e for e in events if e["event"] in ("closed", "error"))
    assert closed["code"] == 4403 and "malformed token" in closed["reason"]
    assert await client.finish() == 2
