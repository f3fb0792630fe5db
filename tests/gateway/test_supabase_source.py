"""The Supabase Realtime change source: Realtime only wakes the change-log reader up.

Real parts: the embedded Postgres with the migrated change log, the ``realtime`` package's client,
the reader shared with the LISTEN source. Hosted Realtime cannot run here: a fake server on
127.0.0.1 (``realtime_fake.py``) speaks the Phoenix channel protocol as the package expects it,
driven by the tests, so the adapter is tested against the protocol contract.

The idle poll is set to a minute (except where the poll is the point), so a change that arrives
was read because of a Realtime event or (re)subscription.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import asyncpg
import jwt
import pytest
from realtime_fake import FakeRealtime
from testkit import create_database, tq

from gateway.app import create_app
from gateway.migrate import migrate
from gateway.realtime.changes import Change
from gateway.realtime.supabase_source import RealtimeConfigError, SupabaseChangeSource
from gateway.settings import Settings, load_settings, realtime_url

# realtime 2.x logs ``e.code`` of a lost connection, deprecated by websockets 15: as an error
# (pytest -W error) it would kill the package's reader task before it reports the loss (the
# source notices that too, by its state check, but the tests follow the production path)
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConnectionClosed.code is deprecated:DeprecationWarning"
)

KEY = "service-role-key-of-the-test-project"
LONG = 60.0  # idle poll: longer than any test


@pytest.fixture(scope="module")
def log_dsn(pg_server: str) -> str:
    """A migrated database (the change log is all these tests need)."""

    async def build() -> str:
        dsn = await create_database(pg_server, f"rt_supabase_{uuid.uuid4().hex[:8]}")
        await migrate(dsn)
        return dsn

    return asyncio.run(build())


@pytest.fixture
async def fake() -> AsyncIterator[FakeRealtime]:
    server = FakeRealtime(api_key=KEY)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class Running:
    """A source running against the fake server, recording what reaches its sink."""

    source: SupabaseChangeSource
    dsn: str
    seqs: list[int] = field(default_factory=list)
    batches: int = 0

    async def sink(self, batch: Sequence[Change]) -> None:
        self.seqs.extend(c.seq for c in batch)
        self.batches += 1

    async def commit(self, count: int = 1) -> list[int]:
        """``count`` change log rows, each committed on its own (their seqs)."""
        conn = await asyncpg.connect(self.dsn)
        try:
            return [await conn.fetchval(tq("rtsb_log_insert"), i) for i in range(count)]
        finally:
            await conn.close()

    async def wait_seqs(self, expected: list[int], within: float = 10.0) -> None:
        """Poll until the sink holds exactly ``expected`` (more, or a timeout, fails)."""
        deadline = time.monotonic() + within
        while self.seqs != expected:
            assert self.seqs == expected[: len(self.seqs)], (self.seqs, expected)
            if time.monotonic() > deadline:
                raise AssertionError(f"got {self.seqs}, expected {expected}")
            await asyncio.sleep(0.01)

    async def settled(self) -> None:
        """Subscribed, and the reader waits with no wake-up pending."""
        deadline = time.monotonic() + 10
        while not self.source.stats.extra["realtime_subscribed"]:
            assert time.monotonic() < deadline, "not subscribed"
            await asyncio.sleep(0.01)
        assert await self.source.wait_idle(10)


@pytest.fixture
async def running(log_dsn: str, fake: FakeRealtime) -> AsyncIterator[Running]:
    source = SupabaseChangeSource(
        log_dsn,
        realtime_url=fake.realtime_url,
        api_key=KEY,
        idle_poll_seconds=LONG,
        backoff_initial=0.05,
        backoff_max=0.2,
        join_timeout=5,
        check_seconds=0.5,
    )
    run = Running(source, log_dsn)
    task = asyncio.create_task(source.run(run.sink))
    try:
        assert await source.wait_ready(10)
        await run.settled()
        yield run
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_change_arrives_on_the_realtime_event_and_not_before(
    running: Running, fake: FakeRealtime
) -> None:
    [join] = await fake.wait_joined(1)
    # the join the package sends: the postgres_changes binding and the gateway's own token
    assert join.topic == "realtime:support-gateway-changes"
    assert join.payload["config"]["postgres_changes"] == [
        {"event": "INSERT", "schema": "public", "table": "support_change_log"}
    ]
    assert join.payload["access_token"] == KEY
    assert fake.heartbeats >= 1

    statements = running.source.stats.statements
    [seq] = await running.commit()
    await asyncio.sleep(0.5)  # an assertion window, not synchronisation: nothing may arrive
    assert running.seqs == []
    assert running.source.stats.statements == statements  # no read without a wake-up

    assert await fake.push_insert({"seq": seq}) == 1
    await running.wait_seqs([seq])
    assert running.source.stats.extra["realtime_events"] == 1


async def test_a_realtime_disconnect_loses_nothing_and_duplicates_nothing(
    running: Running, fake: FakeRealtime
) -> None:
    [first] = await running.commit()
    await fake.push_insert({"seq": first})
    await running.wait_seqs([first])

    fake.down = True  # refuse reconnections until the test says so
    await fake.drop_all()
    deadline = time.monotonic() + 10
    while running.source.stats.extra["realtime_subscribed"]:
        assert time.monotonic() < deadline, "the lost connection went unnoticed"
        await asyncio.sleep(0.01)
    meanwhile = await running.commit(5)  # no Realtime, no poll: these wait
    while fake.refused < 2:  # it keeps trying (with backoff) while Realtime is down
        assert time.monotonic() < deadline, "no reconnection attempts"
        await asyncio.sleep(0.01)
    assert running.seqs == [first]

    fake.down = False
    await fake.wait_joined(1)
    # the resubscription's read brings what was committed meanwhile: once, in order
    await running.wait_seqs([first, *meanwhile])
    assert running.source.stats.extra["realtime_subscribes"] == 2
    assert running.source.stats.reconnects == 0  # the reading connection was never touched

    # late events for all of them (as a replay after reconnecting could send): nothing repeats
    await running.settled()
    reads = running.source.stats.statements
    for seq in [first, *meanwhile]:
        await fake.push_insert({"seq": seq})
    deadline = time.monotonic() + 10
    while running.source.stats.extra["realtime_events"] < 7:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert await running.source.wait_idle(10)
    assert running.source.stats.statements > reads  # they did wake the reader up
    assert running.seqs == [first, *meanwhile]


async def test_missed_and_duplicated_events_neither_lose_nor_repeat_changes(
    running: Running, fake: FakeRealtime
) -> None:
    seqs = await running.commit(3)
    await fake.push_insert({"seq": seqs[0]})  # the events of the other two are lost
    await running.wait_seqs(seqs)

    [later] = await running.commit()
    for _ in range(3):  # its event three times, and an event about an old row
        await fake.push_insert({"seq": later})
    await fake.push_insert({"seq": seqs[1]})
    await running.wait_seqs([*seqs, later])
    deadline = time.monotonic() + 10
    while running.source.stats.extra["realtime_events"] < 5:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert await running.source.wait_idle(10)
    assert running.seqs == [*seqs, later]


async def test_without_any_event_the_idle_poll_still_delivers(
    log_dsn: str, fake: FakeRealtime
) -> None:
    source = SupabaseChangeSource(
        log_dsn, realtime_url=fake.realtime_url, api_key=KEY, idle_poll_seconds=0.2
    )
    run = Running(source, log_dsn)
    task = asyncio.create_task(source.run(run.sink))
    try:
        assert await source.wait_ready(10)
        seqs = await run.commit(2)  # Realtime never tells
        await run.wait_seqs(seqs)
        assert source.stats.extra["realtime_events"] == 0
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_settings_select_the_supabase_source() -> None:
    s = load_settings(
        {
            "REALTIME_SOURCE": "supabase",
            "SUPABASE_URL": "https://abcdefgh.supabase.co/",
            "SUPABASE_REALTIME_KEY": KEY,
            "REALTIME_IDLE_POLL_SECONDS": "5",
        }
    )
    assert (s.realtime_source, s.supabase_realtime_key) == ("supabase", KEY)
    assert s.supabase_realtime_url == "wss://abcdefgh.supabase.co/realtime/v1"
    assert s.realtime_idle_poll_seconds == 5.0
    assert load_settings({}).realtime_source == "postgres"
    assert realtime_url("http://127.0.0.1:54321") == "ws://127.0.0.1:54321/realtime/v1"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REALTIME_SOURCE": "kafka"}, "REALTIME_SOURCE must be one of postgres, supabase"),
        ({"REALTIME_IDLE_POLL_SECONDS": "0"}, "must be positive"),
        ({"SUPABASE_URL": "abcdefgh.supabase.co", "REALTIME_SOURCE": "supabase"}, "http"),
    ],
)
def test_bad_realtime_settings_are_rejected(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env).supabase_realtime_url  # noqa: B018


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "needs SUPABASE_URL and SUPABASE_REALTIME_KEY"),
        ({"supabase_url": "https://x.supabase.co"}, "needs SUPABASE_REALTIME_KEY"),
        ({"supabase_realtime_key": KEY}, "needs SUPABASE_URL "),
        (
            {
                "supabase_url": "https://x.supabase.co",
                "supabase_realtime_key": jwt.encode({"role": "anon"}, "k" * 40, "HS256"),
            },
            "role 'anon'",
        ),
    ],
)
def test_startup_fails_clearly_without_the_supabase_settings(
    overrides: dict[str, str], message: str
) -> None:
    settings = Settings(realtime_source="supabase").with_overrides(**overrides)
    started = time.monotonic()
    with pytest.raises(RealtimeConfigError, match=message):
        create_app(settings, "postgresql://127.0.0.1:1/none")
    assert time.monotonic() - started < 2  # at once, no connection attempted


async def test_migration_publishes_the_change_log_when_supabase_realtime_exists(
    pg_server: str,
) -> None:
    dsn = await create_database(pg_server, f"rt_publication_{uuid.uuid4().hex[:8]}")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(tq("rtsb_create_publication"))
        await migrate(dsn)
        tables = [r["name"] for r in await conn.fetch(tq("rtsb_publication_tables"))]
        assert tables == ["public.support_change_log"]
    finally:
        await conn.close()


async def test_migration_is_a_no_op_without_the_publication(log_dsn: str) -> None:
    conn = await asyncpg.connect(log_dsn)
    try:
        assert await conn.fetch(tq("rtsb_publication_tables")) == []
    finally:
        await conn.close()
