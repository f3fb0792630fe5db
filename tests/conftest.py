"""Shared fixtures: a real Postgres (embedded unless DATABASE_URL), migrated and seeded with a
small deterministic data set, and a real uvicorn server running the gateway on loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from gateway.auth import mint_token
from gateway.embedded import EmbeddedPostgres
from gateway.server import server_config
from gateway.settings import Settings, load_settings

#: The seeded fixture data set: small enough to load in seconds, large enough for statistics.
SEED_TICKETS = 3000
SEED_DAYS = 35
SEED = 7
SEED_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


_QUERIES = Path(__file__).parent / "queries"


def tq(query: str, **identifiers: str) -> str:
    """Test-only SQL from ``tests/queries/<name>.sql`` (``{x}`` filled with safe identifiers)."""
    text = (_QUERIES / f"{query}.sql").read_text("utf-8")
    for key, value in identifiers.items():
        assert value.replace("_", "").isalnum(), value
        text = text.replace("{" + key + "}", value)
    return text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server at ``server_url``; return its URL."""
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(tq("create_database", dbname=name))
    finally:
        await conn.close()
    return _with_database(server_url, name)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings()


def server_dir(prefix: str) -> Path:
    """A fresh folder for an embedded cluster.

    Not under pytest's tmp_path: pytest resets its base folder to mode 0700 whenever a pytest
    session starts, which would lock the unprivileged server user out of a running cluster.
    """
    return Path(tempfile.mkdtemp(prefix=f"support-gateway-{prefix}-"))


@pytest.fixture(scope="session")
def pg_server(base_settings: Settings) -> Iterator[str]:
    """URL of a Postgres server's maintenance database (embedded unless DATABASE_URL)."""
    if base_settings.database_url:
        yield base_settings.database_url
        return
    folder = server_dir("pg")
    pg = EmbeddedPostgres(folder)
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
    pg = EmbeddedPostgres(folder)
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
    from gateway.seeding import seed_database

    async def build() -> str:
        dsn = await create_database(pg_server, f"support_test_{os.getpid()}")
        await migrate(dsn)
        await seed_database(dsn, tickets=SEED_TICKETS, days=SEED_DAYS, seed=SEED, end=SEED_END)
        return dsn

    return asyncio.run(build())


class LiveServer:
    """uvicorn serving the gateway in a background thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = server_config(app, "127.0.0.1", self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("gateway did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def gateway_settings(base_settings: Settings) -> Settings:
    return base_settings


@pytest.fixture(scope="session")
def gateway_url(seeded_dsn: str, gateway_settings: Settings) -> Iterator[str]:
    """Base URL of a real gateway (uvicorn) over the seeded database."""
    from gateway.app import create_app

    server = LiveServer(create_app(gateway_settings, seeded_dsn))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def users_by_role(seeded_dsn: str) -> dict[str, list[uuid.UUID]]:
    """Seeded user ids per application role, in email order (read as the database owner)."""

    async def read() -> dict[str, list[uuid.UUID]]:
        conn = await asyncpg.connect(seeded_dsn)
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
def make_token(
    gateway_settings: Settings, users_by_role: dict[str, list[uuid.UUID]]
) -> Callable[..., str]:
    """``make_token(role, index=0)``: a valid token for the index-th seeded user of ``role``."""

    def make(role: str, index: int = 0) -> str:
        return mint_token(
            gateway_settings.jwt_secret, user_id=users_by_role[role][index], app_role=role
        )

    return make


@pytest.fixture(scope="session")
def graphql(gateway_url: str) -> Callable[..., dict[str, Any]]:
    """``graphql(query, variables=None, token=None)`` → the JSON response of a POST."""

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
def owner_conn_factory(seeded_dsn: str) -> Callable[[], Any]:
    """Open a connection as the database owner (bypasses RLS) for independent expectations."""

    def factory() -> Any:
        return asyncpg.connect(seeded_dsn)

    return factory
