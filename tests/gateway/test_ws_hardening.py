"""WebSocket hardening against the real server: connection_init timeout (4408), malformed frames
(4400 + reason), only subscriptions on subscribe, the HTTP limits on subscription documents, a cap
on subscriptions per connection and on unauthenticated sockets."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest
import websockets
from rt_support import LEGACY_WS, TRANSPORT_WS, RtEnv, WsClient, serve

from gateway.settings import Settings

TICKETS = "subscription { ticketChanged { seq ticketId } }"


@pytest.fixture(scope="module")
def env(gateway_settings: Settings, seeded_dsn: str) -> Iterator[RtEnv]:
    settings = gateway_settings.with_overrides(
        ws_init_timeout_seconds=0.5, ws_max_subscriptions=2, ws_max_unauthenticated=3
    )
    with serve(settings, seeded_dsn) as rt:
        yield rt


async def closed_with(ws: websockets.ClientConnection, within: float = 5.0) -> tuple[int, str]:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), within)
    except websockets.ConnectionClosed as exc:
        assert exc.rcvd is not None
        return exc.rcvd.code, exc.rcvd.reason


async def manager(env: RtEnv, protocol: str = TRANSPORT_WS) -> WsClient:
    return await WsClient.connect(env, env.token(env.of_role("manager")[0]), protocol=protocol)


async def test_connection_init_timeout_closes_4408(env: RtEnv) -> None:
    started = time.monotonic()
    async with websockets.connect(env.ws_url, subprotocols=[TRANSPORT_WS]) as ws:  # type: ignore[list-item]
        code, _ = await closed_with(ws)
    assert code == 4408
    assert time.monotonic() - started < 3


# Frames that are malformed for both protocols, plus each protocol's own subscribe message
# with a malformed payload (the other protocol's message type is tested by its own case).
_MALFORMED_FRAMES = [
    ("[1, 2, 3]", "JSON object"),
    ('{"type": 5}', "string 'type'"),
]


@pytest.mark.parametrize(
    ("protocol", "frame", "reason"),
    [
        *[(p, f, r) for p in (TRANSPORT_WS, LEGACY_WS) for f, r in _MALFORMED_FRAMES],
        (TRANSPORT_WS, '{"id": "1", "type": "subscribe", "payload": [1]}', "payload object"),
        (LEGACY_WS, '{"id": "1", "type": "start", "payload": {"query": 3}}', "payload object"),
    ],
)
async def test_malformed_frames_close_4400_with_a_reason(
    env: RtEnv, protocol: str, frame: str, reason: str
) -> None:
    client = await manager(env, protocol)
    await client.ws.send(frame)
    code, text = await closed_with(client.ws)
    assert code == 4400 and reason in text


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_only_subscriptions_are_accepted_and_the_socket_stays(
    env: RtEnv, protocol: str
) -> None:
    client = await manager(env, protocol)
    for document in ("{ viewer { role } }", 'mutation { acknowledgeAlert(id: "1") { id } }'):
        await client.subscribe(document, op_id="q")
        message = await client.message(5)
        assert message["type"] == "error" and message["id"] == "q"
        errors = (
            message["payload"] if isinstance(message["payload"], list) else [message["payload"]]
        )
        assert errors[0]["extensions"]["code"] == "BAD_REQUEST"
        assert "only subscriptions" in errors[0]["message"]
    await client.subscribe(TICKETS, op_id="s")
    assert await client.quiet(0.3) == []  # accepted: no error, waits for changes
    await client.ws.close()


async def test_subscription_documents_get_the_http_limits(env: RtEnv) -> None:
    client = await manager(env)
    aliases = (
        "subscription { " + " ".join(f"a{i}: ticketChanged {{ seq }}" for i in range(60)) + " }"
    )
    await client.subscribe(aliases, op_id="a")
    message = await client.message(5)
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["limit"] == "aliases"
    await client.ws.close()


async def test_subscriptions_per_connection_are_capped(env: RtEnv) -> None:
    client = await manager(env)
    await client.subscribe(TICKETS, op_id="1")
    await client.subscribe(TICKETS, op_id="2")
    await client.subscribe(TICKETS, op_id="3")
    message = await client.message(5)
    assert message["type"] == "error" and message["id"] == "3"
    assert "limit" in json.dumps(message["payload"]).lower()
    await client.ws.close()


async def test_unauthenticated_sockets_are_capped(env: RtEnv) -> None:
    # the init timeout (0.5 s) closes idle sockets; send a ping-less init-less socket quickly
    opened = [
        await websockets.connect(env.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
        for _ in range(3)
    ]
    try:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(env.ws_url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
        assert refused.value.response.status_code == 403
    finally:
        for ws in opened:
            await ws.close()
    await asyncio.sleep(0.2)
    client = await manager(env)  # freed: connects again, and once authenticated is not counted
    others = [await manager(env) for _ in range(3)]
    for c in [client, *others]:
        await c.ws.close()
