"""The coalescing websocket transport (gateway.server) over a real loopback TCP connection."""

from __future__ import annotations

import asyncio

from gateway.server import CoalescingTransport, CoalescingWebSocketProtocol, server_config


class _Sink(asyncio.Protocol):
    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.Event()
        self.arrived = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.data.extend(data)
        self.arrived.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()


async def _pair() -> tuple[CoalescingTransport, _Sink, asyncio.Server]:
    loop = asyncio.get_running_loop()
    sink = _Sink()
    server = await loop.create_server(lambda: sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
    return CoalescingTransport(transport, loop), sink, server


async def _received(sink: _Sink, size: int) -> bytes:
    async with asyncio.timeout(5):
        while len(sink.data) < size:
            sink.arrived.clear()
            await sink.arrived.wait()
    return bytes(sink.data)


def test_writes_of_one_loop_turn_leave_in_one_flush_in_order() -> None:
    async def scenario() -> None:
        transport, sink, server = await _pair()
        for chunk in (b"one,", b"two,", b"three,"):
            transport.write(chunk)
        assert sink.data == b""  # nothing leaves before the loop turns
        assert await _received(sink, 14) == b"one,two,three,"
        assert (transport.writes, transport.flushes) == (3, 1)

        transport.write(b"four,")  # a later turn: a flush of its own
        assert await _received(sink, 19) == b"one,two,three,four,"
        assert (transport.writes, transport.flushes) == (4, 2)

        transport.write(b"")  # nothing to send is not a write
        assert transport.writes == 4

        transport.write(b"last")  # closing flushes what is pending first
        transport.close()
        async with asyncio.timeout(5):
            await sink.closed.wait()
        assert bytes(sink.data) == b"one,two,three,four,last"
        server.close()
        await server.wait_closed()

    asyncio.run(scenario())


def test_the_gateway_serves_websockets_through_the_coalescing_protocol() -> None:
    config = server_config(object(), "127.0.0.1", 0)
    config.load()
    assert config.ws_protocol_class is CoalescingWebSocketProtocol


def test_serving_tunes_the_garbage_collector_once_per_process() -> None:
    """Run in a child process: the tuning is process-wide on purpose."""
    import subprocess
    import sys

    code = (
        "import gc; from gateway.server import tune_garbage_collector as t; "
        "before = gc.get_threshold(); previous = t(); "
        "print(previous == before, gc.get_threshold()[0], gc.get_freeze_count() > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "50000", "True"]
