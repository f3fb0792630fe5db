"""resolvers.offload: CPU work runs on the bounded pool while the event loop keeps turning."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from resolvers import offload


def spin(seconds: float) -> str:
    """Pure-Python CPU work holding the GIL between switch intervals."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return threading.current_thread().name


async def test_run_cpu_keeps_the_event_loop_responsive() -> None:
    offload.configure("thread", 2)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        names = await asyncio.gather(offload.run_cpu(spin, 0.4), offload.run_cpu(spin, 0.4))
    finally:
        tick.cancel()
    assert all(name.startswith("cpu") for name in names)
    assert len(gaps) > 5  # the loop kept turning during 0.4 s of CPU work (GIL-shared)
    assert max(gaps) < 0.5


async def test_pool_is_bounded_and_configurable() -> None:
    offload.configure("thread", 1)
    started = time.perf_counter()
    await asyncio.gather(*(offload.run_cpu(spin, 0.1) for _ in range(3)))
    assert time.perf_counter() - started >= 0.28  # one worker: the calls queued
    assert offload.pool_info() == {"kind": "thread", "workers": 1, "running": True}
    with pytest.raises(ValueError):
        offload.configure("fibre", 1)
    offload.configure("thread", offload.DEFAULT_WORKERS)
