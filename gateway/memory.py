"""Keeping the process's resident memory bounded: glibc's allocator, not live objects.

Measured on the 1M-ticket bench (tracemalloc snapshots over a soak of ticket pages, light
queries and the executive's heavy series): the memory Python's objects hold stays at ~6-30 MiB,
while the process's RSS grew 268 → 403 MiB. The growth is memory already freed that glibc keeps:
each heavy series materialises ~160,000 points (asyncpg rows, then ``SeriesPoint`` objects) in
whichever thread decodes or completes it, glibc gives each thread that allocates concurrently
its own arena (up to 8 per core), and freed chunks in the middle of an arena are not returned to
the system. Two remedies, both settings (:class:`gateway.settings.Settings`):

- ``GATEWAY_MALLOC_ARENAS`` (default 2): ``mallopt(M_ARENA_MAX, n)`` at start-up, before the CPU
  pool's threads exist, so at most ``n`` arenas hold freed memory (0 keeps glibc's default);
- ``GATEWAY_MALLOC_TRIM_SECONDS`` (default 30): ``malloc_trim(0)`` that often (in a thread), which
  returns the free pages of every arena to the system (``off`` turns it off).

On other C libraries (musl, macOS) both are no-ops and :func:`available` is False.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
from functools import cache

log = logging.getLogger(__name__)

#: ``mallopt`` parameter number of the arena limit (glibc's malloc.h).
M_ARENA_MAX = -8


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    lib = ctypes.CDLL(name)
    return lib if hasattr(lib, "malloc_trim") and hasattr(lib, "mallopt") else None


def available() -> bool:
    """True when the C library is glibc (has ``malloc_trim`` and ``mallopt``)."""
    return _libc() is not None


def limit_arenas(arenas: int) -> bool:
    """At most ``arenas`` malloc arenas from now on (0: leave glibc's default). True if set."""
    lib = _libc()
    if lib is None or arenas <= 0:
        return False
    return bool(lib.mallopt(M_ARENA_MAX, arenas))


def trim() -> bool:
    """Return the free pages of every arena to the system. True when some memory was released."""
    lib = _libc()
    return bool(lib.malloc_trim(0)) if lib is not None else False


class Trimmer:
    """Calls :func:`trim` every ``seconds`` in a thread while started (never when 0)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.trims = 0
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool:
        released = await asyncio.to_thread(trim)
        self.trims += 1
        return released

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.seconds)
            try:
                await self.run_once()
            except OSError:  # pragma: no cover - the C call itself does not fail
                log.warning("malloc_trim failed", exc_info=True)

    async def start(self) -> None:
        if self.seconds > 0 and available() and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="malloc-trim")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
