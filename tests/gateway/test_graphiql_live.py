"""GraphiQL shows a live ``ticketChanged`` stream (issue 4), in a real headless Chromium.

A user's path through the self-hosted GraphiQL of the real gateway (uvicorn, realtime hub on,
over a private seeded database so the SQL changes below disturb no other test): paste
``{"Authorization": "Bearer <agent token>"}`` into the header editor, type the subscription in
the query editor, click the run button. Then tickets are changed with SQL as the database owner
(like ``test_realtime*.py``), and the result pane is polled until it shows each change.

Contracts checked (each event must show within :data:`EVENT_SECONDS`, polled every 0.1 s):

* three subject changes of a ticket assigned to the agent show in the result pane, one after
  the other, with growing ``seq``, ``op`` ``UPDATE``, the ticket's id and its new subject;
* row level security in the browser: a change of a ticket assigned to another agent is never
  shown in the pane, nor even received by the browser (CDP websocket frames), although a
  later change of a visible ticket is;
* the header editor's ``Authorization`` travels in the ``connection_init`` payload of a
  websocket to ``ws://127.0.0.1:<port>/graphql``; the run button (now "stop") ends the
  subscription on the server;
* a refused token (bad signature, expired) shows the server's ``4403`` close code and reason
  in the result pane, without GraphiQL retrying the connection first;
* no request left loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    RESULT_TEXT_JS,
    Browser,
    CDPSession,
    assert_loopback_only,
    click_run,
    needs_chromium,
    open_graphiql,
    require_vendor_assets,
    set_headers,
    set_query,
    start_browser,
    wait_for_result,
    ws_frames,
)
from rt_support import RtEnv, build_database, serve

from gateway.auth import mint_token
from gateway.settings import Settings

pytestmark = needs_chromium

SUBSCRIPTION = "subscription { ticketChanged { seq op ticketId ticket { id subject status } } }"
#: Deadline for one event to show in the result pane (seconds; typically well under one).
EVENT_SECONDS = 15.0
#: Deadline for the server to register (or drop) the browser's subscription.
SUBSCRIBE_SECONDS = 30.0

# Every distinct text the result pane shows, recorded in the page as it changes.
RECORD_PANE_JS = f"""(() => {{
  window.__pane = [];
  const record = () => {{
    const t = {RESULT_TEXT_JS};
    if (t && window.__pane[window.__pane.length - 1] !== t) window.__pane.push(t);
  }};
  new MutationObserver(record).observe(document.getElementById('graphiql'),
    {{subtree: true, childList: true, characterData: true}});
  return true;
}})()"""


@pytest.fixture(scope="module")
def env(pg_server: str, gateway_settings: Settings) -> Iterator[RtEnv]:
    dsn = build_database(
        pg_server,
        f"graphiql_live_{os.getpid()}_{uuid.uuid4().hex[:6]}",
        tickets=400,
        days=14,
        seed=5,
    )
    with serve(gateway_settings, dsn) as rt:
        yield rt


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole module."""
    with start_browser() as running:
        yield running


async def subscribe_in_graphiql(page: CDPSession, env: RtEnv, token: str) -> None:
    """Open GraphiQL, enter the token and the subscription as a user does, and run it."""
    await open_graphiql(page, env.url)
    await page.evaluate(RECORD_PANE_JS)
    await set_headers(page, {"Authorization": f"Bearer {token}"})
    await set_query(page, SUBSCRIPTION)
    await click_run(page)


async def wait_until_subscriptions(env: RtEnv, count: int) -> None:
    """Poll the hub's stats until it counts at most *count* subscriptions."""
    deadline = time.monotonic() + SUBSCRIBE_SECONDS
    while (stats := await env.stats())["subscriptions"] > count:
        if time.monotonic() > deadline:
            raise AssertionError(f"subscriptions stayed above {count}: {stats}")
        await asyncio.sleep(0.1)


def pane_changes(history: list[str]) -> list[dict[str, Any]]:
    """The ``ticketChanged`` objects among the result pane's successive texts."""
    changes = []
    for text in history:
        try:
            data = json.loads(text).get("data") or {}
        except ValueError:
            continue
        if data.get("ticketChanged"):
            changes.append(data["ticketChanged"])
    return changes


async def test_graphiql_shows_live_ticket_changes_the_agent_may_see(
    browser: Browser, env: RtEnv
) -> None:
    require_vendor_assets()
    tickets = await env.owner("rt_tickets")
    agent = next(
        u
        for u in env.of_role("agent")
        if u.agent_id is not None and any(t["assigned_agent_id"] == u.agent_id for t in tickets)
    )
    # The README's rule, independently of the database's: an agent sees tickets assigned to them.
    visible = next(t["id"] for t in tickets if t["assigned_agent_id"] == agent.agent_id)
    hidden = next(
        t["id"]
        for t in tickets
        if t["assigned_agent_id"] not in (None, agent.agent_id) and t["team_id"] != agent.team_id
    )
    tag = uuid.uuid4().hex[:8]
    token = env.token(agent)
    async with browser.page() as page:
        before = (await env.stats())["subscriptions"]
        await subscribe_in_graphiql(page, env, token)
        await env.wait_stats("subscriptions", before + 1, within=SUBSCRIBE_SECONDS)

        subjects = [f"GraphiQL live {n} {tag}" for n in (1, 2, 3)]
        for subject in subjects:
            await env.owner("graphiql_set_subject", visible, subject)
            text = await wait_for_result(page, contains=subject, seconds=EVENT_SECONDS)
            change = json.loads(text)["data"]["ticketChanged"]
            assert change["op"] == "UPDATE" and change["ticketId"] == str(visible), change
            assert change["ticket"]["id"] == str(visible), change
            assert change["ticket"]["subject"] == subject, change

        # RLS: the other agent's ticket changes first, then a visible one; only the latter shows.
        secret_subject = f"GraphiQL hidden {tag}"
        after_subject = f"GraphiQL after hidden {tag}"
        await env.owner("graphiql_set_subject", hidden, secret_subject)
        await env.owner("graphiql_set_subject", visible, after_subject)
        await wait_for_result(page, contains=after_subject, seconds=EVENT_SECONDS)

        history: list[str] = await page.evaluate("window.__pane")
        shown = pane_changes(history)
        assert [c["ticket"]["subject"] for c in shown] == [*subjects, after_subject], history
        seqs = [int(c["seq"]) for c in shown]
        assert seqs == sorted(set(seqs)), seqs
        assert not any(secret_subject in text for text in history)
        received = ws_frames(page, "Received")
        assert not any(secret_subject in json.dumps(f) for f in received)
        assert {
            f["payload"]["data"]["ticketChanged"]["ticketId"]
            for f in received
            if f.get("type") == "next"
        } == {str(visible)}

        # The token went in connection_init, over a loopback websocket to /graphql.
        inits = [f for f in ws_frames(page, "Sent") if f.get("type") == "connection_init"]
        assert inits == [
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        ]
        sockets = {e["url"] for e in page.events_named("Network.webSocketCreated")}
        assert sockets == {env.ws_url}, sockets

        # The run button is now a stop button: clicking it ends the subscription server-side.
        await click_run(page)
        await wait_until_subscriptions(env, before)

        await assert_loopback_only(page)
        assert not page.events_named("Runtime.exceptionThrown"), page.page_errors()


@pytest.mark.parametrize(
    ("kind", "reason"), [("wrong secret", "invalid signature"), ("expired", "token expired")]
)
async def test_graphiql_shows_a_refused_token(
    browser: Browser, env: RtEnv, kind: str, reason: str
) -> None:
    require_vendor_assets()
    agent = env.of_role("agent")[0]
    secret = "not-the-project-secret-" * 2 if kind == "wrong secret" else env.secret
    ttl = -3600 if kind == "expired" else 3600
    token = mint_token(secret, user_id=agent.user_id, app_role=agent.app_role, ttl_seconds=ttl)
    async with browser.page() as page:
        started = time.monotonic()
        await subscribe_in_graphiql(page, env, token)
        text = await wait_for_result(page, contains="4403", seconds=EVENT_SECONDS)
        elapsed = time.monotonic() - started
        message = f"Socket closed with event 4403 {reason}"
        assert [e["message"] for e in json.loads(text)["errors"]] == [message], text
        # visible on screen, not just in the editor's model
        assert await page.evaluate(
            "(() => { const pane = document.querySelector('.result-window');"
            " const box = pane.getBoundingClientRect();"
            " return box.width > 0 && box.height > 0"
            f" && pane.innerText.includes({json.dumps(message)}); }})()"
        ), text
        # shown at once: one refused connection, no retries (graphql-ws would retry 5 times)
        assert len(page.events_named("Network.webSocketCreated")) == 1
        assert elapsed < EVENT_SECONDS
        await assert_loopback_only(page)
