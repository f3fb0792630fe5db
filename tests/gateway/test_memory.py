"""gateway.memory: freed memory glibc keeps is returned by trim(), and the gateway's settings.

The first test is the bound itself: ~96 MiB allocated in 4 KiB blocks in a thread (its own
arena, as the CPU pool's threads have), freed except the last block, which pins the arena's top
so glibc cannot shrink it on free; the resident size must then fall by at least 64 MiB when
:func:`gateway.memory.trim` runs (and, checked first, does not fall by that much without it).
"""

from __future__ import annotations

import os
import threading

from gateway import memory
from gateway.settings import load_settings

BLOCK = 4096
BLOCKS = 96 * 256  # 96 MiB
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def allocate_and_free(held: list[bytes]) -> tuple[float, float]:
    """In this thread: allocate BLOCKS blocks, keep the last, free the rest; RSS (MiB) with all
    held and after the frees."""
    blocks = [os.urandom(16) * (BLOCK // 16) for _ in range(BLOCKS)]
    held.append(blocks[-1])
    peak = rss_mib()
    del blocks
    return peak, rss_mib()


def test_trim_returns_freed_memory_of_a_thread_arena() -> None:
    assert memory.available(), "the gateway runs on glibc here (Debian)"
    held: list[bytes] = []
    out: list[tuple[float, float]] = []
    worker = threading.Thread(target=lambda: out.append(allocate_and_free(held)))
    worker.start()
    worker.join()
    (peak, freed), start = out[0], rss_mib()
    assert peak - freed < 48, f"glibc returned the freed blocks by itself: {peak} -> {freed} MiB"
    memory.trim()
    after = rss_mib()
    assert start - after >= 64, f"RSS {peak:.0f} MiB held, {start:.0f} freed, {after:.0f} trimmed"
    assert held  # the pinning block lived through the trim


def test_arena_limit_is_accepted_and_zero_keeps_the_default() -> None:
    assert memory.limit_arenas(2) is True
    assert memory.limit_arenas(0) is False


def test_settings_default_and_parse() -> None:
    defaults = load_settings({})
    assert (defaults.malloc_arenas, defaults.malloc_trim_seconds) == (2, 30.0)
    off = load_settings({"GATEWAY_MALLOC_ARENAS": "0", "GATEWAY_MALLOC_TRIM_SECONDS": "off"})
    assert (off.malloc_arenas, off.malloc_trim_seconds) == (0, 0.0)
    assert load_settings({"GATEWAY_MALLOC_TRIM_SECONDS": "5"}).malloc_trim_seconds == 5.0


async def test_trimmer_off_at_zero_and_trims_when_run() -> None:
    off = memory.Trimmer(0)
    await off.start()
    assert off._task is None
    on = memory.Trimmer(3600)
    await on.start()
    assert on._task is not None and not on._task.done()
    await on.run_once()
    assert on.trims == 1
    await on.stop()
    assert on._task is None
