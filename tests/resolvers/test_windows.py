"""The one window validator: named periods (calendar ones start at local midnight, DST-aware;
rolling ones end now), explicit windows, IANA zones only, one length limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.errors import UserInputError
from resolvers.live import dashboard_window
from resolvers.windows import (
    MAX_WINDOW_DAYS,
    Period,
    TimeWindow,
    period_window,
    resolve_timezone,
    resolve_window,
    validate_dates,
    window_from_arguments,
)

NOW = datetime(2026, 3, 29, 15, 30, tzinfo=UTC)  # the day Paris springs forward (23 h long)


def test_today_starts_at_local_midnight_across_dst() -> None:
    start, end = period_window(Period.TODAY, "Europe/Paris", NOW)
    # 2026-03-29 00:00 in Paris is still winter time (UTC+1)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == NOW


def test_this_week_starts_monday_and_this_month_on_the_first() -> None:
    start, _ = period_window(Period.THIS_WEEK, "Europe/Paris", NOW)
    assert start == datetime(2026, 3, 22, 23, 0, tzinfo=UTC)  # Monday 23 March, local midnight
    start, _ = period_window(Period.THIS_MONTH, "America/New_York", NOW)
    assert start == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # EST before 8 March


@pytest.mark.parametrize(
    ("period", "length"),
    [(Period.LAST_HOUR, timedelta(hours=1)), (Period.LAST_7_DAYS, timedelta(days=7))],
)
def test_rolling_periods(period: Period, length: timedelta) -> None:
    assert period_window(period, "Europe/Paris", NOW) == (NOW - length, NOW)


def test_explicit_window_wins_and_is_validated() -> None:
    a, b = NOW - timedelta(days=2), NOW - timedelta(days=1)
    assert resolve_window(a, b, None, "UTC", NOW) == (a, b)
    assert resolve_window(None, None, None, "UTC", NOW) == (NOW - timedelta(days=7), NOW)
    with pytest.raises(UserInputError, match="both"):
        resolve_window(a, None, None, "UTC", NOW)
    with pytest.raises(UserInputError, match="after"):
        resolve_window(b, a, None, "UTC", NOW)
    with pytest.raises(UserInputError, match="not both"):
        resolve_window(a, b, Period.TODAY, "UTC", NOW)
    with pytest.raises(UserInputError, match="timezone"):
        resolve_window(a.replace(tzinfo=None), b, None, "UTC", NOW)


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "+02:00", "Mars/Olympus"])
def test_every_window_refuses_names_that_are_not_iana_zones(name: str) -> None:
    """One zone rule for calendar periods, rolling periods, explicit windows and live dashboards."""
    a, b = NOW - timedelta(days=2), NOW - timedelta(days=1)
    for call in (
        lambda: resolve_timezone(name),
        lambda: period_window(Period.TODAY, name, NOW),
        lambda: period_window(Period.LAST_7_DAYS, name, NOW),
        lambda: resolve_window(a, b, None, name, NOW),
        lambda: dashboard_window("today", name, NOW),
    ):
        with pytest.raises(UserInputError, match="unknown time zone"):
            call()


def test_one_length_limit_for_windows_and_date_ranges() -> None:
    start = NOW - timedelta(days=MAX_WINDOW_DAYS)
    assert resolve_window(start, NOW, None, "UTC", NOW) == (start, NOW)
    with pytest.raises(UserInputError, match=f"at most {MAX_WINDOW_DAYS} days"):
        resolve_window(start - timedelta(seconds=1), NOW, None, "UTC", NOW)
    assert resolve_window(start - timedelta(days=1), NOW, None, "UTC", NOW, max_days=None)
    day = NOW.date()
    with pytest.raises(UserInputError, match=f"at most {MAX_WINDOW_DAYS} days"):
        validate_dates(day - timedelta(days=MAX_WINDOW_DAYS), day)


@dataclass(frozen=True)
class _Input:
    start: datetime | None = None
    end: datetime | None = None
    period: Period | None = None
    timezone: str | None = None


def test_window_input_and_separate_arguments_are_one_window() -> None:
    a, b = NOW - timedelta(days=2), NOW - timedelta(days=1)
    kw = {"now": NOW, "default_timezone": "Europe/Paris"}
    given = window_from_arguments(_Input(a, b), None, None, None, None, **kw)
    assert given == window_from_arguments(None, a, b, None, None, **kw)
    assert given == TimeWindow(a, b, "Europe/Paris")
    today = window_from_arguments(_Input(period=Period.TODAY, timezone="UTC"), None, None, None,
                                  None, **kw)  # fmt: skip
    assert today == TimeWindow(datetime(2026, 3, 29, tzinfo=UTC), NOW, "UTC")
    with pytest.raises(UserInputError, match="not both"):
        window_from_arguments(_Input(a, b), None, None, Period.TODAY, None, **kw)
