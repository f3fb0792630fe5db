"""Series in the caller's time zone: DST-length buckets, tickets in the right local bucket, empty
buckets present, the SQL buckets equal to zoneinfo's, validation before any SQL, and RLS.

Expectations are computed independently of the SQL: bucket instants are written out by hand for
the DST days, and counts come from grouping the test tickets by their zoneinfo local date (or
local hour and UTC offset) in Python, not from ranges.
"""

from __future__ import annotations

import itertools
import re
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from conftest import create_database, tq

from gateway.auth import Principal
from gateway.db import Database
from gateway.migrate import migrate
from resolvers.errors import UserInputError
from resolvers.port import Row
from resolvers.series import (
    MAX_BUCKETS,
    Granularity,
    SeriesPoint,
    bucket_boundaries,
    first_response_series,
    resolve_timezone,
    series,
    ticket_volume_series,
)

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


@pytest.fixture(scope="module")
async def dsn(pg_server: str) -> str:
    """A migrated database with the reference rows and the tickets above (nothing else)."""
    url = await create_database(pg_server, f"time_series_{uuid.uuid4().hex[:12]}")
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(tq("time_reference"))
        await conn.execute(
            tq("time_insert_tickets"),
            [c for c, _, _ in TICKETS],
            [None if m is None else c + timedelta(minutes=m) for c, m, _ in TICKETS],
            [a for _, _, a in TICKETS],
        )
    finally:
        await conn.close()
    return url


@pytest.fixture(scope="module")
async def db(dsn: str) -> AsyncIterator[Database]:
    database = Database(dsn, min_size=1, max_size=4)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def principal(user: uuid.UUID, app_role: str) -> Principal:
    claims = {"sub": str(user), "role": "authenticated", "app_role": app_role}
    return Principal(
        user_id=user, role="authenticated", app_role=app_role, claims=claims, token=None
    )


@pytest.fixture
async def run(db: Database) -> Callable[..., Any]:
    """``await run(fn, *args, as_user=MANAGER, role="manager")``: ``fn(session, *args)``."""

    async def call(
        fn: Callable[..., Any], *args: Any, as_user: uuid.UUID = MANAGER, role: str = "manager"
    ) -> Any:
        session = db.session(principal(as_user, role))
        try:
            return await fn(session, *args)
        finally:
            await session.close()

    return call


def expected_by_day(
    zone: ZoneInfo, lo: datetime, hi: datetime, agent: uuid.UUID | None = None
) -> Counter[date]:
    """Tickets in [lo, hi) per zoneinfo local date (an independent grouping)."""
    return Counter(
        c.astimezone(zone).date()
        for c, _, a in TICKETS
        if lo <= c < hi and (agent is None or a == agent)
    )


def check_counts(points: Sequence[SeriesPoint], counts: Sequence[int]) -> None:
    assert [p.n for p in points] == list(counts)
    assert [p.value for p in points] == [float(n) if n else None for n in counts]


# ---------------------------------------------------------------------------------------------
# DAY series across DST
# ---------------------------------------------------------------------------------------------


async def test_day_series_paris_spring_forward(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 3, 28), local(PARIS, 2026, 4, 1)
    points = await run(ticket_volume_series, lo, hi, Granularity.DAY, "Europe/Paris")
    assert [(p.bucket_start, p.bucket_end) for p in points] == [
        (z("2026-03-27T23:00"), z("2026-03-28T23:00")),
        (z("2026-03-28T23:00"), z("2026-03-29T22:00")),  # 23 hours
        (z("2026-03-29T22:00"), z("2026-03-30T22:00")),
        (z("2026-03-30T22:00"), z("2026-03-31T22:00")),
    ]
    assert [p.bucket_end - p.bucket_start for p in points] == [24 * H, 23 * H, 24 * H, 24 * H]
    assert [p.local_label for p in points] == [
        "2026-03-28",
        "2026-03-29",
        "2026-03-30",
        "2026-03-31",
    ]
    # 00:30 on the 29th (23:30Z the day before) is a Sunday ticket; the 31st is empty
    check_counts(points, [2, 3, 1, 0])
    by_day = expected_by_day(PARIS, lo, hi)
    assert [p.n for p in points] == [by_day[date.fromisoformat(p.local_label)] for p in points]


async def test_day_series_paris_fall_back(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    points = await run(ticket_volume_series, lo, hi, "DAY", "Europe/Paris")
    assert [(p.bucket_start, p.bucket_end) for p in points] == [
        (z("2026-10-23T22:00"), z("2026-10-24T22:00")),
        (z("2026-10-24T22:00"), z("2026-10-25T23:00")),  # 25 hours
        (z("2026-10-25T23:00"), z("2026-10-26T23:00")),
        (z("2026-10-26T23:00"), z("2026-10-27T23:00")),
    ]
    assert [p.bucket_end - p.bucket_start for p in points] == [24 * H, 25 * H, 24 * H, 24 * H]
    check_counts(points, [1, 4, 1, 0])
    by_day = expected_by_day(PARIS, lo, hi)
    assert [p.n for p in points] == [by_day[date.fromisoformat(p.local_label)] for p in points]


@pytest.mark.parametrize(
    ("first", "last", "lengths", "counts"),
    [
        (date(2026, 3, 7), date(2026, 3, 11), [24, 23, 24, 24], [1, 2, 1, 0]),
        (date(2026, 10, 31), date(2026, 11, 4), [24, 25, 24, 24], [1, 2, 1, 0]),
    ],
)
async def test_day_series_new_york(
    run: Callable[..., Any], first: date, last: date, lengths: list[int], counts: list[int]
) -> None:
    lo = local(NEW_YORK, first.year, first.month, first.day)
    hi = local(NEW_YORK, last.year, last.month, last.day)
    points = await run(ticket_volume_series, lo, hi, Granularity.DAY, "America/New_York")
    assert [p.bucket_end - p.bucket_start for p in points] == [n * H for n in lengths]
    days = [first + timedelta(days=k) for k in range(len(lengths))]
    assert [p.local_label for p in points] == [d.isoformat() for d in days]
    assert [p.bucket_start for p in points] == [
        datetime(d.year, d.month, d.day, tzinfo=NEW_YORK).astimezone(UTC) for d in days
    ]
    check_counts(points, counts)
    by_day = expected_by_day(NEW_YORK, lo, hi)
    assert [p.n for p in points] == [by_day[d] for d in days]


# ---------------------------------------------------------------------------------------------
# HOUR series across DST
# ---------------------------------------------------------------------------------------------


def expected_by_hour(zone: ZoneInfo, lo: datetime, hi: datetime) -> Counter[str]:
    """Tickets per local wall-clock hour *and* UTC offset, labelled like the API."""
    out: Counter[str] = Counter()
    for c, _, _ in TICKETS:
        if lo <= c < hi:
            wall = c.astimezone(zone).replace(minute=0, second=0, microsecond=0)
            out[wall.isoformat(timespec="minutes")] += 1
    return out


async def test_hour_series_fall_back_has_25_buckets(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 25), local(PARIS, 2026, 10, 26)
    points = await run(ticket_volume_series, lo, hi, Granularity.HOUR, "Europe/Paris")
    assert len(points) == 25
    assert all(p.bucket_end - p.bucket_start == H for p in points)
    assert [p.bucket_start for p in points] == [lo + k * H for k in range(25)]
    labels = [p.local_label for p in points]
    assert labels[:5] == [
        "2026-10-25T00:00+02:00",
        "2026-10-25T01:00+02:00",
        "2026-10-25T02:00+02:00",
        "2026-10-25T02:00+01:00",
        "2026-10-25T03:00+01:00",
    ]
    assert labels[-1] == "2026-10-25T23:00+01:00"
    want = expected_by_hour(PARIS, lo, hi)
    assert sum(want.values()) == 4
    assert [p.n for p in points] == [want[label] for label in labels]
    # the two tickets at 02:30 (summer, then winter time) are in two different buckets
    assert [p.n for p in points[2:4]] == [1, 1]
    assert [p.value for p in points[:3]] == [1.0, None, 1.0]


async def test_hour_series_spring_forward_has_23_buckets(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 3, 29), local(PARIS, 2026, 3, 30)
    points = await run(ticket_volume_series, lo, hi, Granularity.HOUR, "Europe/Paris")
    assert len(points) == 23
    labels = [p.local_label for p in points]
    assert labels[1:3] == ["2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00"]
    want = expected_by_hour(PARIS, lo, hi)
    assert [p.n for p in points] == [want[label] for label in labels]
    assert sum(p.n for p in points) == 3


async def test_hour_series_new_york_fall_back(run: Callable[..., Any]) -> None:
    lo, hi = local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2)
    points = await run(ticket_volume_series, lo, hi, Granularity.HOUR, "America/New_York")
    assert len(points) == 25
    labels = [p.local_label for p in points]
    assert labels[1:3] == ["2026-11-01T01:00-04:00", "2026-11-01T01:00-05:00"]
    assert [p.n for p in points[1:3]] == [1, 1]
    want = expected_by_hour(NEW_YORK, lo, hi)
    assert [p.n for p in points] == [want[label] for label in labels]


# ---------------------------------------------------------------------------------------------
# WEEK and MONTH, empty windows, partial buckets
# ---------------------------------------------------------------------------------------------


async def test_week_series_iso_weeks_from_monday(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 19), local(PARIS, 2026, 11, 2)
    points = await run(ticket_volume_series, lo, hi, Granularity.WEEK, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-W43", "2026-W44"]
    assert [p.bucket_start for p in points] == [z("2026-10-18T22:00"), z("2026-10-25T23:00")]
    assert [p.bucket_end - p.bucket_start for p in points] == [169 * H, 168 * H]
    # week 44 also holds the three New York tickets of 2026-10-31/11-01 (Paris time)
    check_counts(points, [5, 4])
    weeks = Counter(c.astimezone(PARIS).isocalendar()[:2] for c, _, _ in TICKETS if lo <= c < hi)
    assert [p.n for p in points] == [weeks[(2026, 43)], weeks[(2026, 44)]]


async def test_week_buckets_start_on_monday_even_mid_week(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 22), local(PARIS, 2026, 10, 29)  # Thursday to Thursday
    points = await run(ticket_volume_series, lo, hi, Granularity.WEEK, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-W43", "2026-W44"]
    # clipped to the window, each point counts only its part of the week
    assert [(p.bucket_start, p.bucket_end) for p in points] == [
        (lo, z("2026-10-25T23:00")),
        (z("2026-10-25T23:00"), hi),
    ]
    check_counts(points, [5, 1])


async def test_month_series_with_an_empty_month(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 3, 1), local(PARIS, 2026, 5, 1)
    points = await run(ticket_volume_series, lo, hi, Granularity.MONTH, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-03", "2026-04"]
    assert [p.bucket_end - p.bucket_start for p in points] == [(31 * 24 - 1) * H, 30 * 24 * H]
    # March: the six Paris tickets and the four New York ones; April: none
    check_counts(points, [10, 0])
    months = Counter(c.astimezone(PARIS).month for c, _, _ in TICKETS if lo <= c < hi)
    assert [p.n for p in points] == [months[3], months[4]]


async def test_empty_window_has_every_bucket_with_n_zero(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 6, 1), local(PARIS, 2026, 6, 4)
    for fn in (ticket_volume_series, first_response_series):
        points = await run(fn, lo, hi, Granularity.DAY, "Europe/Paris")
        assert [p.local_label for p in points] == ["2026-06-01", "2026-06-02", "2026-06-03"]
        check_counts(points, [0, 0, 0])


async def test_partial_buckets_count_only_the_window(run: Callable[..., Any]) -> None:
    lo, hi = z("2026-03-29T10:00"), z("2026-03-30T10:00")
    points = await run(ticket_volume_series, lo, hi, Granularity.DAY, "Europe/Paris")
    assert [(p.local_label, p.bucket_start, p.bucket_end) for p in points] == [
        ("2026-03-29", lo, z("2026-03-29T22:00")),
        ("2026-03-30", z("2026-03-29T22:00"), hi),
    ]
    # 23:30 on the 29th and 00:30 on the 30th; the 29th's 00:30 and 03:30 are before the window
    check_counts(points, [1, 1])


# ---------------------------------------------------------------------------------------------
# a second KPI through the same bucketing: median first response
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2026, 3, 28), date(2026, 4, 1)), (date(2026, 10, 24), date(2026, 10, 28))],
)
async def test_first_response_median_per_local_day(
    run: Callable[..., Any], first: date, last: date
) -> None:
    lo = local(PARIS, first.year, first.month, first.day)
    hi = local(PARIS, last.year, last.month, last.day)
    points = await run(first_response_series, lo, hi, Granularity.DAY, "Europe/Paris")
    minutes: dict[date, list[int]] = defaultdict(list)
    for c, m, _ in TICKETS:
        if lo <= c < hi and m is not None:
            minutes[c.astimezone(PARIS).date()].append(m)
    days = [first + timedelta(days=k) for k in range((last - first).days)]
    assert [p.local_label for p in points] == [d.isoformat() for d in days]
    assert [p.n for p in points] == [len(minutes[d]) for d in days]
    assert [p.value for p in points] == [
        float(statistics.median(minutes[d])) if minutes[d] else None for d in days
    ]


async def test_first_response_by_hand(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    points = await run(first_response_series, lo, hi, Granularity.DAY, "Europe/Paris")
    # 24th: 5; 25th: 15, 25, 35 (the 02:30 winter-time ticket has no reply); 26th: 45; 27th: none
    assert [(p.n, p.value) for p in points] == [(1, 5.0), (3, 25.0), (1, 45.0), (0, None)]


# ---------------------------------------------------------------------------------------------
# the SQL buckets are zoneinfo's buckets
# ---------------------------------------------------------------------------------------------

ZONE_CASES = [
    ("Europe/Paris", z("2026-03-20T00:00"), z("2026-04-05T00:00")),
    ("Europe/Paris", z("2026-10-20T07:31"), z("2026-11-02T13:00")),
    ("America/New_York", z("2026-03-01T00:00"), z("2026-03-15T00:00")),
    ("America/New_York", z("2026-10-28T00:00"), z("2026-11-05T00:00")),
    ("Australia/Sydney", z("2026-03-30T00:00"), z("2026-04-10T00:00")),
    ("Asia/Kolkata", z("2026-05-01T03:10"), z("2026-05-04T00:00")),
    ("America/Santiago", z("2026-09-01T00:00"), z("2026-09-10T00:00")),  # midnight gap
    ("America/Santiago", z("2026-04-01T00:00"), z("2026-04-10T00:00")),
    ("UTC", z("2026-01-30T00:00"), z("2026-03-02T00:00")),
]


@pytest.mark.parametrize(("zone_name", "lo", "hi"), ZONE_CASES)
@pytest.mark.parametrize("granularity", list(Granularity))
async def test_sql_buckets_equal_zoneinfo_buckets(
    dsn: str, zone_name: str, lo: datetime, hi: datetime, granularity: Granularity
) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(tq("time_series_buckets"), lo, hi, granularity.value, zone_name)
    finally:
        await conn.close()
    zone = ZoneInfo(zone_name)
    want = bucket_boundaries(lo, hi, granularity, zone)
    assert [(r["bucket_start"], r["bucket_end"], r["local_start"]) for r in rows] == [
        (b.start, b.end, b.local_start) for b in want
    ]
    assert [r["bucket_no"] for r in rows] == list(range(1, len(want) + 1))
    # independent of both: consecutive, covering the window, each start local-aligned
    assert want[0].start <= lo < want[0].end and want[-1].start < hi <= want[-1].end
    assert all(a.end == b.start for a, b in itertools.pairwise(want))
    for b in want:
        wall = b.start.astimezone(zone)
        assert (wall.minute, wall.second) == (0, 0)
        if granularity is not Granularity.HOUR:
            assert wall.hour == 0 or zone_name == "America/Santiago"
        if granularity is Granularity.WEEK:
            assert wall.isoweekday() == 1
        if granularity is Granularity.MONTH:
            assert wall.day == 1


# ---------------------------------------------------------------------------------------------
# validation happens before any SQL
# ---------------------------------------------------------------------------------------------


class NoSql:
    """A session that fails the test if a statement is sent."""

    statements = 0

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        raise AssertionError("SQL was sent")

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        raise AssertionError("SQL was sent")

    async def fetchval(self, query: str, *args: Any) -> Any:
        raise AssertionError("SQL was sent")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"timezone": "Europe/Pariss"}, "did you mean 'Europe/Paris'"),
        ({"timezone": "+02:00"}, "IANA time zone name"),
        ({"timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"window_from": datetime(2026, 3, 1)}, "'from' needs a timezone"),
        ({"window_to": datetime(2026, 3, 2)}, "'to' needs a timezone"),
        ({"window_to": z("2026-03-01T00:00")}, "'to' must be after 'from'"),
        ({"window_to": z("2026-02-01T00:00")}, "'to' must be after 'from'"),
        ({"granularity": "fortnight"}, "expected one of HOUR, DAY, WEEK, MONTH"),
        (
            {"granularity": Granularity.HOUR, "window_to": z("2026-06-01T00:00")},
            f"more than {MAX_BUCKETS} hour buckets",
        ),
        (
            {"kpi": "volume"},
            "no series for KPI 'volume': expected one of csat, first_response_minutes,"
            " ticket_volume",
        ),
    ],
)
async def test_invalid_requests_are_user_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "kpi": "ticket_volume",
        "window_from": z("2026-03-01T00:00"),
        "window_to": z("2026-03-08T00:00"),
        "granularity": Granularity.DAY,
        "timezone": "Europe/Paris",
    }
    args.update(kwargs)
    with pytest.raises(UserInputError, match=re.escape(message)):
        await series(NoSql(), **args)


def test_bucket_limit_is_exact() -> None:
    lo = z("2026-01-01T00:00")
    assert len(bucket_boundaries(lo, lo + MAX_BUCKETS * H, Granularity.HOUR, PARIS)) == MAX_BUCKETS
    with pytest.raises(UserInputError):
        bucket_boundaries(lo, lo + (MAX_BUCKETS + 1) * H, Granularity.HOUR, PARIS)


def test_resolve_timezone_accepts_iana_names() -> None:
    assert resolve_timezone("America/New_York") == NEW_YORK
    assert resolve_timezone("UTC") == ZoneInfo("UTC")


# ---------------------------------------------------------------------------------------------
# row level security and cost
# ---------------------------------------------------------------------------------------------


async def test_series_run_under_the_callers_rls(run: Callable[..., Any]) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    everyone = await run(ticket_volume_series, lo, hi, Granularity.DAY, "Europe/Paris")
    own = await run(
        ticket_volume_series, lo, hi, Granularity.DAY, "Europe/Paris", as_user=USER_A, role="agent"
    )
    by_day_a = expected_by_day(PARIS, lo, hi, agent=AGENT_A)
    assert [p.n for p in own] == [by_day_a[date.fromisoformat(p.local_label)] for p in own]
    assert [p.n for p in own] == [1, 2, 1, 0]
    assert [p.n for p in everyone] == [1, 4, 1, 0]
    assert [p.local_label for p in own] == [p.local_label for p in everyone]


async def test_a_series_is_one_statement(db: Database) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        await ticket_volume_series(
            session, z("2026-01-01T00:00"), z("2026-03-01T00:00"), "hour", "Asia/Kolkata"
        )
        setup = session.statements - 1
        await first_response_series(
            session, z("2026-01-01T00:00"), z("2026-12-01T00:00"), "week", "UTC"
        )
        assert session.statements == setup + 2
    finally:
        await session.close()
