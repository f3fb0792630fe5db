"""Shared fixtures: a real Postgres (embedded unless DATABASE_URL), migrated and seeded with a
small deterministic data set, and a real uvicorn server running the gateway on loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from testkit import (
    SEED,
    SEED_DAYS,
    SEED_END,
    SEED_TICKETS,
    LiveServer,
    create_database,
    server_dir,
    tq,
)

from gateway.auth import mint_token
from gateway.embedded import EmbeddedPostgres
from gateway.role_limits import parse_limits
from gateway.settings import Settings, load_settings


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def pg_server(base_settings: Settings) -> Iterator[str]:
    """URL of a Postgres server's maintenance database (embedded unless DATABASE_URL)."""
    if base_settings.database_url:
        yield base_settings.database_url
        return
    folder = server_dir("pg")
    pg = EmbeddedPostgres(folder, throwaway=True)
    url = pg.start()
    try:
        yield url
    finally:
        pg.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_pg() -> Iterator[EmbeddedPostgres]:
    """A second, private embedded server that tests may stop and restart."""
    folder = server_dir("pg-private")
    pg = EmbeddedPostgres(folder, throwaway=True)
    pg.start()
    try:
        yield pg
    finally:
        pg.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def seeded_dsn(pg_server: str) -> str:
    """A migrated database seeded with the fixture data set."""
    from gateway.migrate import migrate
    from synthetic import seed_database

    async def build() -> str:
        dsn = await create_database(pg_server, f"support_test_{os.getpid()}")
        await migrate(dsn)
        await seed_database(dsn, tickets=SEED_TICKETS, days=SEED_DAYS, seed=SEED, end=SEED_END)
        return dsn

    return asyncio.run(build())


#: The shared test gateway serves many quick requests from one address and a few users: its
#: rate and concurrency limits are out of the way (tests/gateway/test_rate_limits.py tests them).
TEST_LIMITS = "anon.burst=1000000,anon.concurrency=64,default.burst=1000000,default.concurrency=64"


@pytest.fixture(scope="session")
def gateway_settings(base_settings: Settings) -> Settings:
    return base_settings.with_overrides(limits=parse_limits(TEST_LIMITS))


@pytest.fixture(scope="session")
def start_gateway() -> Iterator[Callable[..., str]]:
    """``start_gateway(settings, dsn, **create_app_options)``: the base URL of a real gateway
    (uvicorn) over ``dsn``; every gateway started so is stopped at the end of the session."""
    from gateway.app import create_app

    servers: list[LiveServer] = []

    def start(settings: Settings, dsn: str, **options: Any) -> str:
        server = LiveServer(create_app(settings, dsn, **options))
        server.start()
        servers.append(server)
        return server.url

    try:
        yield start
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture(scope="session")
def gateway_url(
    seeded_dsn: str, gateway_settings: Settings, start_gateway: Callable[..., str]
) -> str:
    """Base URL of a real gateway (uvicorn) over the seeded database."""
    return start_gateway(gateway_settings, seeded_dsn)


def read_users_by_role(dsn: str) -> dict[str, list[uuid.UUID]]:
    """User ids per application role in the database ``dsn``, in email order (as its owner)."""

    async def read() -> dict[str, list[uuid.UUID]]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch(tq("users_by_role"))
        finally:
            await conn.close()
        out: dict[str, list[uuid.UUID]] = {}
        for r in rows:
            out.setdefault(r["app_role"], []).append(r["user_id"])
        return out

    return asyncio.run(read())


@pytest.fixture(scope="session")
def users_of() -> Callable[[str], dict[str, list[uuid.UUID]]]:
    """``users_of(dsn)``: user ids per application role of another test database."""
    return read_users_by_role


@pytest.fixture(scope="session")
def users_by_role(seeded_dsn: str) -> dict[str, list[uuid.UUID]]:
    """Seeded user ids per application role, in email order (read as the database owner)."""
    return read_users_by_role(seeded_dsn)


@pytest.fixture(scope="session")
def make_token(
    gateway_settings: Settings, users_by_role: dict[str, list[uuid.UUID]]
) -> Callable[..., str]:
    """``make_token(role, index=0)``: a valid token for the index-th seeded user of ``role``."""

    def make(role: str, index: int = 0) -> str:
        return mint_token(
            gateway_settings.jwt_secret, user_id=users_by_role[role][index], app_role=role
        )

    return make


def graphql_client(gateway_url: str) -> Callable[..., dict[str, Any]]:
    """``run(query, variables=None, token=None)`` → the JSON response of a POST to the gateway
    at ``gateway_url`` (asserting HTTP 200)."""

    def run(
        query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = httpx.post(
            gateway_url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=60,
        )
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    return run


@pytest.fixture(scope="session")
def graphql_at() -> Callable[[str], Callable[..., dict[str, Any]]]:
    """``graphql_at(url)``: a :func:`graphql`-like client of another test gateway."""
    return graphql_client


@pytest.fixture(scope="session")
def graphql(gateway_url: str) -> Callable[..., dict[str, Any]]:
    """``graphql(query, variables=None, token=None)`` → the JSON response of a POST."""
    return graphql_client(gateway_url)


@pytest.fixture(scope="session")
def owner_conn_factory(seeded_dsn: str) -> Callable[[], Any]:
    """Open a connection as the database owner (bypasses RLS) for independent expectations."""

    def factory() -> Any:
        return asyncpg.connect(seeded_dsn)

    return factory


@pytest.fixture(scope="session")
def insights_db(pg_server: str) -> Any:
    """The insights tests' larger database (tests/insights_support.py), predict run twice."""
    from insights_support import build_insights_database

    return asyncio.run(build_insights_database(pg_server))
