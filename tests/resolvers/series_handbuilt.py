"""The hand-built data set of the series bucket tests: twenty tickets around the DST changes of
Paris and New York, in a database of their own (nothing else in it), and the helpers the bucket
and request tests share.

Expectations are computed independently of the SQL: bucket instants are written out by hand for
the DST days, and counts come from grouping the test tickets by their zoneinfo local date (or
local hour and UTC offset) in Python, not from ranges.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from resolver_support import open_database, principal, reference_database

from gateway.db import Database
from resolvers.kpi_series import SeriesFigure, series

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
AGENT_A = uuid.UUID("00000000-0000-0000-0000-0000000000a2")
AGENT_B = uuid.UUID("00000000-0000-0000-0000-0000000000b2")
USER_A = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
MANAGER = uuid.UUID("00000000-0000-0000-0000-0000000000c1")
H = timedelta(hours=1)


def local(
    zone: ZoneInfo, y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0
) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=zone, fold=fold).astimezone(UTC)


def z(text: str) -> datetime:
    """A UTC instant written out by hand, e.g. ``z("2026-03-28T23:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (created_at, first response minutes or None, agent)
TICKETS: list[tuple[datetime, int | None, uuid.UUID]] = [
    # Paris, clocks forward on Sunday 2026-03-29 at 02:00
    (local(PARIS, 2026, 3, 28, 12, 0), 30, AGENT_A),
    (local(PARIS, 2026, 3, 28, 23, 59), 10, AGENT_B),
    (local(PARIS, 2026, 3, 29, 0, 30), 45, AGENT_A),  # 2026-03-28T23:30Z: a Sunday ticket
    (local(PARIS, 2026, 3, 29, 3, 30), None, AGENT_B),
    (local(PARIS, 2026, 3, 29, 23, 30), 20, AGENT_A),
    (local(PARIS, 2026, 3, 30, 0, 30), 60, AGENT_B),  # 2026-03-29T22:30Z: a Monday ticket
    # Paris, clocks back on Sunday 2026-10-25 at 03:00 (02:00-03:00 happens twice)
    (local(PARIS, 2026, 10, 24, 0, 30), 5, AGENT_A),
    (local(PARIS, 2026, 10, 25, 0, 30), 15, AGENT_A),  # 2026-10-24T22:30Z
    (local(PARIS, 2026, 10, 25, 2, 30, fold=0), 25, AGENT_B),  # 00:30Z, summer time
    (local(PARIS, 2026, 10, 25, 2, 30, fold=1), None, AGENT_A),  # 01:30Z, winter time
    (local(PARIS, 2026, 10, 25, 23, 30), 35, AGENT_B),
    (local(PARIS, 2026, 10, 26, 0, 30), 45, AGENT_A),  # 2026-10-25T23:30Z
    # New York, clocks forward on 2026-03-08 and back on 2026-11-01
    (local(NEW_YORK, 2026, 3, 7, 23, 30), 12, AGENT_A),
    (local(NEW_YORK, 2026, 3, 8, 0, 30), 14, AGENT_A),
    (local(NEW_YORK, 2026, 3, 8, 3, 30), 16, AGENT_B),
    (local(NEW_YORK, 2026, 3, 9, 0, 30), 18, AGENT_B),
    (local(NEW_YORK, 2026, 10, 31, 23, 30), 7, AGENT_A),
    (local(NEW_YORK, 2026, 11, 1, 1, 30, fold=0), 9, AGENT_A),
    (local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1), 11, AGENT_B),
    (local(NEW_YORK, 2026, 11, 2, 0, 30), None, AGENT_B),
]


@asynccontextmanager
async def handbuilt_database(pg_server: str) -> AsyncIterator[Database]:
    """A new database with the reference rows and :data:`TICKETS` only, open as a pool."""
    url = await reference_database(
        pg_server,
        "time_series",
        "time_insert_tickets",
        [c for c, _, _ in TICKETS],
        [None if m is None else c + timedelta(minutes=m) for c, m, _ in TICKETS],
        [a for _, _, a in TICKETS],
    )
    async with open_database(url) as database:
        yield database


Run = Callable[..., Awaitable[Any]]


def runner(db: Database) -> Run:
    """``await run(fn, *args, as_user=MANAGER, role="manager")``: ``fn(session, *args)``."""

    async def call(
        fn: Callable[..., Awaitable[Any]],
        *args: Any,
        as_user: uuid.UUID = MANAGER,
        role: str = "manager",
    ) -> Any:
        session = db.session(principal(as_user, role))
        try:
            return await fn(session, *args)
        finally:
            await session.close()

    return call


async def volume(run: Run, *args: Any, **kwargs: Any) -> list[SeriesFigure]:
    """The ticket_volume series of ``run``'s session: ``(from, to, granularity, timezone)``."""
    points: list[SeriesFigure] = await run(series, "ticket_volume", *args, **kwargs)
    return points


def expected_by_day(
    zone: ZoneInfo, lo: datetime, hi: datetime, agent: uuid.UUID | None = None
) -> Counter[date]:
    """Tickets in [lo, hi) per zoneinfo local date (an independent grouping)."""
    return Counter(
        c.astimezone(zone).date()
        for c, _, a in TICKETS
        if lo <= c < hi and (agent is None or a == agent)
    )


def check_counts(points: Sequence[SeriesFigure], counts: Sequence[int]) -> None:
    assert [p.n for p in points] == list(counts)
    assert [p.value for p in points] == [float(n) if n else None for n in counts]


def expected_by_hour(zone: ZoneInfo, lo: datetime, hi: datetime) -> Counter[str]:
    """Tickets per local wall-clock hour *and* UTC offset, labelled like the API."""
    out: Counter[str] = Counter()
    for c, _, _ in TICKETS:
        if lo <= c < hi:
            wall = c.astimezone(zone).replace(minute=0, second=0, microsecond=0)
            out[wall.isoformat(timespec="minutes")] += 1
    return out
