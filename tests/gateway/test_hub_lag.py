"""Hub lag in seconds: ``gateway_hub_lag_seconds`` is the age of the oldest event waiting in a
subscriber's queue, by its change's time; 0 once every subscriber has read its events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from gateway.auth import anonymous
from gateway.observability import Metrics
from gateway.realtime.changes import SourceStats
from gateway.realtime.hub import Hub
from gateway.realtime.visibility import ViewerIdentity
from resolvers.live import RowEvent, TicketChangeCriteria, TicketChangeEvent


class _NoSource:
    stats = SourceStats()

    async def run(self, sink: Any) -> None:
        await asyncio.Event().wait()


def lag(metrics: Metrics) -> float:
    text = metrics.render().decode()
    for family in text_string_to_metric_families(text):
        if family.name == "gateway_hub_lag_seconds":
            return float(family.samples[0].value)
    raise AssertionError("no gateway_hub_lag_seconds in /metrics")


async def test_the_lag_is_the_age_of_the_oldest_waiting_event() -> None:
    hub = Hub(db=None, source=_NoSource(), queue_size=10)  # type: ignore[arg-type]
    metrics = Metrics()
    metrics.watch_hub(hub.stats)
    me = ViewerIdentity("manager", None, None)
    reader = hub.open("tickets", me, TicketChangeCriteria(), anonymous())
    idle = hub.open("queues", me, None, anonymous())
    assert lag(metrics) == 0.0
    now = datetime.now(UTC)
    old = TicketChangeEvent(1, "UPDATE", 7, None, True, now - timedelta(seconds=42))
    newer = RowEvent(2, "UPDATE", {"queue": "q"}, now - timedelta(seconds=5))
    hub.offer(reader, old)
    hub.offer(reader, newer)
    hub.offer(idle, newer)
    assert hub.lag_seconds(now) == 42.0
    assert 42.0 <= lag(metrics) < 42.0 + 5  # rendered a moment later, by the clock
    assert await reader.next() is old
    assert hub.lag_seconds(now) == 5.0  # the reader's next and the idle one's are 5 s old
    assert await reader.next() is newer
    assert hub.lag_seconds(now) == 5.0  # the idle subscriber still has not read it
    assert await idle.next() is newer
    assert hub.lag_seconds(now) == 0.0 and lag(metrics) == 0.0
    assert hub.stats()["lagSeconds"] == 0.0
