"""Shared streams without a server: which documents are shared, and the slow-member policy."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from gateway.auth import Principal
from gateway.realtime.fanout import Item, SharedStream, SharedStreams, StreamKey, shareable
from gateway.realtime.transport_ws import MemberRightsSession
from gateway.realtime.visibility import ViewerIdentity


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("subscription { ticketChanged { seq } }", True),
        ("subscription S { a: ticketChanged { seq } alertRaised { id } }", True),
        ("subscription { queueMetrics { depth } }", True),
        ("subscription { dashboardMetrics { created } }", False),  # joiners need the latest
        ("subscription { ticketChanged { seq } dashboardMetrics { created } }", False),
        ("subscription { ...F } fragment F on HubSubscription { ticketChanged { seq } }", False),
        ("query { kpiDefinitions { name } }", False),
        ("subscription { ticketChanged { seq }", False),  # syntax error: strawberry reports it
    ],
)
def test_which_documents_are_shared(document: str, expected: bool) -> None:
    assert shareable(document, None) is expected


def test_an_unknown_operation_name_is_not_shared() -> None:
    assert not shareable("subscription A { ticketChanged { seq } }", "B")


def _principal(exp: int) -> Principal:
    user = uuid.uuid4()
    claims = {"sub": str(user), "role": "authenticated", "app_role": "manager", "exp": exp}
    return Principal(user, "authenticated", "manager", claims, None)


WHO = _principal(2_000_000_000)


def _key() -> StreamKey:
    identity = ViewerIdentity("manager", None, None)
    return StreamKey(identity, "subscription { ticketChanged { seq } }", None, "{}")


def test_a_slow_member_is_dropped_alone_and_the_stream_ends_with_its_last_member() -> None:
    async def scenario() -> None:
        gate = asyncio.Event()

        async def source(stream: SharedStream) -> AsyncIterator[Item]:
            stream.opened()
            try:
                for n in range(5):
                    yield "next", f'{{"n":{n}}}'
                    await asyncio.sleep(0.01)  # the fast member reads in between
                await gate.wait()
            finally:
                stream.closed()

        streams = SharedStreams(queue_size=3)
        fast = streams.join(_key(), source, WHO)
        slow = streams.join(_key(), source, WHO)  # same key: the same stream
        assert fast.stream is slow.stream
        got: list[Item] = []
        for _ in range(5):  # fast reads as events come; slow never reads
            got.append(await asyncio.wait_for(fast.next(), 5))
        assert [v for _, v in got] == [f'{{"n":{n}}}' for n in range(5)]
        assert slow.dropped and streams.dropped == 1
        assert (await slow.next())[0] == "dropped" and slow.queue.empty()
        assert streams.counts() == (1, 2, 2)

        streams.leave(slow)
        streams.leave(fast)  # the last member: the stream stops, its key is forgotten
        assert streams.counts() == (0, 0, 0)
        await asyncio.sleep(0)
        assert streams.hub_subscriptions == 0
        other = streams.join(_key(), source, WHO)  # a new subscriber starts afresh
        assert other.stream is not fast.stream
        streams.leave(other)
        await streams.stop()

    asyncio.run(scenario())


def test_when_the_stream_ends_every_member_gets_the_final_message() -> None:
    async def scenario() -> None:
        async def source(stream: SharedStream) -> AsyncIterator[Item]:
            yield "next", "{}"
            yield "error", [{"message": "bad"}]

        streams = SharedStreams(queue_size=10)
        members = [streams.join(_key(), source, WHO) for _ in range(3)]
        for member in members:
            assert await asyncio.wait_for(member.next(), 5) == ("next", "{}")
            assert await asyncio.wait_for(member.next(), 5) == ("error", [{"message": "bad"}])
        assert streams.counts()[0] == 0  # forgotten: the next subscriber starts a new stream
        for member in members:
            streams.leave(member)

    asyncio.run(scenario())


def test_identity_is_part_of_the_key() -> None:
    a = StreamKey(ViewerIdentity("agent", uuid.uuid4(), None), "q", None, "{}")
    b = StreamKey(ViewerIdentity("agent", uuid.uuid4(), None), "q", None, "{}")
    assert a != b and a == StreamKey(a.identity, "q", None, "{}")


def test_nested_reads_use_the_rights_of_a_current_member() -> None:
    async def scenario() -> None:
        async def source(stream: SharedStream) -> AsyncIterator[Item]:
            await asyncio.Event().wait()
            yield "next", "{}"

        founder, later = _principal(1_900_000_000), _principal(2_100_000_000)
        streams = SharedStreams(queue_size=10)
        first = streams.join(_key(), source, founder)
        second = streams.join(_key(), source, later)
        stream = first.stream
        assert stream.rights(founder) is later  # the token that expires last
        session = MemberRightsSession(None, stream, founder)  # type: ignore[arg-type]
        streams.leave(second)
        assert session.renewed()._principal is founder
        assert stream.rights(founder) is founder
        streams.leave(first)
        await streams.stop()

    asyncio.run(scenario())


def test_a_stream_whose_hub_subscription_closed_is_not_joined_again() -> None:
    async def scenario() -> None:
        async def source(stream: SharedStream) -> AsyncIterator[Item]:
            stream.opened()
            await asyncio.Event().wait()
            yield "next", "{}"

        streams = SharedStreams(queue_size=10)
        member = streams.join(_key(), source, WHO)
        await asyncio.sleep(0)
        assert streams.hub_subscriptions == 1
        member.stream.closed()  # e.g. the hub dropped it: the key is forgotten at once
        assert streams.hub_subscriptions == 0
        assert streams.join(_key(), source, WHO).stream is not member.stream
        await streams.stop()

    asyncio.run(scenario())


def test_long_documents_are_not_remembered() -> None:
    from gateway.realtime.fanout import _shareable_cached

    size = _shareable_cached.cache_info().currsize
    long_doc = "subscription { ticketChanged { seq } }" + " " * 9000
    assert shareable(long_doc, None)
    assert _shareable_cached.cache_info().currsize == size
    assert shareable("subscription { ticketChanged { op } }", None)
    assert _shareable_cached.cache_info().currsize == size + 1
