"""Business time: the minute-by-minute reference walk, and the SQL functions checked against hand
computations and against that walk.

Calendars (tests/queries/time_reference.sql):
  1 Paris Mon-Fri 09:00-18:00, closed Wed 2026-11-11 (Armistice) and 2026-05-01
  2 New York Mon-Sat 08:00-20:00, closed Thu 2026-11-26 (Thanksgiving)
  3 Paris every day 00:30-03:30 (the DST hour falls inside the open hours)
  4 Paris Sundays 02:30-05:00 (opens inside the DST hour: the documented edge)
Paris changes clocks on 2026-03-29 (02:00 → 03:00) and 2026-10-25 (03:00 → 02:00); New York on
2026-03-08 and 2026-11-01.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from business_time_reference import (
    BusinessHours,
    add_business_minutes_walk,
    business_minutes_walk,
)
from testkit import create_database, tq

from gateway.migrate import migrate

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")

#: The calendars of time_reference.sql, restated for the walker.
CALENDARS: dict[int, BusinessHours] = {
    1: BusinessHours(
        "Europe/Paris",
        frozenset({1, 2, 3, 4, 5}),
        time(9),
        time(18),
        frozenset({date(2026, 11, 11), date(2026, 5, 1)}),
    ),
    2: BusinessHours(
        "America/New_York",
        frozenset({1, 2, 3, 4, 5, 6}),
        time(8),
        time(20),
        frozenset({date(2026, 11, 26)}),
    ),
    3: BusinessHours("Europe/Paris", frozenset(range(1, 8)), time(0, 30), time(3, 30)),
    4: BusinessHours("Europe/Paris", frozenset({7}), time(2, 30), time(5)),
}


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=PARIS, fold=fold).astimezone(UTC)


def new_york(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=NEW_YORK).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# the reference walk itself, against hand counts
# ---------------------------------------------------------------------------------------------


def test_walk_counts_by_hand() -> None:
    cal = CALENDARS[1]
    # Fri 17:00 → Mon 10:00: one hour on Friday, one on Monday
    assert business_minutes_walk(cal, paris(2026, 11, 6, 17), paris(2026, 11, 9, 10)) == 120
    # … to Thu 10:00 across the Armistice: 60 + 540 + 540 + 0 + 60
    assert business_minutes_walk(cal, paris(2026, 11, 6, 17), paris(2026, 11, 12, 10)) == 1200
    assert business_minutes_walk(cal, paris(2026, 11, 11, 9), paris(2026, 11, 11, 18)) == 0
    assert business_minutes_walk(cal, paris(2026, 11, 12, 10), paris(2026, 11, 12, 9)) == 0
    assert business_minutes_walk(None, paris(2026, 10, 25), paris(2026, 10, 26)) == 25 * 60
    # the night desk: 3 h a day, 2 h when the clocks go forward, 4 h when they go back
    desk = CALENDARS[3]
    assert business_minutes_walk(desk, paris(2026, 3, 28), paris(2026, 3, 29)) == 180
    assert business_minutes_walk(desk, paris(2026, 3, 29), paris(2026, 3, 30)) == 120
    assert business_minutes_walk(desk, paris(2026, 10, 25), paris(2026, 10, 26)) == 240


def test_walk_adds_by_hand() -> None:
    cal = CALENDARS[1]
    assert add_business_minutes_walk(cal, paris(2026, 11, 6, 17), 1200) == paris(2026, 11, 12, 10)
    # running out exactly at closing time is due at closing time
    assert add_business_minutes_walk(cal, paris(2026, 11, 9, 16), 120) == paris(2026, 11, 9, 18)
    assert add_business_minutes_walk(cal, paris(2026, 11, 10, 20), 1) == paris(2026, 11, 12, 9, 1)
    assert add_business_minutes_walk(cal, paris(2026, 11, 10, 20), 0) == paris(2026, 11, 10, 20)
    assert add_business_minutes_walk(None, paris(2026, 11, 10, 20), 90) == paris(
        2026, 11, 10, 21, 30
    )
    with pytest.raises(ValueError):
        add_business_minutes_walk(cal, paris(2026, 11, 10, 20), -1)
    with pytest.raises(ValueError):
        business_minutes_walk(cal, datetime(2026, 11, 10, 20), paris(2026, 11, 11))
    with pytest.raises(ValueError):
        business_minutes_walk(cal, paris(2026, 11, 10, 20, 0, 30), paris(2026, 11, 11))


# ---------------------------------------------------------------------------------------------
# the SQL functions
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def conn(pg_server: str) -> AsyncIterator[asyncpg.Connection]:
    """A migrated database holding only the reference calendars (as the owner)."""
    dsn = await create_database(pg_server, f"time_bt_{uuid.uuid4().hex[:12]}")
    await migrate(dsn)
    connection = await asyncpg.connect(dsn)
    await connection.execute(tq("time_reference"))
    try:
        yield connection
    finally:
        await connection.close()


async def sql_minutes(
    conn: asyncpg.Connection, calendar: int | None, spans: Sequence[tuple[datetime, datetime]]
) -> list[Decimal | None]:
    rows = await conn.fetch(
        tq("time_business_minutes"), calendar, [a for a, _ in spans], [b for _, b in spans]
    )
    return [r["minutes"] for r in rows]


async def sql_add(
    conn: asyncpg.Connection, calendar: int | None, pairs: Sequence[tuple[datetime, Decimal]]
) -> list[tuple[datetime | None, Decimal | None]]:
    rows = await conn.fetch(
        tq("time_add_business_minutes"), calendar, [a for a, _ in pairs], [m for _, m in pairs]
    )
    return [(r["due_at"], r["minutes_back"]) for r in rows]


async def test_business_minutes_by_hand(conn: asyncpg.Connection) -> None:
    cases: list[tuple[int | None, datetime, datetime, float | None]] = [
        # a weekend
        (1, paris(2026, 11, 6, 17), paris(2026, 11, 9, 10), 120),
        # a weekend and the Armistice (Wednesday): 60 + 540 + 540 + 0 + 60
        (1, paris(2026, 11, 6, 17), paris(2026, 11, 12, 10), 1200),
        # a night
        (1, paris(2026, 11, 16, 17), paris(2026, 11, 17, 10), 120),
        # inside one day, and to the second
        (1, paris(2026, 11, 17, 10, 15), paris(2026, 11, 17, 11, 45), 90),
        (1, paris(2026, 11, 17, 10, 0, 30), paris(2026, 11, 17, 10, 2), 1.5),
        # all night, all holiday, empty and reversed spans
        (1, paris(2026, 11, 17, 19), paris(2026, 11, 18, 8), 0),
        (1, paris(2026, 11, 11, 9), paris(2026, 11, 11, 18), 0),
        (1, paris(2026, 11, 17, 10), paris(2026, 11, 17, 10), 0),
        (1, paris(2026, 11, 17, 11), paris(2026, 11, 17, 10), 0),
        # the weekend of the October change: still two business hours (66 calendar hours)
        (1, paris(2026, 10, 23, 17), paris(2026, 10, 26, 10), 120),
        (None, paris(2026, 10, 23, 17), paris(2026, 10, 26, 10), 66 * 60),
        # New York: Thanksgiving, and the weekend of the November change
        (2, new_york(2026, 11, 25, 19), new_york(2026, 11, 27, 9), 120),
        (2, new_york(2026, 10, 31, 19), new_york(2026, 11, 2, 9), 120),
        (None, new_york(2026, 10, 31, 19), new_york(2026, 11, 2, 9), 39 * 60),
        # the DST hour inside open hours: 3 h, 2 h on the short day, 4 h on the long one
        (3, paris(2026, 3, 28), paris(2026, 3, 29), 180),
        (3, paris(2026, 3, 29), paris(2026, 3, 30), 120),
        (3, paris(2026, 10, 25), paris(2026, 10, 26), 240),
        # opening inside the DST hour, resolved as `at time zone` does: on 2026-03-29 "02:30"
        # is read with the old offset (03:30 new time), so 03:30-05:00; on 2026-10-25 it is the
        # later (winter-time) 02:30, so 02:30-05:00 winter time; an ordinary Sunday: 150.
        (4, paris(2026, 3, 29), paris(2026, 3, 30), 90),
        (4, paris(2026, 10, 25), paris(2026, 10, 26), 150),
        (4, paris(2026, 3, 22), paris(2026, 3, 23), 150),
        # an unknown calendar has no business time
        (999, paris(2026, 11, 17, 10), paris(2026, 11, 17, 11), None),
    ]
    for calendar, start, end, expected in cases:
        [got] = await sql_minutes(conn, calendar, [(start, end)])
        want = None if expected is None else Decimal(str(expected))
        assert got == want, (calendar, start, end)


def _random_spans(
    rng: random.Random, first: datetime, days: int, count: int, max_hours: int
) -> list[tuple[datetime, datetime]]:
    spans: list[tuple[datetime, datetime]] = []
    for _ in range(count):
        start = first + timedelta(minutes=rng.randrange(days * 24 * 60))
        spans.append((start, start + timedelta(minutes=rng.randrange(max_hours * 60))))
    return spans


@pytest.mark.parametrize("calendar", [1, 2, 3])
async def test_business_minutes_match_the_minute_walk(
    conn: asyncpg.Connection, calendar: int
) -> None:
    """Random spans around both DST changes, weekends and holidays: SQL == brute force."""
    rng = random.Random(20261125 + calendar)
    spans = (
        _random_spans(rng, paris(2026, 3, 2), 35, 60, 100)
        + _random_spans(rng, paris(2026, 10, 18), 42, 60, 100)
        + [(paris(2026, 10, 20), paris(2026, 11, 30))]  # six weeks in one span
    )
    got = await sql_minutes(conn, calendar, spans)
    want = [Decimal(business_minutes_walk(CALENDARS[calendar], a, b)) for a, b in spans]
    assert got == want


async def test_add_business_minutes_by_hand(conn: asyncpg.Connection) -> None:
    cases: list[tuple[int | None, datetime, int, datetime | None]] = [
        (1, paris(2026, 11, 6, 17), 1200, paris(2026, 11, 12, 10)),
        # running out at closing time: due at closing, not the next morning
        (1, paris(2026, 11, 9, 16), 120, paris(2026, 11, 9, 18)),
        # from a night before the holiday to the first minute after it
        (1, paris(2026, 11, 10, 20), 1, paris(2026, 11, 12, 9, 1)),
        # across the October change
        (1, paris(2026, 10, 23, 17), 120, paris(2026, 10, 26, 10)),
        (2, new_york(2026, 11, 25, 19), 120, new_york(2026, 11, 27, 9)),
        (3, paris(2026, 10, 25), 240, paris(2026, 10, 25, 3, 30)),
        (3, paris(2026, 3, 29), 121, paris(2026, 3, 30, 0, 31)),
        (1, paris(2026, 11, 10, 20), 0, paris(2026, 11, 10, 20)),
        (None, paris(2026, 11, 10, 20), 90, paris(2026, 11, 10, 21, 30)),
        (999, paris(2026, 11, 10, 20), 90, None),
    ]
    for calendar, start, minutes, expected in cases:
        [(due, _)] = await sql_add(conn, calendar, [(start, Decimal(minutes))])
        assert due == expected, (calendar, start, minutes)


async def test_add_business_minutes_refuses_negative_minutes(conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InvalidParameterValueError, match="must not be negative"):
        await sql_add(conn, 1, [(paris(2026, 11, 10, 20), Decimal(-1))])


@pytest.mark.parametrize("calendar", [1, 2, 3])
async def test_add_is_the_inverse_of_business_minutes(
    conn: asyncpg.Connection, calendar: int
) -> None:
    """business_minutes(start, add(start, m)) == m on a grid of starts × minutes, and the due
    times are the minute walk's (every third start, to keep the walk short)."""
    starts = [paris(2026, 10, 19) + k * timedelta(hours=7, minutes=13) for k in range(90)]
    starts += [paris(2026, 3, 25) + k * timedelta(hours=5, minutes=47) for k in range(40)]
    minutes = [1, 59, 60, 61, 179, 540, 541, 1080, 2000]
    pairs = [(s, Decimal(m)) for s in starts for m in minutes]
    pairs += [(s, Decimal("0.5")) for s in starts] + [(s, Decimal("90.25")) for s in starts]
    got = await sql_add(conn, calendar, pairs)
    for (start, m), (due, back) in zip(pairs, got, strict=True):
        assert due is not None and due > start, (start, m)
        assert back == m, (start, m, due)
    hours = CALENDARS[calendar]
    for (start, m), (due, _) in list(zip(pairs, got, strict=True))[: len(starts) * len(minutes)][
        ::3
    ]:
        assert due == add_business_minutes_walk(hours, start, int(m)), (start, m)


async def test_functions_are_security_invoker_and_stable(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(tq("time_function_attributes"))
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) >= {"business_minutes", "add_business_minutes", "series_buckets"}
    for name, r in by_name.items():
        assert not r["security_definer"], name
        assert r["volatility"] == "s", name
        assert r["authenticated_can_execute"], name
        assert not r["anon_can_execute"], name
