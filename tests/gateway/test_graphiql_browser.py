"""Self-hosted GraphiQL in a real headless Chromium: loading, queries and headers.

The browser (one per module, one fresh page per test) is driven over CDP by
``tests/gateway/browser_support.py``. Subscriptions against the real gateway (a live
``ticketChanged`` stream, row level security, a refused token) are in ``test_graphiql_live.py``.

Contracts checked:

* against the real gateway (``gateway_url`` / ``make_token`` fixtures from
  ``tests/conftest.py``): the page loads from same-origin ``/graphiql/assets/...``,
  clicking the run button executes ``{ __typename }`` and the result pane shows the JSON;
  with ``Authorization: Bearer <manager token>`` set in the header editor,
  ``{ viewer { appRole } }`` returns ``"manager"``; every request the browser made
  (CDP network log and the page's performance entries) stayed on loopback;
* against a tiny app of this file's own (run by uvicorn in a subprocess): a subscription
  started from GraphiQL sends the header editor's ``Authorization`` in the graphql-ws
  ``connection_init`` payload, and an empty default ``Bearer`` hint is not sent;
* without a browser: :func:`gateway.graphiql.wants_graphiql` and the 503 page.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from browser_support import (
    Browser,
    assert_loopback_only,
    graphql_post_headers,
    needs_chromium,
    open_graphiql,
    require_vendor_assets,
    run_and_read_result,
    set_headers,
    set_query,
    start_browser,
    ws_frames,
)
from starlette.requests import Request
from testkit import free_port

from gateway import graphiql

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module."""
    with start_browser() as running:
        yield running


# --------------------------------------------------------------------------- real gateway


@needs_chromium
async def test_graphiql_runs_queries_against_gateway(
    browser: Browser, gateway_url: str, make_token: Callable[[str], str]
) -> None:
    require_vendor_assets()
    base = gateway_url.rstrip("/")
    async with browser.page() as page:
        # No ?query= here: Strawberry's own IDE check executes GET requests that carry one.
        await open_graphiql(page, base)
        await set_query(page, "{ __typename }")
        result = await run_and_read_result(page, contains="__typename")
        assert isinstance(result["data"]["__typename"], str), result
        assert result["data"]["__typename"], result
        # The default hint {"Authorization": "Bearer "} has no token: it is not sent.
        assert graphql_post_headers(page), "GraphiQL sent no POST request"
        assert all("authorization" not in h for h in graphql_post_headers(page))

        token = make_token("manager")
        await set_headers(page, {"Authorization": f"Bearer {token}"})
        await set_query(page, "{ viewer { appRole } }")
        result = await run_and_read_result(page, contains="appRole")
        # A Strawberry enum serialises by member name (MANAGER); accept either spelling.
        assert str(result["data"]["viewer"]["appRole"]).lower() == "manager", result
        sent = [h.get("authorization") for h in graphql_post_headers(page)]
        assert f"Bearer {token}" in sent

        await assert_loopback_only(page)
        exceptions = page.events_named("Runtime.exceptionThrown")
        assert not exceptions, page.page_errors()


# --------------------------------------------------------------------------- own tiny app


DEV_APP = textwrap.dedent(
    '''
    """Tiny app: GraphiQL routes + a schema whose subscription echoes connection_init."""
    from __future__ import annotations

    from collections.abc import AsyncGenerator
    from typing import Any

    import strawberry
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route, WebSocketRoute
    from starlette.types import Receive, Scope, Send
    from strawberry.asgi import GraphQL
    from strawberry.types import Info

    from gateway.graphiql import graphiql_asset_routes, graphiql_response, wants_graphiql


    @strawberry.type
    class Query:
        @strawberry.field
        def http_authorization(self, info: Info) -> str | None:
            return info.context["request"].headers.get("authorization")


    @strawberry.type
    class HubSubscription:
        @strawberry.subscription
        async def connection_params(self, info: Info) -> AsyncGenerator[str, None]:
            params: Any = info.context.get("connection_params")
            yield "payload=" + __import__("json").dumps(params, sort_keys=True)


    graphql_app = GraphQL(strawberry.Schema(Query, subscription=HubSubscription), graphql_ide=None)


    class Dispatch:
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and wants_graphiql(Request(scope)):
                await graphiql_response()(scope, receive, send)
            else:
                await graphql_app(scope, receive, send)


    app = Starlette(
        routes=[
            Route("/graphql", Dispatch(), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_app),
            *graphiql_asset_routes(),
        ]
    )
    '''
)


@pytest.fixture
def echo_app_url(tmp_path: Path) -> Iterator[str]:
    """Base URL of :data:`DEV_APP` served by uvicorn in a subprocess on loopback."""
    (tmp_path / "graphiql_echo_app.py").write_text(DEV_APP, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(tmp_path)])}
    log = (tmp_path / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "graphiql_echo_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/graphiql/assets/manifest.json", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (tmp_path / "uvicorn.log").read_text(errors="replace")
                    raise RuntimeError(f"echo app did not start:\n{output}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@needs_chromium
async def test_subscription_sends_authorization_in_connection_init(
    browser: Browser, echo_app_url: str
) -> None:
    require_vendor_assets()
    async with browser.page() as page:
        # Default hint only: no Authorization over HTTP nor in connection_init.
        await open_graphiql(page, echo_app_url, "subscription { connectionParams }")
        result = await run_and_read_result(page, contains="payload=")
        assert result == {"data": {"connectionParams": "payload={}"}}, result

        await set_headers(page, {"Authorization": "Bearer tok-manager", "X-Trace": "t1"})
        result = await run_and_read_result(page, contains="tok-manager")
        payload = json.loads(result["data"]["connectionParams"].removeprefix("payload="))
        assert payload == {"Authorization": "Bearer tok-manager", "X-Trace": "t1"}

        # What went over the wire: a graphql-ws connection_init to ws://<page host>/graphql.
        sockets = [e["url"] for e in page.events_named("Network.webSocketCreated")]
        assert sockets, "no websocket was opened"
        assert all(url == f"ws://{urlsplit(echo_app_url).netloc}/graphql" for url in sockets)
        inits = [f for f in ws_frames(page, "Sent") if f.get("type") == "connection_init"]
        assert {"type": "connection_init", "payload": {}} in inits
        assert {
            "type": "connection_init",
            "payload": {"Authorization": "Bearer tok-manager", "X-Trace": "t1"},
        } in inits

        # Queries over HTTP get the same header.
        await set_query(page, "{ httpAuthorization }")
        result = await run_and_read_result(page, contains="httpAuthorization")
        assert result == {"data": {"httpAuthorization": "Bearer tok-manager"}}

        await assert_loopback_only(page)
        assert not page.events_named("Runtime.exceptionThrown"), page.page_errors()


# --------------------------------------------------------------------------- no browser


def _request(method: str, accept: str | None) -> Request:
    headers = [] if accept is None else [(b"accept", accept.encode())]
    return Request({"type": "http", "method": method, "path": "/graphql", "headers": headers})


@pytest.mark.parametrize(
    ("method", "accept", "expected"),
    [
        (
            "GET",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
            "image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
            True,
        ),
        ("GET", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("GET", "text/html", True),
        ("GET", "text/html, application/json", True),
        ("GET", "application/json", False),
        ("GET", "application/graphql-response+json, application/json;q=0.9", False),
        ("GET", "application/json, text/html", False),
        ("GET", "text/html;q=0.5, application/json", False),
        ("GET", "*/*", False),
        ("GET", "text/*", False),
        ("GET", "text/html;q=0", False),
        ("GET", "", False),
        ("GET", None, False),
        ("POST", "text/html", False),
        ("HEAD", "text/html", False),
    ],
)
def test_wants_graphiql(method: str, accept: str | None, expected: bool) -> None:
    assert graphiql.wants_graphiql(_request(method, accept)) is expected


def test_missing_assets_is_a_clear_503(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphiql, "VENDOR_DIR", tmp_path / "vendor")
    response = graphiql.graphiql_response()
    assert response.status_code == 503
    body = bytes(response.body).decode()
    assert "make assets" in body
    assert "<script" not in body


def test_page_references_only_same_origin_assets() -> None:
    require_vendor_assets()
    response = graphiql.graphiql_response(subscriptions_endpoint="/graphql/ws")
    assert response.status_code == 200
    body = bytes(response.body).decode()
    assert "%%" not in body
    assert "http://" not in body and "https://" not in body and "//cdn" not in body
    for name in graphiql.REQUIRED_ASSETS:
        assert f'"{graphiql.ASSETS_PATH}/{name}?v=' in body
    assert '"subscriptionsEndpoint": "/graphql/ws"' in body
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp


def test_build_script_and_module_agree_on_files() -> None:
    spec = importlib.util.spec_from_file_location("assets_build", REPO_ROOT / "assets/build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert set(build.VENDOR_FILES) == set(graphiql.REQUIRED_ASSETS)
    assert graphiql.VENDOR_DIR.resolve() == build.VENDOR_DIR
