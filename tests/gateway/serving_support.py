"""Helpers of the serving-path tests: a gateway of their own (settings overridden), requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from testkit import LiveServer

from gateway.app import create_app
from gateway.graphql_view import GatewayState
from gateway.settings import Settings


@contextmanager
def own_gateway(
    settings: Settings, dsn: str, **overrides: Any
) -> Iterator[tuple[str, GatewayState]]:
    """A real uvicorn gateway over ``dsn`` with ``settings`` overridden; (url, state)."""
    app = create_app(settings.with_overrides(**overrides), dsn, realtime=False)
    server = LiveServer(app)
    server.start()
    try:
        yield server.url, app.state.gateway
    finally:
        server.stop()


def post(
    url: str,
    body: Any = None,
    *,
    token: str | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> httpx.Response:
    """POST /graphql with ``body`` as JSON (or raw ``content``)."""
    all_headers = {"content-type": "application/json", **(headers or {})}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    if content is None:
        import json

        content = json.dumps(body).encode()
    return httpx.post(url + "/graphql", content=content, headers=all_headers, timeout=timeout)


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
