"""Time and SQL budgets per request: an overall deadline, a statement cap, cancellation of the SQL
of abandoned requests, per-principal concurrency, a short pool wait answering 503 with
Retry-After, and /readyz reporting a saturated pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from serving_support import codes, own_gateway, post
from testkit import tq

from gateway.embedded import EmbeddedPostgres
from gateway.graphql_view import GatewayState
from gateway.role_limits import parse_limits
from gateway.settings import Settings

Gateway = tuple[str, GatewayState]
BLOCKED = {"query": '{ ticket(id: "1") { id } }'}  # waits while support_tickets is locked
FREE = {"query": "{ viewer { role } }"}  # sends no SQL


@asynccontextmanager
async def tickets_locked(dsn: str) -> AsyncIterator[None]:
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            await conn.execute(tq("lock_table", table="support_tickets"))
            yield
    finally:
        await conn.close()


async def waiting_statements(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval(tq("lock_waiters"))
        return count
    finally:
        await conn.close()


async def settle(dsn: str, seconds: float = 3.0) -> int:
    """The number of statements still waiting on a lock after at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        count = await waiting_statements(dsn)
        if count == 0 or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.05)


async def until_waiting(dsn: str, count: int, seconds: float = 5.0) -> None:
    """Return once ``count`` statements wait on the lock."""
    deadline = time.monotonic() + seconds
    waiting = 0
    while time.monotonic() < deadline:
        waiting = await waiting_statements(dsn)
        if waiting >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {waiting} statements waiting, expected {count}")


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[Gateway]:
    with own_gateway(
        gateway_settings,
        seeded_dsn,
        pool_min=3,
        pool_max=3,
        pool_acquire_timeout_ms=300,
        deadline_ms=20_000,  # test_deadline... has its own gateway
        statement_timeout_ms=20_000,
        max_statements=4,
        limits=parse_limits("default.concurrency=2,default.burst=100000"),
    ) as gw:
        yield gw


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(c) for c in calls]]


def abandon(url: str, token: str) -> None:
    try:
        post(url, BLOCKED, token=token, timeout=0.3)
    except httpx.TimeoutException:
        return
    raise AssertionError("the request should have been abandoned")


def test_deadline_cancels_the_operation_and_its_sql(
    gateway_settings: Settings, seeded_dsn: str, make_token: Callable[..., str]
) -> None:
    async def run(url: str) -> tuple[httpx.Response, float, int]:
        async with tickets_locked(seeded_dsn):
            started = time.monotonic()
            resp = await asyncio.to_thread(post, url, BLOCKED, token=make_token("manager"))
            elapsed = time.monotonic() - started
            left = await settle(seeded_dsn)
        return resp, elapsed, left

    options: dict[str, Any] = {"deadline_ms": 800, "statement_timeout_ms": 20_000}
    with own_gateway(gateway_settings, seeded_dsn, **options) as (url, _):
        resp, elapsed, left = asyncio.run(run(url))
    assert resp.status_code == 504 and codes(resp.json()) == ["TIMEOUT"]
    assert 0.7 < elapsed < 4.0
    assert left == 0, "the statement of the timed-out operation is still running"


def test_abandoned_requests_sql_is_cancelled(
    gateway: Gateway, seeded_dsn: str, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    users = [make_token("agent", i) for i in range(3)]

    async def run() -> tuple[int, int]:
        async with tickets_locked(seeded_dsn):
            await asyncio.to_thread(in_threads, [lambda t=t: abandon(url, t) for t in users])
            left = await settle(seeded_dsn)
            running = await waiting_statements(seeded_dsn)
        return left, running

    left, running = asyncio.run(run())
    assert left == 0 and running == 0
    started = time.monotonic()
    assert post(url, BLOCKED, token=make_token("manager")).status_code == 200
    assert time.monotonic() - started < 1.0  # the pool is free again at once


def test_pool_saturation_is_503_with_retry_after_and_recovers(
    gateway_settings: Settings, seeded_dsn: str, make_token: Callable[..., str]
) -> None:
    holders = [make_token("team_lead", 0), make_token("team_lead", 1), make_token("analyst")]
    options: dict[str, Any] = {
        "pool_min": 3,
        "pool_max": 3,
        "pool_acquire_timeout_ms": 300,
        "deadline_ms": 20_000,  # the holders wait for the lock, not for their deadline
        "limits": parse_limits("default.burst=100000"),
    }

    async def run(url: str) -> tuple[list[httpx.Response], httpx.Response, httpx.Response, float]:
        async with tickets_locked(seeded_dsn):
            tasks = [
                asyncio.ensure_future(asyncio.to_thread(post, url, BLOCKED, token=t))
                for t in holders
            ]
            await until_waiting(seeded_dsn, 3, seconds=15)
            ready = await asyncio.to_thread(httpx.get, url + "/readyz")
            started = time.monotonic()
            refused = await asyncio.to_thread(post, url, BLOCKED, token=make_token("manager"))
            waited = time.monotonic() - started
        done = await asyncio.gather(*tasks)  # the lock is released: they complete
        return done, ready, refused, waited

    with own_gateway(gateway_settings, seeded_dsn, **options) as (url, _):
        done, ready, refused, waited = asyncio.run(run(url))
        assert ready.status_code == 503 and ready.json()["status"] == "pool saturated"
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert codes(refused.json()) == ["SERVICE_UNAVAILABLE"]
        assert waited < 2.0
        assert [r.status_code for r in done] == [200, 200, 200]
        assert httpx.get(url + "/readyz").status_code == 200
        started = time.monotonic()
        assert post(url, BLOCKED, token=make_token("manager")).status_code == 200
        assert time.monotonic() - started < 1.0  # recovered at once


def test_concurrency_per_principal(
    gateway: Gateway, seeded_dsn: str, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    token = make_token("agent", 3)

    async def run() -> tuple[httpx.Response, httpx.Response, list[httpx.Response]]:
        async with tickets_locked(seeded_dsn):
            tasks = [
                asyncio.ensure_future(asyncio.to_thread(post, url, BLOCKED, token=token))
                for _ in range(2)
            ]
            await until_waiting(seeded_dsn, 2)
            third = await asyncio.to_thread(post, url, FREE, token=token)
            other = await asyncio.to_thread(post, url, FREE, token=make_token("agent", 4))
            held = await asyncio.gather(*tasks)
        return third, other, held

    third, other, held = asyncio.run(run())
    assert third.status_code == 429 and codes(third.json()) == ["RATE_LIMITED"]
    assert third.json()["errors"][0]["extensions"]["limit"] == "concurrency"
    assert other.status_code == 200
    assert len(held) == 2


def test_statement_cap(gateway: Gateway, make_token: Callable[..., str]) -> None:
    url, _ = gateway
    # begin + setup + one statement per root field: the fifth statement is refused
    query = {
        "query": '{ ticket(id: "1") { id } teams { id } slaPolicies { id } categories { id } }'
    }
    body = post(url, query, token=make_token("manager")).json()
    assert body["extensions"]["sqlStatements"] == 4
    assert "LIMIT_EXCEEDED" in codes(body)
    assert "statements" in body["errors"][0]["message"]


def test_readyz_reports_an_unreachable_database(
    gateway_settings: Settings, embedded_pg: EmbeddedPostgres
) -> None:
    with own_gateway(gateway_settings, embedded_pg.url) as (url, _):
        assert httpx.get(url + "/readyz").status_code == 200
        port = embedded_pg.port
        embedded_pg.stop()
        try:
            down = httpx.get(url + "/readyz", timeout=10)
            assert down.status_code == 503
            assert down.json()["status"] == "database unreachable"
        finally:
            embedded_pg.port = port
            embedded_pg.start()
        deadline = time.monotonic() + 10
        while httpx.get(url + "/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "not ready again after the database came back"
            time.sleep(0.2)
