"""Per-principal admission: token-bucket rate limits and concurrency caps.

A token bucket per principal key (user id, or the client address for anonymous callers) holds
at most ``burst`` tokens and refills at ``rate_per_second``; each request takes one. The figures
reported to the caller follow GitHub's GraphQL API (``extensions.rateLimit``): ``limit`` (the
bucket's size), ``remaining`` (whole tokens left) and ``reset`` (Unix time when the bucket is
full again). A refused request gets ``retry_after`` seconds, until one token is back.

No library: ``limits`` offers fixed and moving windows, ``aiolimiter`` a leaky bucket without
keys or remaining-count reporting; a bucket is ten lines. Buckets of idle keys are forgotten
after an idle hour (:meth:`RateLimiter.sweep`), so memory follows the active callers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True, slots=True)
class Admission:
    """The outcome of :meth:`RateLimiter.take`."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int

    def report(self) -> dict[str, int]:
        return {"limit": self.limit, "remaining": self.remaining, "reset": self.reset}


class RateLimiter:
    """Token buckets by key; ``clock`` is monotonic seconds, ``wall`` Unix seconds."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._buckets: dict[str, Bucket] = {}
        self._last_sweep = clock()

    def take(self, key: str, rate: float, burst: int) -> Admission:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(float(burst), now)
        else:
            bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
        allowed = bucket.tokens >= 1.0
        if allowed:
            bucket.tokens -= 1.0
        full_in = (burst - bucket.tokens) / rate
        retry = 0 if allowed else math.ceil((1.0 - bucket.tokens) / rate)
        if now - self._last_sweep > 60:
            self.sweep()
        return Admission(
            allowed=allowed,
            limit=burst,
            remaining=int(bucket.tokens),
            reset=math.ceil(self._wall() + full_in),
            retry_after=max(retry, 1) if not allowed else 0,
        )

    def sweep(self, idle_seconds: float = 3600.0) -> None:
        """Forget buckets idle for ``idle_seconds`` (refilled by then at any sane rate)."""
        now = self._last_sweep = self._clock()
        for key in [k for k, b in self._buckets.items() if now - b.updated > idle_seconds]:
            del self._buckets[key]


class ConcurrencyLimiter:
    """At most ``limit`` operations in flight per key."""

    def __init__(self) -> None:
        self._active: dict[str, int] = {}

    def enter(self, key: str, limit: int) -> bool:
        current = self._active.get(key, 0)
        if current >= limit:
            return False
        self._active[key] = current + 1
        return True

    def leave(self, key: str) -> None:
        current = self._active.get(key, 0) - 1
        if current > 0:
            self._active[key] = current
        else:
            self._active.pop(key, None)

    def active(self, key: str) -> int:
        return self._active.get(key, 0)
