"""Business time by brute force: a minute-by-minute reference walk, independent of the SQL.

The database computes business minutes (``analytics.business_minutes``) and due times
(``analytics.add_business_minutes``) by intersecting each local day's opening interval with a
span. This module answers the same questions the slow, obvious way, so tests can check the SQL
against something that shares none of its reasoning: it steps through a span one UTC minute at a
time, converts each minute to the calendar's local wall-clock time with :mod:`zoneinfo`, and asks
whether the shop is open at that wall-clock time.

Definition used here (wall-clock membership): the minute starting at instant ``u`` is a business
minute when, at ``u`` local time, the date is one of the calendar's ISO weekdays, is not a
holiday, and the time of day is in ``[opens_at, closes_at)``. This agrees with the database's
interval definition on every day except when ``opens_at`` or ``closes_at`` itself falls inside a
daylight saving gap or overlap (e.g. a calendar opening at 02:30 on a spring-forward night), where
the database follows PostgreSQL's ``at time zone`` resolution instead; see the migration
``20261125000500_business_time.sql``.

Everything here is pure (no I/O) and meant for tests and spot checks: the cost is one timezone
conversion per minute of the span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """A business calendar: ISO weekdays (1 = Monday), local opening hours, closed dates.

    ``closes_at`` must be after ``opens_at``; both are local wall-clock times in ``timezone``
    (an IANA name).
    """

    timezone: str
    open_days: frozenset[int]
    opens_at: time
    closes_at: time
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.closes_at > self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        if not self.open_days <= frozenset(range(1, 8)):
            raise ValueError("open_days are ISO weekdays 1..7")

    def is_open(self, instant: datetime) -> bool:
        """Whether the calendar is open at ``instant`` (aware), by its local wall-clock time."""
        local = _aware(instant, "instant").astimezone(ZoneInfo(self.timezone))
        day = local.date()
        return (
            day.isoweekday() in self.open_days
            and day not in self.holidays
            and self.opens_at <= local.time() < self.closes_at
        )


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value


def _whole_minute(value: datetime, name: str) -> datetime:
    utc = _aware(value, name).astimezone(UTC)
    if utc.second or utc.microsecond:
        raise ValueError(f"{name} must be on a whole UTC minute, got {value.isoformat()}")
    return utc


def business_minutes_walk(hours: BusinessHours | None, start: datetime, end: datetime) -> int:
    """Business minutes in ``[start, end)``, counted one UTC minute at a time.

    ``hours`` None means calendar time (every minute counts). Both instants must be aware and on
    a whole UTC minute; the result is 0 when ``end <= start``.
    """
    t = _whole_minute(start, "start")
    stop = _whole_minute(end, "end")
    if stop <= t:
        return 0
    if hours is None:
        return int((stop - t) / _MINUTE)
    count = 0
    while t < stop:
        if hours.is_open(t):
            count += 1
        t += _MINUTE
    return count


def add_business_minutes_walk(
    hours: BusinessHours | None, start: datetime, minutes: int, *, max_days: int = 3660
) -> datetime:
    """The instant at which ``minutes`` business minutes after ``start`` have elapsed.

    That is the end of the ``minutes``-th business minute at or after ``start`` (so a target that
    runs out exactly at closing time is due at the closing time, not at the next opening).
    ``minutes`` = 0 gives ``start``. ``start`` must be aware and on a whole UTC minute; the result
    is in UTC. Raises :class:`ValueError` when the calendar has no open minute within
    ``max_days`` days.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    t = _whole_minute(start, "start")
    if hours is None:
        return t + minutes * _MINUTE
    left = minutes
    limit = t + timedelta(days=max_days)
    while left > 0:
        if t >= limit:
            raise ValueError(f"no business time within {max_days} days of {start.isoformat()}")
        if hours.is_open(t):
            left -= 1
        t += _MINUTE
    return t
