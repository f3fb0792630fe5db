"""The gateway's own error rate, for the system-error alert rule.

:class:`ErrorMeter` counts GraphQL operations and the failed ones (an unexpected error, i.e. one
the gateway masks, or an HTTP 5xx) in one-second buckets over a sliding window; the app records
into it and the alerting engine reads :meth:`ErrorMeter.window`. Bad input and refused tokens are
the caller's problem, not the gateway's, and are not counted as errors.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorWindow:
    """Operations and failures in the last ``seconds``."""

    seconds: float
    requests: int
    errors: int

    @property
    def rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None


class ErrorMeter:
    """Per-second counts of requests and errors, kept for ``horizon_seconds``."""

    def __init__(
        self, horizon_seconds: int = 3600, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._horizon = horizon_seconds
        self._clock = clock
        self._buckets: deque[list[int]] = deque()  # [second, requests, errors]

    def _bucket(self) -> list[int]:
        now = int(self._clock())
        if not self._buckets or self._buckets[-1][0] != now:
            self._buckets.append([now, 0, 0])
            while self._buckets and self._buckets[0][0] <= now - self._horizon:
                self._buckets.popleft()
        return self._buckets[-1]

    def record_request(self) -> None:
        """Count one GraphQL operation."""
        self._bucket()[1] += 1

    def record_error(self) -> None:
        """Count one failure (an operation with an unexpected error, or an HTTP 5xx)."""
        self._bucket()[2] += 1

    def window(self, seconds: float) -> ErrorWindow:
        """Totals of the last ``seconds``."""
        since = int(self._clock() - seconds)
        requests = errors = 0
        for second, req, err in self._buckets:
            if second > since:
                requests += req
                errors += err
        return ErrorWindow(seconds, requests, errors)
