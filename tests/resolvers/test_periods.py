"""Named periods: calendar ones start at local midnight (DST-aware), rolling ones end now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from resolvers.errors import UserInputError
from resolvers.periods import Period, period_window, resolve_window

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
