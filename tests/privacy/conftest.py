"""Fixtures of the privacy tests: a private seeded database (erasure and retention change data,
so they do not share the session's database), a gateway over it, and users of the dpo role
(the generator seeds none)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from testkit import SEED, SEED_DAYS, SEED_END, SEED_TICKETS, create_database, tq

from gateway.auth import mint_token
from gateway.settings import Settings

GQL = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def privacy_dsn(pg_server: str) -> str:
    """A migrated, seeded database of its own, with one dpo user."""
    from gateway.migrate import migrate
    from synthetic import seed_database

    async def build() -> str:
        dsn = await create_database(pg_server, f"privacy_{uuid.uuid4().hex[:10]}")
        await migrate(dsn)
        await seed_database(dsn, tickets=SEED_TICKETS, days=SEED_DAYS, seed=SEED, end=SEED_END)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(tq("insert_user_role"), uuid.uuid4(), "dpo@example.test", "dpo")
        finally:
            await conn.close()
        return dsn

    return asyncio.run(build())


@pytest.fixture(scope="session")
def privacy_settings(base_settings: Settings) -> Settings:
    return base_settings.with_overrides(audit_flush_seconds=0.2, retention_interval_seconds=0.0)


@pytest.fixture(scope="session")
def privacy_url(
    privacy_dsn: str, privacy_settings: Settings, start_gateway: Callable[..., str]
) -> str:
    """A gateway (the root ``start_gateway``) over the privacy database, without realtime."""
    return start_gateway(privacy_settings, privacy_dsn, realtime=False)


@pytest.fixture(scope="session")
def privacy_live_url(
    privacy_dsn: str, privacy_settings: Settings, start_gateway: Callable[..., str]
) -> str:
    """A second gateway over the privacy database, with its realtime hub (subscriptions)."""
    return start_gateway(privacy_settings, privacy_dsn)


@pytest.fixture(scope="session")
def role_users(
    privacy_dsn: str, users_of: Callable[[str], dict[str, list[uuid.UUID]]]
) -> dict[str, list[uuid.UUID]]:
    return users_of(privacy_dsn)


@pytest.fixture(scope="session")
def token_of(
    privacy_settings: Settings, role_users: dict[str, list[uuid.UUID]]
) -> Callable[..., str]:
    def make(role: str, index: int = 0) -> str:
        return mint_token(
            privacy_settings.jwt_secret, user_id=role_users[role][index], app_role=role
        )

    return make


@pytest.fixture(scope="session")
def gql(privacy_url: str, graphql_at: Callable[[str], GQL]) -> GQL:
    return graphql_at(privacy_url)


@pytest.fixture
async def owner(privacy_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the database owner (bypasses row level security)."""
    conn = await asyncpg.connect(privacy_dsn)
    try:
        yield conn
    finally:
        await conn.close()
