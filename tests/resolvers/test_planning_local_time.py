"""Hourly planning keeps local office hours across daylight-saving changes (Europe/Paris: the
clocks went back on 2026-10-25 at 03:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.forecasting import forecast_counts
from resolvers.buckets import TimeBucket
from resolvers.planning import _local_grid, _local_steps, _on_real_hours

PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)


def office(local: datetime) -> float:
    """Weekdays 09:00-17:00 local: 100 contacts an hour; otherwise 2."""
    return 100.0 if local.weekday() < 5 and 9 <= local.hour < 17 else 2.0


def real_hours(first: datetime, count: int) -> list[datetime]:
    return [first + i * HOUR for i in range(count)]


def wall(t: datetime) -> datetime:
    return t.astimezone(PARIS).replace(tzinfo=None)


@pytest.mark.parametrize(
    "history_start",
    [
        datetime(2026, 10, 4, 22, tzinfo=UTC),  # 3 weeks before the change, horizon across it
        datetime(2026, 10, 11, 22, tzinfo=UTC),  # history across the change
    ],
)
def test_office_hours_stay_at_nine_to_five_local(history_start: datetime) -> None:
    starts = real_hours(history_start, 21 * 24)
    grid, last = _local_grid(starts, [office(wall(t)) for t in starts], PARIS)
    end = starts[-1] + HOUR
    future = [TimeBucket(t, t + HOUR, wall(t)) for t in real_hours(end, 7 * 24)]
    points = forecast_counts(grid, _local_steps(last, future), 168).points
    for bucket, point in zip(future, _on_real_hours(points, last, future), strict=True):
        assert point.mean == pytest.approx(office(bucket.local_start), abs=5.0), bucket

    # the same model on raw real hours puts the day an hour off after the change
    naive = forecast_counts([office(wall(t)) for t in starts], 7 * 24, 168).points
    off = [abs(p.mean - office(b.local_start)) for b, p in zip(future, naive, strict=True)]
    crosses = any(wall(t).utcoffset != wall(t + HOUR) for t in starts)
    assert max(off) > 50 or not crosses


def test_the_repeated_hour_is_averaged_and_a_skipped_one_carried() -> None:
    # 23:00, 00:00, 01:00, 02:00 UTC = local 01:00 CEST, 02:00 CEST, 02:00 CET, 03:00 CET
    starts = real_hours(datetime(2026, 10, 24, 23, tzinfo=UTC), 4)
    grid, last = _local_grid(starts, [10.0, 20.0, 40.0, 80.0], PARIS)
    assert grid == [10.0, 30.0, 80.0]  # the two 02:00 hours averaged
    assert last == datetime(2026, 10, 25, 3)
    # 2026-03-29 01:00 UTC: 02:00 local does not exist (03:00 CEST follows 01:59 CET)
    spring = real_hours(datetime(2026, 3, 29, 0, tzinfo=UTC), 2)
    grid, last = _local_grid(spring, [5.0, 7.0], PARIS)
    assert grid == [5.0, 5.0, 7.0] and last == datetime(2026, 3, 29, 3)
