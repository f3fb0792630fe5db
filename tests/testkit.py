"""Test support shared by every test package: the fixture data set's constants, test-only SQL,
throw-away databases and clusters, and a real uvicorn server on loopback (fixtures live in
``conftest.py``; import helpers from here, never from a ``conftest``)."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn

from gateway.server import server_config

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


def free_port() -> int:
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


def server_dir(prefix: str) -> Path:
    """A fresh folder for an embedded cluster.

    Not under pytest's tmp_path: pytest resets its base folder to mode 0700 whenever a pytest
    session starts, which would lock the unprivileged server user out of a running cluster.
    """
    return Path(tempfile.mkdtemp(prefix=f"support-gateway-{prefix}-"))


class LiveServer:
    """uvicorn serving the gateway in a background thread on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
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
