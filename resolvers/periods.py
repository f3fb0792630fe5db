"""Named periods ("today", "last 7 days") turned into ``[start, end)`` windows.

Calendar periods (TODAY, THIS_WEEK, THIS_MONTH) start at local midnight in the caller's timezone
and end now; rolling periods end now. ``now`` is passed in so callers (and tests) fix the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from resolvers.errors import UserInputError
from resolvers.series import resolve_timezone
from resolvers.windows import require_aware


class Period(Enum):
    LAST_HOUR = "last_hour"
    TODAY = "today"
    LAST_24_HOURS = "last_24_hours"
    THIS_WEEK = "this_week"
    LAST_7_DAYS = "last_7_days"
    THIS_MONTH = "this_month"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"


_ROLLING = {
    Period.LAST_HOUR: timedelta(hours=1),
    Period.LAST_24_HOURS: timedelta(hours=24),
    Period.LAST_7_DAYS: timedelta(days=7),
    Period.LAST_30_DAYS: timedelta(days=30),
    Period.LAST_90_DAYS: timedelta(days=90),
}


def period_window(period: Period, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """The window of ``period`` ending at ``now`` (aware), in ``timezone`` for calendar periods."""
    require_aware(now, "now")
    if period in _ROLLING:
        return now - _ROLLING[period], now
    zone = resolve_timezone(timezone)
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.THIS_WEEK:
        midnight -= timedelta(days=local.weekday())
    elif period is Period.THIS_MONTH:
        midnight = midnight.replace(day=1)
    # re-attach the zone so a DST change between midnight and now gives the right instant
    start = midnight.replace(tzinfo=None).replace(tzinfo=zone)
    return start, now


def resolve_window(
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str,
    now: datetime,
) -> tuple[datetime, datetime]:
    """Explicit ``start``/``end`` (both, aware) or a named ``period`` (default last 7 days)."""
    if (start is None) != (end is None):
        raise UserInputError("give both 'from' and 'to', or a period", field="from")
    if start is not None and end is not None:
        if period is not None:
            raise UserInputError("give either 'from'/'to' or a period, not both", field="period")
        require_aware(start, "from")
        require_aware(end, "to")
        if end <= start:
            raise UserInputError("'to' must be after 'from'", field="to")
        return start, end
    return period_window(period or Period.LAST_7_DAYS, timezone, now)
