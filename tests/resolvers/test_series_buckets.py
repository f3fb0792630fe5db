"""Series buckets in the caller's time zone: DST-length days, 23 and 25 hour nights, ISO weeks,
months, partial buckets at the window's edges, empty buckets present, tickets in the right local
bucket, and the SQL buckets equal to zoneinfo's.

Data: the hand-built tickets of ``series_handbuilt`` around the DST changes (a database of their
own); series of ticket_volume. Expectations are independent of the SQL (see that module).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from series_handbuilt import (
    NEW_YORK,
    PARIS,
    TICKETS,
    H,
    Run,
    check_counts,
    expected_by_day,
    expected_by_hour,
    handbuilt_database,
    local,
    runner,
    volume,
    z,
)
from testkit import tq

from gateway.db import Database
from resolvers.buckets import MAX_BUCKETS, Granularity, bucket_boundaries
from resolvers.errors import UserInputError
from resolvers.kpi_series import series
from resolvers.windows import resolve_timezone


@pytest.fixture(scope="module")
async def db(pg_server: str) -> AsyncIterator[Database]:
    async with handbuilt_database(pg_server) as database:
        yield database


@pytest.fixture
def run(db: Database) -> Run:
    return runner(db)


# ---------------------------------------------------------------------------------------------
# DAY series across DST
# ---------------------------------------------------------------------------------------------


async def test_day_series_paris_spring_forward(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 3, 28), local(PARIS, 2026, 4, 1)
    points = await volume(run, lo, hi, Granularity.DAY, "Europe/Paris")
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


async def test_day_series_paris_fall_back(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    points = await volume(run, lo, hi, "DAY", "Europe/Paris")
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
    run: Run, first: date, last: date, lengths: list[int], counts: list[int]
) -> None:
    lo = local(NEW_YORK, first.year, first.month, first.day)
    hi = local(NEW_YORK, last.year, last.month, last.day)
    points = await volume(run, lo, hi, Granularity.DAY, "America/New_York")
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


async def test_hour_series_fall_back_has_25_buckets(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 25), local(PARIS, 2026, 10, 26)
    points = await volume(run, lo, hi, Granularity.HOUR, "Europe/Paris")
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


async def test_hour_series_spring_forward_has_23_buckets(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 3, 29), local(PARIS, 2026, 3, 30)
    points = await volume(run, lo, hi, Granularity.HOUR, "Europe/Paris")
    assert len(points) == 23
    labels = [p.local_label for p in points]
    assert labels[1:3] == ["2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00"]
    want = expected_by_hour(PARIS, lo, hi)
    assert [p.n for p in points] == [want[label] for label in labels]
    assert sum(p.n for p in points) == 3


async def test_hour_series_new_york_fall_back(run: Run) -> None:
    lo, hi = local(NEW_YORK, 2026, 11, 1), local(NEW_YORK, 2026, 11, 2)
    points = await volume(run, lo, hi, Granularity.HOUR, "America/New_York")
    assert len(points) == 25
    labels = [p.local_label for p in points]
    assert labels[1:3] == ["2026-11-01T01:00-04:00", "2026-11-01T01:00-05:00"]
    assert [p.n for p in points[1:3]] == [1, 1]
    want = expected_by_hour(NEW_YORK, lo, hi)
    assert [p.n for p in points] == [want[label] for label in labels]


# ---------------------------------------------------------------------------------------------
# WEEK and MONTH, empty windows, partial buckets
# ---------------------------------------------------------------------------------------------


async def test_week_series_iso_weeks_from_monday(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 19), local(PARIS, 2026, 11, 2)
    points = await volume(run, lo, hi, Granularity.WEEK, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-W43", "2026-W44"]
    assert [p.bucket_start for p in points] == [z("2026-10-18T22:00"), z("2026-10-25T23:00")]
    assert [p.bucket_end - p.bucket_start for p in points] == [169 * H, 168 * H]
    # week 44 also holds the three New York tickets of 2026-10-31/11-01 (Paris time)
    check_counts(points, [5, 4])
    weeks = Counter(c.astimezone(PARIS).isocalendar()[:2] for c, _, _ in TICKETS if lo <= c < hi)
    assert [p.n for p in points] == [weeks[(2026, 43)], weeks[(2026, 44)]]


async def test_week_buckets_start_on_monday_even_mid_week(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 22), local(PARIS, 2026, 10, 29)  # Thursday to Thursday
    points = await volume(run, lo, hi, Granularity.WEEK, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-W43", "2026-W44"]
    # clipped to the window, each point counts only its part of the week
    assert [(p.bucket_start, p.bucket_end) for p in points] == [
        (lo, z("2026-10-25T23:00")),
        (z("2026-10-25T23:00"), hi),
    ]
    check_counts(points, [5, 1])


async def test_month_series_with_an_empty_month(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 3, 1), local(PARIS, 2026, 5, 1)
    points = await volume(run, lo, hi, Granularity.MONTH, "Europe/Paris")
    assert [p.local_label for p in points] == ["2026-03", "2026-04"]
    assert [p.bucket_end - p.bucket_start for p in points] == [(31 * 24 - 1) * H, 30 * 24 * H]
    # March: the six Paris tickets and the four New York ones; April: none
    check_counts(points, [10, 0])
    months = Counter(c.astimezone(PARIS).month for c, _, _ in TICKETS if lo <= c < hi)
    assert [p.n for p in points] == [months[3], months[4]]


async def test_empty_window_has_every_bucket_with_n_zero(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 6, 1), local(PARIS, 2026, 6, 4)
    for kpi in ("ticket_volume", "first_response_time", "csat", "sla_compliance"):
        points = await run(series, kpi, lo, hi, Granularity.DAY, "Europe/Paris")
        assert [p.local_label for p in points] == ["2026-06-01", "2026-06-02", "2026-06-03"]
        check_counts(points, [0, 0, 0])


async def test_partial_buckets_count_only_the_window(run: Run) -> None:
    lo, hi = z("2026-03-29T10:00"), z("2026-03-30T10:00")
    points = await volume(run, lo, hi, Granularity.DAY, "Europe/Paris")
    assert [(p.local_label, p.bucket_start, p.bucket_end) for p in points] == [
        ("2026-03-29", lo, z("2026-03-29T22:00")),
        ("2026-03-30", z("2026-03-29T22:00"), hi),
    ]
    # 23:30 on the 29th and 00:30 on the 30th; the 29th's 00:30 and 03:30 are before the window
    check_counts(points, [1, 1])


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
    db: Database, zone_name: str, lo: datetime, hi: datetime, granularity: Granularity
) -> None:
    conn = await asyncpg.connect(db.dsn)
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


def test_bucket_limit_is_exact() -> None:
    lo = z("2026-01-01T00:00")
    assert len(bucket_boundaries(lo, lo + MAX_BUCKETS * H, Granularity.HOUR, PARIS)) == MAX_BUCKETS
    with pytest.raises(UserInputError):
        bucket_boundaries(lo, lo + (MAX_BUCKETS + 1) * H, Granularity.HOUR, PARIS)


def test_resolve_timezone_accepts_iana_names() -> None:
    assert resolve_timezone("America/New_York") == NEW_YORK
    assert resolve_timezone("UTC") == ZoneInfo("UTC")


def test_a_forecast_granularity_is_a_series_granularity() -> None:
    """GraphQL's ``ForecastGranularity`` is ``resolvers.buckets.ForecastGranularity``, whose
    members are series granularities by value (one definition of each bucket size)."""
    import schema.planning
    from resolvers.buckets import ForecastGranularity, Granularity

    assert schema.planning.ForecastGranularity is ForecastGranularity
    assert [Granularity(g.value) for g in ForecastGranularity] == [
        Granularity.HOUR,
        Granularity.DAY,
    ]
