"""Verified bearer tokens, remembered by their text until they expire.

A ticket page costs a few milliseconds of CPU; verifying its HS256 token again on every request
(PyJWT: decode, HMAC, claim checks) was ~2% of it, for a token that is the same on every request
of a client. :class:`VerifiedTokens` keeps the :class:`~gateway.auth.Principal` of each token it
verified, at most ``size`` of them (least recently used dropped first), and for at most
``max_seconds``, never past the token's own expiry (``exp`` plus the verifier's leeway: the
instant :class:`~gateway.auth.TokenVerifier` itself stops accepting it). Failures are never
remembered: a rejected token is verified, and rejected, each time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from gateway.auth import CLOCK_SKEW_LEEWAY_SECONDS, Principal

Verify = Callable[[str | None], Awaitable[Principal]]


class VerifiedTokens:
    """``principal(header)``: the verified principal of an ``Authorization`` header."""

    def __init__(
        self,
        verify: Verify,
        *,
        size: int = 4096,
        max_seconds: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._verify = verify
        self._size = size
        self._max_seconds = max_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def principal(self, header: str | None) -> Principal:
        if not header:
            return await self._verify(header)
        now = self._clock()
        hit = self._entries.get(header)
        if hit is not None:
            principal, until = hit
            if now < until:
                self._entries.move_to_end(header)
                return principal
            del self._entries[header]
        principal = await self._verify(header)
        exp = principal.claims.get("exp")
        if (
            principal.token is not None
            and isinstance(exp, int | float)
            and not isinstance(exp, bool)
        ):
            until = min(float(exp) + CLOCK_SKEW_LEEWAY_SECONDS, now + self._max_seconds)
            if until > now:
                self._entries[header] = (principal, until)
                if len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return principal
