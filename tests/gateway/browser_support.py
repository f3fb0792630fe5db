"""Headless Chromium for the GraphiQL tests, driven over the Chrome DevTools Protocol (CDP).

The browser is Debian's ``/usr/bin/chromium``, driven with the ``websockets`` package: it is
started with ``--remote-debugging-port=0``, the port is read from
``<profile>/DevToolsActivePort``, and each page is a target in its own browser context (fresh
localStorage) attached with ``flatten=true`` over its own CDP connection. No
selenium/playwright, no browser downloads. Browser tests are skipped only when
``/usr/bin/chromium`` is absent.

One browser process per test module (:func:`start_browser`, used by a module-scoped fixture);
one page per test (:meth:`Browser.page`). The helpers below drive GraphiQL the way a user does
(the header editor, the query editor, a real mouse click on the run button) and read what its
result pane shows. Every wait polls with a deadline; none sleeps blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import websockets

from gateway import graphiql

CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: Default deadline of a wait (seconds): generous, for a slow machine shared with benchmarks.
WAIT_SECONDS = 30.0

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
        reply = await asyncio.wait_for(future, timeout=WAIT_SECONDS)
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

    async def wait_for(self, expression: str, *, seconds: float = WAIT_SECONDS) -> Any:
        """Poll *expression* until it is truthy; return its value or fail with a clear error."""
        deadline = time.monotonic() + seconds
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out after {seconds} s waiting for {expression!r};"
                    f" page errors: {self.page_errors()}"
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


class Browser:
    """A running headless Chromium, reachable at its CDP websocket URL."""

    def __init__(self, cdp_url: str) -> None:
        self.cdp_url = cdp_url

    @contextlib.asynccontextmanager
    async def page(self) -> AsyncIterator[CDPSession]:
        """A blank page in a fresh browser context, on its own CDP connection."""
        async with websockets.connect(self.cdp_url, max_size=None, open_timeout=30) as ws:
            session = CDPSession(ws)
            context: dict[str, Any] = {}
            try:
                context = await session.send("Target.createBrowserContext")
                target = await session.send(
                    "Target.createTarget",
                    {"url": "about:blank", "browserContextId": context["browserContextId"]},
                )
                attached = await session.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
                )
                session.session_id = attached["sessionId"]
                for domain in ("Page", "Runtime", "Network", "Log"):
                    await session.send(f"{domain}.enable")
                yield session
            finally:
                if context:  # closes its pages (and their websockets) too
                    with contextlib.suppress(CDPError, TimeoutError, websockets.ConnectionClosed):
                        await session.send("Target.disposeBrowserContext", context)
                await session.close()


@contextlib.contextmanager
def start_browser() -> Iterator[Browser]:
    """Start a throwaway headless Chromium (its own profile folder); stop it afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="graphiql-chromium-"))
    process = subprocess.Popen(
        [
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
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + WAIT_SECONDS
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start (exit code {process.poll()})")
            time.sleep(0.05)
        port, browser_path = port_file.read_text().splitlines()[:2]
        yield Browser(f"ws://127.0.0.1:{port}{browser_path}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- GraphiQL UI


EXECUTE_BUTTON = ".graphiql-execute-button"
HEADERS_TAB = '.graphiql-editor-tools button[data-name="headers"]'
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT_TEXT_JS = """(() => {
  const cm = document.querySelector('.result-window .CodeMirror');
  if (cm && cm.CodeMirror) return cm.CodeMirror.getValue();
  const pane = document.querySelector('.graphiql-response');
  return pane ? pane.innerText : '';
})()"""


def require_vendor_assets() -> None:
    missing = [n for n in graphiql.REQUIRED_ASSETS if not (graphiql.VENDOR_DIR / n).is_file()]
    assert not missing, (
        f"GraphiQL vendor assets missing from {graphiql.VENDOR_DIR}: {missing}; run `make assets`"
    )


async def open_graphiql(page: CDPSession, base_url: str, query: str | None = None) -> None:
    """Navigate a browser to ``<base_url>/graphql`` and wait until GraphiQL is ready.

    With *query*, it is preset through ``?query=`` and must show up in the query editor.
    """
    url = f"{base_url}/graphql"
    if query is not None:
        url += f"?query={quote(query, safe='')}"
    await page.send("Page.navigate", {"url": url})
    await page.wait_for(
        f"!!document.querySelector({json.dumps(EXECUTE_BUTTON)})"
        f" && !!document.querySelector({json.dumps(QUERY_EDITOR)})?.CodeMirror"
    )
    if query is not None:
        await page.wait_for(
            f"document.querySelector({json.dumps(QUERY_EDITOR)})"
            f".CodeMirror.getValue() === {json.dumps(query)}"
        )


async def click(page: CDPSession, selector: str) -> None:
    """Click the middle of the element *selector* with real mouse events."""
    box = await page.wait_for(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
        " const r = e.getBoundingClientRect(); if (!r.width || !r.height) return null;"
        " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
    )
    for event_type in ("mouseMoved", "mousePressed", "mouseReleased"):
        await page.send(
            "Input.dispatchMouseEvent",
            {"type": event_type, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1},
        )


async def type_into_editor(page: CDPSession, selector: str, text: str) -> None:
    """Replace a GraphiQL (CodeMirror) editor's content the way a user does.

    Click into it, select everything with Ctrl+A, then type *text* (``Input.insertText``:
    the editor receives it as typed or pasted input, without bracket auto-closing); wait
    until the editor holds exactly *text*.
    """
    cm = f"document.querySelector({json.dumps(selector)})"
    await click(page, selector)
    await page.wait_for(f"{cm}.classList.contains('CodeMirror-focused')")
    for event_type in ("rawKeyDown", "keyUp"):
        await page.send(
            "Input.dispatchKeyEvent",
            {
                "type": event_type,
                "modifiers": 2,  # Ctrl
                "key": "a",
                "code": "KeyA",
                "windowsVirtualKeyCode": 65,
            },
        )
    await page.wait_for(
        f"{cm}.CodeMirror.getSelection() === {cm}.CodeMirror.getValue() ? 'selected' : ''"
    )
    await page.send("Input.insertText", {"text": text})
    await page.wait_for(f"{cm}.CodeMirror.getValue() === {json.dumps(text)}")


async def set_headers(page: CDPSession, headers: dict[str, str]) -> None:
    """Open the Headers tab and type *headers* (one line of JSON) into the header editor."""
    await click(page, HEADERS_TAB)
    value = json.dumps(headers)
    await type_into_editor(page, HEADERS_EDITOR, value)
    # GraphiQL picks editor changes up after a debounce; shouldPersistHeaders then stores
    # them, which tells us the next run will use them.
    await page.wait_for(f"localStorage.getItem('graphiql:headers') === {json.dumps(value)}")


async def set_query(page: CDPSession, query: str) -> None:
    """Type *query* into the query editor and wait until GraphiQL has taken it in."""
    await type_into_editor(page, QUERY_EDITOR, query)
    # onEditQuery mirrors the query into the URL once GraphiQL has processed the edit.
    await page.wait_for(
        f"new URLSearchParams(location.search).get('query') === {json.dumps(query)}"
    )


async def click_run(page: CDPSession) -> None:
    """Click GraphiQL's run button (a stop button while a subscription runs)."""
    await click(page, EXECUTE_BUTTON)


async def wait_for_result(page: CDPSession, *, contains: str, seconds: float = WAIT_SECONDS) -> str:
    """Poll the result pane until its text contains *contains*; return that text."""
    text: str = await page.wait_for(
        f"(() => {{ const t = {RESULT_TEXT_JS}; return t.includes({json.dumps(contains)})"
        " ? t : ''; })()",
        seconds=seconds,
    )
    return text


async def run_and_read_result(page: CDPSession, *, contains: str) -> Any:
    """Click the run button; return the result pane's JSON once it contains *contains*."""
    await click_run(page)
    return json.loads(await wait_for_result(page, contains=contains))


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


def ws_frames(page: CDPSession, direction: str) -> list[dict[str, Any]]:
    """JSON websocket frames the page ``"Sent"`` or ``"Received"``, in order."""
    frames = []
    for event in page.events_named(f"Network.webSocketFrame{direction}"):
        with contextlib.suppress(ValueError):
            frames.append(json.loads(event["response"]["payloadData"]))
    return frames
