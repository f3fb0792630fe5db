"""Benchmark clients for ``bench.realtime``: websocket subscribers in their own process.

Each client process opens one graphql-transport-ws connection per subscriber (spread over the
gateway URLs it is given), subscribes to ``ticketChanged``, and records for every message the
change number carried in the ticket's subject and its arrival time (wall clock, the writer's
clock too). At the end it sends its receipts back as one array.
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

SUBSCRIPTION = "subscription { ticketChanged { seq op ticketId ticket { id subject } } }"
MARK = re.compile(r'"subject":"bench (\d+)"')


@dataclass(frozen=True)
class Sub:
    token: str
    role: str
    agent_id: str | None
    team_id: str | None


async def _client_main(
    worker: int, urls: list[str], subs: list[Sub], ready: Any, stop: Any, out: Any
) -> None:
    import websockets

    # flat floats (index, change, time): not tracked by the cyclic collector, whose full
    # passes over a growing list of tuples paused this client for 100+ ms (measured)
    receipts = array("d")
    errors: Counter[str] = Counter()

    async def connect(i: int, sub: Sub) -> Any:
        ws = await websockets.connect(
            urls[i % len(urls)],
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_queue=None,
            open_timeout=60,
            compression=None,  # the benchmark measures the gateway, not zlib (see --help)
        )
        await ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {sub.token}"}}
            )
        )
        await ws.recv()
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        return ws

    async def receive(index: int, ws: Any) -> None:
        async for raw in ws:
            now = time.time()
            text = raw if isinstance(raw, str) else raw.decode()
            m = MARK.search(text)
            if m:
                receipts.extend((index, int(m.group(1)), now))
            else:
                errors[text[:80]] += 1

    sockets: list[Any] = []
    for start in range(0, len(subs), 50):  # connect in batches of 50
        batch = range(start, min(start + 50, len(subs)))
        sockets += await asyncio.gather(*(connect(i, subs[i]) for i in batch))
    tasks = [asyncio.create_task(receive(i, ws)) for i, ws in enumerate(sockets)]
    gc.collect()
    gc.freeze()  # the connections live to the end: keep full collections short
    ready.set()
    await asyncio.to_thread(stop.wait)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    arr = np.frombuffer(receipts, dtype=np.float64).reshape(-1, 3)
    out.put((worker, arr.tobytes(), dict(errors)))


def client_process(
    worker: int, urls: list[str], subs: list[Sub], ready: Any, stop: Any, out: Any
) -> None:
    """A client process: ``subs`` are the global subscribers ``worker::procs``, spread over the
    gateways ``urls``."""
    asyncio.run(_client_main(worker, urls, subs, ready, stop, out))
