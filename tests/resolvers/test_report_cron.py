"""Cron in a schedule's own time zone: DST-correct instants, gaps and overlaps run once, missed
runs within the grace are sent once (the latest), stale ones are skipped, bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from resolvers.errors import UserInputError
from resolvers.report_cron import check_cron, due_runs, next_run, occurrences


def _take(expr: str, tz: str, after: datetime, n: int) -> list[datetime]:
    it = occurrences(expr, tz, after)
    return [next(it) for _ in range(n)]


def test_monday_8am_paris_follows_daylight_saving() -> None:
    # 2026: CEST from 29 March, CET again from 25 October
    runs = _take("0 8 * * 1", "Europe/Paris", datetime(2026, 3, 20, tzinfo=UTC), 2)
    assert runs == [datetime(2026, 3, 23, 7, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC)]
    runs = _take("0 8 * * 1", "Europe/Paris", datetime(2026, 10, 20, tzinfo=UTC), 2)
    assert runs == [datetime(2026, 10, 26, 7, tzinfo=UTC), datetime(2026, 11, 2, 7, tzinfo=UTC)]


def test_a_time_in_the_spring_gap_runs_once_after_it() -> None:
    runs = _take("30 2 * * *", "Europe/Paris", datetime(2026, 3, 28, 12, tzinfo=UTC), 2)
    # 02:30 does not exist on 29 March: it runs at 03:30 CEST (01:30 UTC), once
    assert runs == [
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]


def test_a_repeated_time_in_the_autumn_overlap_runs_once() -> None:
    runs = _take("30 2 * * *", "Europe/Paris", datetime(2026, 10, 24, 12, tzinfo=UTC), 2)
    # 02:30 happens twice on 25 October: the first (CEST, 00:30 UTC) only
    assert runs == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]


def test_hourly_runs_are_distinct_and_increasing_across_changes() -> None:
    runs = _take("0 * * * *", "America/New_York", datetime(2026, 11, 1, 3, tzinfo=UTC), 30)
    assert all(b > a for a, b in pairwise(runs))


def test_missed_runs_within_the_grace_give_one_run_and_stale_ones_none() -> None:
    planned = datetime(2026, 11, 1, tzinfo=UTC)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    run, until = due_runs("0 8 * * 1", "Europe/Paris", planned, now, timedelta(days=7))
    assert run == datetime(2026, 11, 16, 7, tzinfo=UTC) and until == now
    run, _ = due_runs("0 8 * * 1", "Europe/Paris", planned, now, timedelta(hours=6))
    assert run is None
    run, _ = due_runs("0 8 * * 1", "Europe/Paris", now, now + timedelta(hours=1), timedelta(days=7))
    assert run is None
    assert next_run("0 8 * * 1", "Europe/Paris", now) == datetime(2026, 11, 23, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expr", "tz", "message"),
    [
        ("0 8 * *", "Europe/Paris", "five fields"),
        ("61 8 * * 1", "Europe/Paris", "invalid cron"),
        ("* * * * *", "Europe/Paris", "every 5 minutes"),
        ("0 8 * * 1", "Europe/Parsi", "unknown time zone"),
    ],
)
def test_bad_schedules_are_refused(expr: str, tz: str, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        check_cron(expr, tz)
