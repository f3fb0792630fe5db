"""The gateway with ``REALTIME_SOURCE=supabase``: settings to hub to a GraphQL subscriber.

The gateway runs for real (uvicorn, the hub, the seeded embedded Postgres); Supabase Realtime is
the fake Phoenix server of ``realtime_fake.py`` on 127.0.0.1 (``SUPABASE_URL`` points at it). The
idle poll is a minute, so the change reaches the subscriber because the fake server pushed its
event.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from realtime_fake import FakeRealtime
from rt_support import TICKET_CHANGED, RtEnv, WsClient, build_database, change_of, serve

from gateway.settings import Settings

pytestmark = pytest.mark.filterwarnings(
    "ignore:ConnectionClosed.code is deprecated:DeprecationWarning"
)

KEY = "service-role-key-of-the-test-project"


@pytest.fixture(scope="module")
def small_dsn(pg_server: str) -> str:
    return build_database(
        pg_server, f"rt_supabase_app_{uuid.uuid4().hex[:8]}", tickets=40, days=3, seed=11
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeRealtime]:
    server = FakeRealtime(api_key=KEY)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_gateway_subscriber_gets_a_change_woken_by_supabase_realtime(
    small_dsn: str, gateway_settings: Settings, fake: FakeRealtime
) -> None:
    settings = gateway_settings.with_overrides(
        realtime_source="supabase",
        supabase_url=fake.project_url,
        supabase_realtime_key=KEY,
        realtime_idle_poll_seconds=60.0,
    )
    served = serve(settings, small_dsn)
    # the gateway runs in its own thread; this loop answers as Realtime meanwhile
    env: RtEnv = await asyncio.to_thread(served.__enter__)
    try:
        [join] = await fake.wait_joined(1)
        assert join.payload["access_token"] == KEY
        client = await WsClient.connect(env, env.token(env.of_role("manager")[0]))
        before = (await env.stats())["subscriptions"]
        await client.subscribe(TICKET_CHANGED)
        await env.wait_stats("subscriptions", before + 1)

        ticket = (await env.owner("rt_tickets"))[0]
        priority = "urgent" if ticket["priority"] != "urgent" else "low"
        await env.owner("rt_set_priority", ticket["id"], priority)
        [seq] = [r["seq"] for r in await env.owner("rtsb_newest_seq")]
        await fake.push_insert({"seq": seq})
        [payload] = await client.collect(1, within=10)
        assert change_of(payload) == ("UPDATE", str(ticket["id"]), False)
        assert payload["data"]["ticketChanged"]["ticket"]["priority"] == priority.upper()
        assert await client.quiet(0.3) == []  # once
        source = (await env.stats())["source"]  # /realtime/stats shows the Realtime counters
        assert source["realtime_subscribed"] == 1 and source["realtime_events"] >= 1
        await client.close()
    finally:
        await asyncio.to_thread(served.__exit__, None, None, None)
