"""Backlog series at the edges: the backlog at each bucket's end counts a ticket exactly when
backlog_at does (created strictly before the instant, resolved strictly after it, answered at or
before it), unassigned included, against tickets built around hour boundaries to the microsecond.

Expectations: the definitions restated in Python over the tickets below, and the resolver's own
single-instant ``backlog_at`` (analytics.backlog_at) at every bucket end.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from resolver_support import open_database, principal, reference_database
from series_handbuilt import AGENT_A, AGENT_B, MANAGER

from gateway.db import Database
from resolvers.kpi_series import series
from resolvers.kpis import backlog_at

D = datetime(2026, 6, 10, tzinfo=UTC)
H = timedelta(hours=1)
US = timedelta(microseconds=1)

# (created_at, first_response_at, resolved_at, agent): None = no reply / still open / unassigned
TICKETS: list[tuple[datetime, datetime | None, datetime | None, uuid.UUID | None]] = [
    (D - 2 * H, None, None, None),  # open all day, unassigned, never answered
    (D + H, D + 3 * H, D + 5 * H, AGENT_A),  # created, answered and resolved on instants
    (D + 0.5 * H, None, D + 0.75 * H, AGENT_B),  # open between two instants only
    (D + 10.25 * H, D + 12 * H, D + 50 * H, None),  # resolved after the window, unassigned
    (D + 24 * H - US, None, None, AGENT_A),  # created 1 µs before the last instant
    (D + 6 * H + US, D + 7 * H + US, None, AGENT_B),  # 1 µs after an instant (both)
    (D + 7.5 * H, D + 7.75 * H, D + 8 * H + US, None),  # resolved 1 µs after an instant
    (D - 30 * H, None, D + 12 * H, AGENT_B),  # from before the window to an instant
    (D + 30 * H, None, None, AGENT_A),  # created after the window
]


def expected(at: datetime) -> dict[str, int]:
    """The backlog definitions (docs/metrics.md, analytics.backlog_at) at instant ``at``."""
    open_ = [t for t in TICKETS if t[0] < at and (t[2] is None or t[2] > at)]
    return {
        "backlog": len(open_),
        "backlog_unassigned": sum(1 for t in open_ if t[3] is None),
        "backlog_unanswered": sum(1 for t in open_ if t[1] is None or t[1] > at),
    }


@pytest.fixture(scope="module")
async def db(pg_server: str) -> AsyncIterator[Database]:
    columns = [list(c) for c in zip(*TICKETS, strict=True)]
    url = await reference_database(pg_server, "backlog_series", "series_insert_tickets", *columns)
    async with open_database(url) as database:
        yield database


@pytest.mark.parametrize("name", ["backlog", "backlog_unassigned", "backlog_unanswered"])
async def test_backlog_at_each_hour_end(db: Database, name: str) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        points = await series(session, name, D, D + 24 * H, "hour", "UTC")
        snapshots = [await backlog_at(session, p.bucket_end) for p in points]
    finally:
        await session.close()
    ends = [D + k * H for k in range(1, 25)]
    assert [p.bucket_end for p in points] == ends
    want = [expected(at)[name] for at in ends]
    assert [p.n for p in points] == want
    assert [p.value for p in points] == [float(n) if n else None for n in want]
    column = {"backlog": "open", "backlog_unassigned": "unassigned"}.get(name, "unanswered")
    assert [getattr(s, column) for (s,) in snapshots] == want
    assert len(set(want)) >= 2  # the tickets make the counts move


async def test_grouped_by_agent_and_scoped_to_an_agent(db: Database) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        grouped = await series(session, "backlog", D, D + 24 * H, "hour", "UTC", group_by="agent")
        mine = await series(session, "backlog", D, D + 24 * H, "hour", "UTC", agent_id=AGENT_B)
    finally:
        await session.close()
    ends = [D + k * H for k in range(1, 25)]
    keys = sorted({str(t[3]) if t[3] else "none" for t in TICKETS if t[0] < D + 24 * H})
    assert [p.group for p in grouped] == [k for k in keys for _ in ends]
    for p in grouped:
        opened = [t for t in TICKETS if (str(t[3]) if t[3] else "none") == p.group]
        n = sum(1 for t in opened if t[0] < p.bucket_end and (t[2] is None or t[2] > p.bucket_end))
        assert p.n == n, p
    assert {p.group_label for p in grouped if p.group == "none"} == {"unassigned"}
    by_b = [p.n for p in grouped if p.group == str(AGENT_B)]
    assert [p.n for p in mine] == by_b and sum(by_b) > 0
