"""gateway/token_cache.py: a verified token is remembered until it expires, never longer, and
a rejected one is verified (and rejected) every time."""

from __future__ import annotations

import time

import pytest
from auth_support import SECRET, USER

from gateway.auth import CLOCK_SKEW_LEEWAY_SECONDS, AuthError, Principal, TokenVerifier, mint_token
from gateway.settings import Settings
from gateway.token_cache import VerifiedTokens


class Counting:
    """The real verifier, counting its calls."""

    def __init__(self) -> None:
        self.verifier = TokenVerifier(Settings(jwt_secret=SECRET))
        self.calls = 0

    async def __call__(self, header: str | None) -> Principal:
        self.calls += 1
        return await self.verifier.principal_from_authorization(header)


async def test_a_token_is_verified_once_until_it_expires() -> None:
    now = [time.time()]
    verify = Counting()
    cache = VerifiedTokens(verify, clock=lambda: now[0], max_seconds=10_000)
    token = mint_token(SECRET, user_id=USER, app_role="manager", ttl_seconds=60)
    header = f"Bearer {token}"
    first = await cache.principal(header)
    assert (await cache.principal(header)) is first and verify.calls == 1
    exp = first.claims["exp"]
    now[0] = exp + CLOCK_SKEW_LEEWAY_SECONDS - 1  # the verifier still accepts it (leeway)
    assert (await cache.principal(header)) is first and verify.calls == 1
    now[0] = exp + CLOCK_SKEW_LEEWAY_SECONDS + 1  # past it: verified again (the real
    again = await cache.principal(header)  # verifier's clock is the real one: it accepts)
    assert verify.calls == 2 and again.user_id == USER


async def test_at_most_max_seconds_and_size_entries() -> None:
    now = [time.time()]
    verify = Counting()
    cache = VerifiedTokens(verify, clock=lambda: now[0], max_seconds=5, size=2)
    tokens = [
        f"Bearer {mint_token(SECRET, user_id=USER, app_role=r, ttl_seconds=3600)}"
        for r in ("agent", "manager", "executive")
    ]
    for t in tokens:
        await cache.principal(t)
    assert len(cache) == 2 and verify.calls == 3
    await cache.principal(tokens[0])  # the least recently used one was dropped
    assert verify.calls == 4
    await cache.principal(tokens[2])
    assert verify.calls == 4
    now[0] += 6
    await cache.principal(tokens[2])
    assert verify.calls == 5


async def test_rejections_and_anonymous_calls_are_not_remembered() -> None:
    verify = Counting()
    cache = VerifiedTokens(verify)
    bad = "Bearer " + mint_token("y" * 40, user_id=USER, app_role="agent")
    for _ in range(3):
        with pytest.raises(AuthError):
            await cache.principal(bad)
    assert verify.calls == 3 and len(cache) == 0
    assert (await cache.principal(None)).is_anonymous
    assert (await cache.principal(None)).is_anonymous
    assert verify.calls == 5 and len(cache) == 0
