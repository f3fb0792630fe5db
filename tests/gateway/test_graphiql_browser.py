"""Self-hosted GraphiQL, exercised in a real headless Chromium.

The browser is Debian's ``/usr/bin/chromium``, driven over the Chrome DevTools Protocol
(CDP) with the ``websockets`` package: the browser is started with
``--remote-debugging-port=0``, the port is read from ``<profile>/DevToolsActivePort``,
and a page target is attached with ``flatten=true``. No selenium/playwright, no browser
downloads. Browser tests are skipped only when ``/usr/bin/chromium`` is absent.

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

import asyncio
import contextlib
import importlib.util
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
import websockets
from starlette.requests import Request

from gateway import graphiql

CHROMIUM = Path("/usr/bin/chromium")
REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (apt-get install -y chromium); "
    "the browser tests need Debian's chromium",
)


# --------------------------------------------------------------------------- CDP client


class CDPError(RuntimeError):
    """A CDP command returned an error."""


class CDPSession:
    """Minimal CDP client over one browser websocket, bound to one page session."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.session_id: str | None = None
        self.events: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self._ws:
                message = json.loads(raw)
                future = self._pending.pop(message.get("id", -1), None)
                if future is not None:
                    if not future.done():
                        future.set_result(message)
                elif "method" in message:
                    self.events.append(message)

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command (to the attached page, once attached) and return its result."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if self.session_id is not None and not method.startswith("Target."):
            message["sessionId"] = self.session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send(json.dumps(message))
        reply = await asyncio.wait_for(future, timeout=30)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def evaluate(self, expression: str) -> Any:
        """Evaluate *expression* in the page (awaiting promises) and return its value."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise CDPError(f"evaluate({expression!r}): {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, *, seconds: float = 20.0) -> Any:
        """Poll *expression* until it is truthy; return its value or fail with a clear error."""
        deadline = time.monotonic() + seconds
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {expression!r}; page errors: {self.page_errors()}"
                )
            await asyncio.sleep(0.1)

    def events_named(self, method: str) -> list[dict[str, Any]]:
        return [event["params"] for event in self.events if event["method"] == method]

    def page_errors(self) -> list[str]:
        """Uncaught exceptions plus error-level console/log entries seen so far."""
        errors = [
            str(e["exceptionDetails"].get("exception", {}).get("description"))
            for e in self.events_named("Runtime.exceptionThrown")
        ]
        errors += [
            str(e["entry"].get("text"))
            for e in self.events_named("Log.entryAdded")
            if e["entry"].get("level") == "error"
        ]
        errors += [
            " ".join(str(arg.get("value", arg.get("description", ""))) for arg in e["args"])
            for e in self.events_named("Runtime.consoleAPICalled")
            if e.get("type") == "error"
        ]
        return errors

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def chromium_page() -> AsyncIterator[CDPSession]:
    """Start a throwaway headless Chromium and yield a CDP session on a blank page."""
    profile = Path(tempfile.mkdtemp(prefix="graphiql-chromium-"))
    process = await asyncio.create_subprocess_exec(
        *[
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--metrics-recording-only",
            "--no-default-browser-check",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--window-size=1400,900",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    session: CDPSession | None = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start (exit code {process.returncode})")
            await asyncio.sleep(0.05)
        port, browser_path = port_file.read_text().splitlines()[:2]
        async with websockets.connect(
            f"ws://127.0.0.1:{port}{browser_path}", max_size=None, open_timeout=30
        ) as ws:
            session = CDPSession(ws)
            target = await session.send("Target.createTarget", {"url": "about:blank"})
            attached = await session.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
            )
            session.session_id = attached["sessionId"]
            for domain in ("Page", "Runtime", "Network", "Log"):
                await session.send(f"{domain}.enable")
            yield session
    finally:
        if session is not None:
            await session.close()
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- GraphiQL UI


EXECUTE_BUTTON = ".graphiql-execute-button"
RESULT_TEXT_JS = """(() => {
  const cm = document.querySelector('.result-window .CodeMirror');
  if (cm && cm.CodeMirror) return cm.CodeMirror.getValue();
  const pane = document.querySelector('.graphiql-response');
  return pane ? pane.innerText : '';
})()"""


async def open_graphiql(page: CDPSession, base_url: str, query: str | None = None) -> None:
    """Navigate a browser to ``<base_url>/graphql`` and wait until GraphiQL is ready.

    With *query*, it is preset through ``?query=`` and must show up in the query editor.
    """
    url = f"{base_url}/graphql"
    if query is not None:
        url += f"?query={quote(query, safe='')}"
    await page.send("Page.navigate", {"url": url})
    await page.wait_for(
        f"!!document.querySelector({json.dumps(EXECUTE_BUTTON)}) && !!document.querySelector("
        "'.graphiql-query-editor .CodeMirror')?.CodeMirror"
    )
    if query is not None:
        await page.wait_for(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            f".CodeMirror.getValue() === {json.dumps(query)}"
        )


async def set_headers(page: CDPSession, headers: dict[str, str]) -> None:
    """Open the Headers tab and replace the header editor's content with *headers*."""
    await page.evaluate(
        "document.querySelector('.graphiql-editor-tools button[data-name=\"headers\"]')?.click()"
    )
    value = json.dumps(headers, indent=2)
    await page.wait_for(
        "(() => { const cm = document.querySelector("
        "'.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');"
        f" if (!cm) return false; cm.CodeMirror.setValue({json.dumps(value)});"
        f" return cm.CodeMirror.getValue() === {json.dumps(value)}; }})()"
    )
    # GraphiQL picks editor changes up after a debounce; shouldPersistHeaders then stores
    # them, which tells us the next run will use them.
    await page.wait_for(f"localStorage.getItem('graphiql:headers') === {json.dumps(value)}")


async def set_query(page: CDPSession, query: str) -> None:
    """Replace the query editor's content and wait until GraphiQL has taken it in."""
    await page.evaluate(
        "document.querySelector('.graphiql-query-editor .CodeMirror')"
        f".CodeMirror.setValue({json.dumps(query)})"
    )
    # onEditQuery mirrors the query into the URL once GraphiQL has processed the edit.
    await page.wait_for(
        f"new URLSearchParams(location.search).get('query') === {json.dumps(query)}"
    )


async def run_and_read_result(page: CDPSession, *, contains: str) -> Any:
    """Click the run button with a real mouse event; return the result pane's JSON."""
    box = await page.evaluate(
        f"(() => {{ const r = document.querySelector({json.dumps(EXECUTE_BUTTON)})"
        ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
    )
    for event_type in ("mouseMoved", "mousePressed", "mouseReleased"):
        await page.send(
            "Input.dispatchMouseEvent",
            {"type": event_type, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
        )
    text = await page.wait_for(
        f"(() => {{ const t = {RESULT_TEXT_JS}; return t.includes({json.dumps(contains)})"
        " ? t : ''; })()"
    )
    return json.loads(text)


async def assert_loopback_only(page: CDPSession) -> None:
    """Fail if the browser requested anything outside loopback; require same-origin assets."""
    urls: list[str] = await page.evaluate(
        "performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map(e => e.name)"
    )
    urls += [e["request"]["url"] for e in page.events_named("Network.requestWillBeSent")]
    urls += [e["url"] for e in page.events_named("Network.webSocketCreated")]
    remote = [
        url
        for url in urls
        if not url.startswith(("data:", "blob:", "about:"))
        and urlsplit(url).hostname not in LOOPBACK_HOSTS
    ]
    assert not remote, f"requests left loopback: {remote}"
    asset_paths = {urlsplit(url).path for url in urls}
    for name in graphiql.REQUIRED_ASSETS:
        assert f"{graphiql.ASSETS_PATH}/{name}" in asset_paths, (name, sorted(asset_paths))
    csp = [e for e in page.page_errors() if "Content Security Policy" in e]
    assert not csp, csp


def graphql_post_headers(page: CDPSession) -> list[dict[str, str]]:
    """Headers of every POST the page sent (lower-cased names)."""
    return [
        {k.lower(): v for k, v in e["request"]["headers"].items()}
        for e in page.events_named("Network.requestWillBeSent")
        if e["request"]["method"] == "POST"
    ]


def require_vendor_assets() -> None:
    missing = [n for n in graphiql.REQUIRED_ASSETS if not (graphiql.VENDOR_DIR / n).is_file()]
    assert not missing, (
        f"GraphiQL vendor assets missing from {graphiql.VENDOR_DIR}: {missing}; run `make assets`"
    )


# --------------------------------------------------------------------------- real gateway


@needs_chromium
async def test_graphiql_runs_queries_against_gateway(
    gateway_url: str, make_token: Callable[[str], str]
) -> None:
    require_vendor_assets()
    base = gateway_url.rstrip("/")
    async with chromium_page() as page:
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
    class Subscription:
        @strawberry.subscription
        async def connection_params(self, info: Info) -> AsyncGenerator[str, None]:
            params: Any = info.context.get("connection_params")
            yield "payload=" + __import__("json").dumps(params, sort_keys=True)


    graphql_app = GraphQL(strawberry.Schema(Query, subscription=Subscription), graphql_ide=None)


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def echo_app_url(tmp_path: Path) -> Iterator[str]:
    """Base URL of :data:`DEV_APP` served by uvicorn in a subprocess on loopback."""
    (tmp_path / "graphiql_echo_app.py").write_text(DEV_APP, encoding="utf-8")
    port = _free_port()
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
async def test_subscription_sends_authorization_in_connection_init(echo_app_url: str) -> None:
    require_vendor_assets()
    async with chromium_page() as page:
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
        inits = [
            json.loads(e["response"]["payloadData"])
            for e in page.events_named("Network.webSocketFrameSent")
            if '"connection_init"' in e["response"]["payloadData"]
        ]
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
