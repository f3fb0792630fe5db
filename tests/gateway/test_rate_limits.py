"""Rate limits per principal: a token bucket per role, reported in ``extensions.rateLimit``
(limit, remaining, reset) as GitHub's GraphQL API does; 429 with Retry-After when used up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from serving_support import codes, own_gateway, post

from gateway.graphql_view import GatewayState
from gateway.ratelimit import RateLimiter
from gateway.role_limits import parse_limits
from gateway.settings import Settings

Gateway = tuple[str, GatewayState]
QUERY = {"query": "{ viewer { role } }"}


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[Gateway]:
    limits = parse_limits(
        "default.burst=3,default.rate_per_second=0.2,manager.burst=50,anon.burst=2,"
        "anon.rate_per_second=0.1"
    )
    with own_gateway(gateway_settings, seeded_dsn, limits=limits) as gw:
        yield gw


def test_bucket_reported_then_429_with_retry_after(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    token = make_token("agent", 1)
    remaining = []
    for _ in range(3):
        resp = post(url, QUERY, token=token)
        assert resp.status_code == 200
        report = resp.json()["extensions"]["rateLimit"]
        assert report["limit"] == 3 and report["reset"] >= int(time.time())
        remaining.append(report["remaining"])
    assert remaining == [2, 1, 0]
    refused = post(url, QUERY, token=token)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert codes(refused.json()) == ["RATE_LIMITED"]
    assert refused.json()["extensions"]["rateLimit"]["remaining"] == 0
    # another user, and another role with its own limits, are not affected
    assert post(url, QUERY, token=make_token("agent", 2)).status_code == 200
    manager = post(url, QUERY, token=make_token("manager"))
    assert manager.json()["extensions"]["rateLimit"]["limit"] == 50


def test_anonymous_callers_are_limited_by_address(gateway: Gateway) -> None:
    url, _ = gateway
    statuses = [post(url, QUERY).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0], wall=lambda: 1000.0 + now[0])
    taken = [limiter.take("k", rate=2.0, burst=4).allowed for _ in range(5)]
    assert taken == [True, True, True, True, False]
    refused = limiter.take("k", rate=2.0, burst=4)
    assert refused.retry_after == 1 and refused.reset == 1002  # 4 tokens at 2/s
    now[0] = 1.0  # two tokens back
    assert [limiter.take("k", rate=2.0, burst=4).allowed for _ in range(3)] == [True, True, False]
