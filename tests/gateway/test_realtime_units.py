"""Realtime building blocks without a server: the exactly-once cursor, overflow, token lookup."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator
from typing import Any

import pytest
import strawberry
from strawberry.types import ExecutionResult

from gateway.auth import AuthError, anonymous
from gateway.realtime.changes import SourceStats
from gateway.realtime.cursor import ChangeCursor, Snapshot
from gateway.realtime.hub import Hub
from gateway.realtime.sharing import SharedEventExecutor
from gateway.realtime.visibility import ViewerClasses, ViewerIdentity
from gateway.realtime.ws import authorization_from_params
from resolvers.live import SubscriberDropped, TicketChangeCriteria


def snap(xmin: int, xmax: int, *running: int) -> Snapshot:
    return Snapshot(xmin, xmax, frozenset(running))


def test_snapshot_parse() -> None:
    assert Snapshot.parse("10:20:12,15") == snap(10, 20, 12, 15)
    assert Snapshot.parse("7:7:") == snap(7, 7)
    with pytest.raises(ValueError):
        Snapshot.parse("garbage")


def test_in_order_reads_deliver_each_seq_once() -> None:
    c = ChangeCursor.start(0, snap(5, 5))
    step = c.advance(snap(6, 6), [1, 2, 3], truncated=False)
    assert step.deliver == (1, 2, 3) and step.cursor.watermark == 3
    again = step.cursor.advance(snap(6, 6), [], truncated=False)
    assert again.deliver == () and again.cursor.watermark == 3


def test_a_late_commit_below_the_highest_seq_is_delivered_once() -> None:
    # seq 2 belongs to transaction 40, still running when 3 became visible
    c = ChangeCursor.start(1, snap(40, 41))
    c = c.advance(snap(40, 45, 40), [], truncated=False).cursor
    step = c.advance(snap(40, 45, 40), [3], truncated=False)
    assert step.deliver == (3,)
    assert step.cursor.watermark == 1 and dict(step.cursor.gaps) == {2: frozenset({40})}
    again = step.cursor.advance(snap(40, 46, 40), [3], truncated=False)
    assert again.deliver == ()  # 3 is not repeated while 2 is pending
    done = again.cursor.advance(snap(46, 46), [2, 3], truncated=False)
    assert done.deliver == (2,)
    assert done.cursor.watermark == 3 and done.cursor.gaps == () and done.cursor.seen == frozenset()


def test_a_rolled_back_seq_is_given_up_once_its_writers_are_gone() -> None:
    c = ChangeCursor(watermark=10)
    step = c.advance(snap(50, 52, 50, 51), [12], truncated=False)
    assert step.deliver == (12,) and step.cursor.watermark == 10
    # transaction 50 finished (aborted: 11 never showed up); 51 still runs, but 11 is not its
    # ... we cannot know that, so 11 stays pending until 51 is gone too
    step = step.cursor.advance(snap(51, 53, 51), [12], truncated=False)
    assert step.deliver == () and step.cursor.watermark == 10
    step = step.cursor.advance(snap(53, 53), [12], truncated=False)
    assert step.deliver == () and step.cursor.watermark == 12


def test_gaps_without_running_transactions_are_permanent_at_once() -> None:
    step = ChangeCursor(watermark=0).advance(snap(9, 9), [3, 7], truncated=False)
    assert step.deliver == (3, 7) and step.cursor.watermark == 7 and step.cursor.gaps == ()


def test_startup_transactions_are_read_below_the_watermark() -> None:
    # at start the newest row is 100 and transaction 77 runs; it commits seq 95 later
    c = ChangeCursor.start(100, snap(77, 80, 77))
    assert c.startup_xids == [77]
    step = c.advance(snap(77, 81, 77), [101], truncated=False)
    assert step.deliver == (101,) and step.cursor.startup_xids == [77]
    # the read returns 77's rows up to the starting watermark 100 (101 came through seq > W)
    step = step.cursor.advance(snap(81, 81), [95], truncated=False)
    assert step.deliver == (95,)
    assert step.cursor.startup_xids == [] and step.cursor.watermark == 101


def test_startup_rows_are_not_repeated_while_their_transaction_runs() -> None:
    c = ChangeCursor.start(100, snap(77, 80, 77))
    step = c.advance(snap(77, 81, 77, 79), [98], truncated=False)  # 79 still runs: 77 ended
    assert step.deliver == (98,)
    step = ChangeCursor.start(100, snap(77, 80, 77, 78)).advance(snap(77, 81, 77), [98], False)
    again = step.cursor.advance(snap(77, 82, 77), [98], truncated=False)
    assert step.deliver == (98,) and again.deliver == ()


def test_truncated_reads_continue_where_they_stopped() -> None:
    c = ChangeCursor(watermark=0)
    step = c.advance(snap(5, 5), [1, 2], truncated=True)
    assert step.deliver == (1, 2) and step.cursor.watermark == 2
    step = step.cursor.advance(snap(5, 5), [3], truncated=False)
    assert step.deliver == (3,) and step.cursor.watermark == 3


class _NoSource:
    stats = SourceStats()

    async def run(self, sink: Any) -> None:
        await asyncio.Event().wait()


async def test_overflow_drops_the_slow_subscription_with_a_clear_error() -> None:
    hub = Hub(db=None, source=_NoSource(), queue_size=3)  # type: ignore[arg-type]
    me = ViewerIdentity("manager", None, None)
    slow = hub.open("tickets", me, TicketChangeCriteria(), anonymous())
    fast = hub.open("tickets", me, TicketChangeCriteria(), anonymous())
    for i in range(3):
        hub.offer(slow, i)
        hub.offer(fast, i)
        assert await fast.next() == i
    hub.offer(slow, 3)  # the fourth event does not fit: slow is dropped, fast unaffected
    hub.offer(fast, 3)
    with pytest.raises(SubscriberDropped, match="more than 3 events"):
        await slow.next()
    assert await fast.next() == 3
    assert hub.stats()["dropped"] == 1 and hub.subscriptions() == 1


def test_viewer_classes_are_shared_and_released() -> None:
    classes = ViewerClasses()
    agent = ViewerIdentity("agent", uuid.uuid4(), uuid.uuid4())
    first = classes.acquire(agent)
    assert classes.acquire(ViewerIdentity("agent", agent.agent_id, agent.team_id)) == first
    classes.release(first)
    assert len(classes) == 1
    classes.release(first)
    assert len(classes) == 0


@pytest.mark.parametrize(
    ("params", "header"),
    [
        ({"Authorization": "Bearer abc"}, "Bearer abc"),
        ({"authorization": "Bearer abc"}, "Bearer abc"),
        ({"AUTHORIZATION": "bearer abc"}, "bearer abc"),
        ({"token": "abc"}, "Bearer abc"),
        ({"authToken": "Bearer abc"}, "Bearer abc"),
        ({"headers": {"Authorization": "Bearer abc"}}, "Bearer abc"),
        ({}, None),
        (None, None),
    ],
)
def test_token_lookup_in_connection_params(params: Any, header: str | None) -> None:
    assert authorization_from_params(params) == header


def test_non_string_token_is_malformed() -> None:
    with pytest.raises(AuthError) as err:
        authorization_from_params({"Authorization": 42})
    assert err.value.code == "malformed_token"


_CALLS: list[str] = []


@strawberry.type
class _Event:
    shared_results: strawberry.Private[dict[Any, Any] | None]

    @strawberry.field
    def value(self) -> int:
        _CALLS.append("value")
        return 42


_SHARED = _Event(shared_results={})
_PRIVATE = _Event(shared_results=None)


@strawberry.type
class _Query:
    ok: bool = True


@strawberry.type
class _Subscription:
    @strawberry.subscription
    async def events(self, which: str) -> AsyncGenerator[_Event, None]:
        yield _SHARED if which == "shared" else _PRIVATE


async def test_subscribers_of_one_class_share_one_execution() -> None:
    schema = strawberry.Schema(
        query=_Query, subscription=_Subscription, execution_context_class=SharedEventExecutor
    )

    async def first(query: str) -> Any:
        stream = await schema.subscribe(query)
        assert not isinstance(stream, ExecutionResult)
        async for result in stream:
            await stream.aclose()
            return result.data

    shared_q = 'subscription { events(which: "shared") { value } }'
    private_q = 'subscription { events(which: "private") { value } }'
    assert [await first(shared_q) for _ in range(3)] == [{"events": {"value": 42}}] * 3
    assert len(_CALLS) == 1  # three subscribers, one execution
    assert [await first(private_q) for _ in range(2)] == [{"events": {"value": 42}}] * 2
    assert len(_CALLS) == 3  # no shared_results: executed each time
