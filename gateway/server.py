"""How the gateway is served: uvicorn, with websocket writes coalesced per event-loop turn.

Why coalescing
    Live dashboards fan one change out to hundreds of websockets. Each frame uvicorn sends is
    its own ``transport.write`` — on loopback TCP that is a system call which runs the
    receiver's TCP stack too, about 20 µs here, the largest single cost of a delivery. When a
    connection has several frames ready in the same turn of the event loop (a subscriber
    catching up with a batch of changes, several subscriptions on one socket), one write
    carries them all.

The contract
    :class:`CoalescingWebSocketProtocol` is uvicorn's websockets (sans-I/O) protocol whose
    transport buffers every write and flushes the buffer once, at the next turn of the event
    loop (``loop.call_soon``), in order. A frame therefore leaves at most one loop turn later than
    it would have: no timer, no added latency under light load; under load, as many frames as
    were produced in the turn go out together. Closing the transport flushes first; what is
    flushed onto a transport already closing is dropped, as a write would be. Back-pressure is
    the real transport's, applied at the flush: a writer may buffer one turn's frames before the
    transport tells the protocol to pause (bounded by the per-subscriber queues upstream).

The garbage collector
    :func:`serve` also tunes CPython's cyclic collector for a long-lived event loop
    (:func:`tune_garbage_collector`). It is done there, once per process, and not in the app's
    lifespan: the tests run several apps in one process.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class CoalescingTransport:
    """A transport whose writes are buffered and written together at the next loop turn."""

    __slots__ = ("_buffer", "_loop", "_scheduled", "_transport", "flushes", "writes")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._buffer: list[bytes] = []
        self._scheduled = False
        self.writes = 0
        self.flushes = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._buffer.append(data)
        self.writes += 1
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write what is buffered (one system call), unless the transport is closing."""
        self._scheduled = False
        if not self._buffer:
            return
        data = self._buffer[0] if len(self._buffer) == 1 else b"".join(self._buffer)
        self._buffer.clear()
        if not self._transport.is_closing():
            self.flushes += 1
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol writing through a :class:`CoalescingTransport`."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.transport = CoalescingTransport(  # type: ignore[assignment]
            self.transport, asyncio.get_running_loop()
        )


#: Container allocations between young collections (CPython's default is 700).
YOUNG_COLLECTION_THRESHOLD = 50_000


def tune_garbage_collector() -> tuple[int, int, int]:
    """Keep the cyclic garbage collector from pausing the event loop (once per process, before
    serving); returns the previous thresholds.

    Measured with ``bench/realtime.py`` (1,000 subscribers, 50 changes/s): with CPython's
    defaults a full collection walked every live object — modules, the schema, and ~250 objects
    per open websocket — pausing the loop 150-250 ms every 3-4 s, which was the whole p99.
    Two changes fix it: what is alive once the app is built (modules, the schema) lives as
    long as the process and is frozen out of the collector (``gc.freeze``); and young
    collections run every 50,000 container allocations instead of 700, so short-lived objects
    (events, frames, results waiting in queues) die by reference counting before a collection
    can promote them towards the old generation, which therefore fills, and is walked, rarely.
    Reference counting still frees everything that is not in a cycle at once.
    """
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, previous[1], previous[2])
    return previous


def server_config(
    app: Any, host: str, port: int, *, log_level: str = "info", **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration the gateway runs with (CLI, tests and benchmarks alike)."""
    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, ws=CoalescingWebSocketProtocol, **options
    )


#: The app factory each worker process of ``serve --workers N`` imports.
WORKER_FACTORY = "gateway.cli:worker_app"


def serve(
    app: Any,
    host: str,
    port: int,
    *,
    workers: int = 1,
    json_logs: bool = False,
    access_log: bool = True,
) -> None:
    """Serve ``app`` until interrupted (the garbage collector tuned for it first).

    With ``workers`` > 1, uvicorn's supervisor runs that many processes on the same socket,
    each building its app with :data:`WORKER_FACTORY` (``app`` is then unused: an app does not
    cross processes); each has its own pool and realtime hub, like separate gateways behind a
    load balancer. ``access_log=False``: no access line per request (uvicorn's is not even
    formatted; the workers silence ours themselves, :func:`gateway.cli.worker_app`).
    """
    log_options: dict[str, Any] = {}
    if json_logs:
        from gateway.observability import configure_json_logs

        configure_json_logs()
        log_options = {"log_config": None, "access_log": False}
    if not access_log:
        from gateway.observability import silence_access_log

        silence_access_log()
        log_options["access_log"] = False
    if workers > 1:
        config = server_config(
            WORKER_FACTORY, host, port, factory=True, workers=workers, **log_options
        )
        sock = config.bind_socket()
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
        return
    tune_garbage_collector()
    uvicorn.Server(server_config(app, host, port, **log_options)).run()
