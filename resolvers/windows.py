"""The one validator of time windows and time zones.

Every field that takes a window goes through this module, so every window means the same and
every bad one gets the same message (all :class:`UserInputError`, raised before any SQL runs):

* **Instant windows** are half-open ``[from, to)`` (docs/metrics.md, "Time windows, zones,
  business hours"): both ends carry a timezone, ``to`` is after ``from``, and the window spans at
  most :data:`MAX_WINDOW_DAYS` days (series are bounded by their bucket count instead).
* **Named periods** (:class:`Period`) end at the request's clock: rolling ones reach back a fixed
  length, calendar ones (TODAY, THIS_WEEK, THIS_MONTH) start at local midnight in the timezone.
  No window at all means the last 7 days.
* **Time zones** are IANA names matched exactly (:func:`resolve_timezone`); ``localtime``,
  ``posixrules`` and ``Factory`` (files of the zone database that are not zones) are refused, as
  are offsets and abbreviations that are not zone names.
* **Date ranges** (daily tables) include both days and span at most :data:`MAX_WINDOW_DAYS` days.

``now`` is always passed in (the request's clock), so callers and tests fix the time.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo, available_timezones

from resolvers.errors import UserInputError

#: Longest window (days) of every windowed field and date range.
MAX_WINDOW_DAYS = 400

#: Files of the zone database that are not IANA time zones.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


class Period(Enum):
    """Named windows ending now (calendar ones start at local midnight)."""

    LAST_HOUR = "last_hour"
    TODAY = "today"
    LAST_24_HOURS = "last_24_hours"
    THIS_WEEK = "this_week"
    LAST_7_DAYS = "last_7_days"
    THIS_MONTH = "this_month"
    LAST_30_DAYS = "last_30_days"
    LAST_90_DAYS = "last_90_days"


#: The period of a request that names no window.
DEFAULT_PERIOD = Period.LAST_7_DAYS

_ROLLING = {
    Period.LAST_HOUR: timedelta(hours=1),
    Period.LAST_24_HOURS: timedelta(hours=24),
    Period.LAST_7_DAYS: timedelta(days=7),
    Period.LAST_30_DAYS: timedelta(days=30),
    Period.LAST_90_DAYS: timedelta(days=90),
}


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A validated window ``[start, end)`` and the IANA zone it is read in."""

    start: datetime
    end: datetime
    timezone: str


class WindowArguments(Protocol):
    """What a window argument carries (the GraphQL ``Window`` input has these attributes)."""

    @property
    def start(self) -> datetime | None: ...
    @property
    def end(self) -> datetime | None: ...
    @property
    def period(self) -> Period | None: ...
    @property
    def timezone(self) -> str | None: ...


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - NOT_ZONES


def resolve_timezone(name: str, *, field: str = "timezone") -> ZoneInfo:
    """The :class:`ZoneInfo` of IANA zone ``name``; :class:`UserInputError` if there is none.

    Names are matched exactly (``Europe/Paris``, ``America/New_York``, ``UTC``); offsets,
    abbreviations that are not zone names and :data:`NOT_ZONES` are refused.
    """
    if name not in _zone_names():
        close = difflib.get_close_matches(name, sorted(_zone_names()), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UserInputError(
            f"unknown time zone {name!r}: expected an IANA time zone name such as "
            f"'Europe/Paris' or 'America/New_York'{hint}",
            field=field,
        )
    return ZoneInfo(name)


def require_aware(value: datetime, name: str) -> datetime:
    """``value`` if it has a timezone; a naive timestamp is ambiguous and is refused."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise UserInputError(
            f"'{name}' needs a timezone (e.g. 2026-11-01T00:00:00Z), got {value.isoformat()}",
            field=name,
        )
    return value


def validate_window(
    start: datetime,
    end: datetime,
    max_days: int | None = MAX_WINDOW_DAYS,
    *,
    names: tuple[str, str] = ("from", "to"),
) -> tuple[datetime, datetime]:
    """Check the half-open window ``[start, end)`` and return it unchanged.

    Raises :class:`UserInputError` when either end is naive, when ``end`` is not after ``start``
    or when the window is longer than ``max_days`` days (None: no length limit).
    """
    lo, hi = names
    require_aware(start, lo)
    require_aware(end, hi)
    if end <= start:
        raise UserInputError(f"'{hi}' must be after '{lo}' (the window is [{lo}, {hi}))", field=hi)
    if max_days is not None and end - start > timedelta(days=max_days):
        raise UserInputError(
            f"the window from '{lo}' to '{hi}' may span at most {max_days} days", field=lo
        )
    return start, end


def validate_optional_window(
    start: datetime | None,
    end: datetime | None,
    max_days: int = MAX_WINDOW_DAYS,
    *,
    names: tuple[str, str] = ("from", "to"),
) -> tuple[datetime | None, datetime | None]:
    """Like :func:`validate_window`, for windows whose ends may be omitted (open-ended).

    A given end must have a timezone; the ordering and length limits apply when both are given.
    """
    if start is not None and end is not None:
        return validate_window(start, end, max_days, names=names)
    if start is not None:
        require_aware(start, names[0])
    if end is not None:
        require_aware(end, names[1])
    return start, end


def validate_dates(
    start: date,
    end: date,
    max_days: int = MAX_WINDOW_DAYS,
    *,
    names: tuple[str, str] = ("from", "to"),
) -> tuple[date, date]:
    """Check the inclusive date range ``[start, end]`` (at most ``max_days`` days) and return it."""
    lo, hi = names
    if end < start:
        raise UserInputError(f"'{hi}' must not be before '{lo}' (both days included)", field=hi)
    if (end - start).days + 1 > max_days:
        raise UserInputError(
            f"the range from '{lo}' to '{hi}' may span at most {max_days} days", field=lo
        )
    return start, end


def period_window(period: Period, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """The window of ``period`` ending at ``now`` (aware), in ``timezone`` for calendar periods."""
    require_aware(now, "now")
    zone = resolve_timezone(timezone)
    if period in _ROLLING:
        return now - _ROLLING[period], now
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
    *,
    max_days: int | None = MAX_WINDOW_DAYS,
) -> tuple[datetime, datetime]:
    """Explicit ``start``/``end`` (both, aware) or a named ``period`` (default
    :data:`DEFAULT_PERIOD`) ending at ``now``; ``timezone`` is validated in every case."""
    if (start is None) != (end is None):
        raise UserInputError("give both 'from' and 'to', or a period", field="from")
    if start is not None and end is not None:
        if period is not None:
            raise UserInputError("give either 'from'/'to' or a period, not both", field="period")
        resolve_timezone(timezone)
        return validate_window(start, end, max_days)
    return period_window(period or DEFAULT_PERIOD, timezone, now)


def chosen_window_arguments(
    window: WindowArguments | None,
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str | None,
) -> tuple[datetime | None, datetime | None, Period | None, str | None]:
    """``from``/``to``/``period``/``timezone`` of either the ``window`` input or the separate
    arguments (giving both is an error), not yet validated: for fields with their own default
    window (``runReport``); the others use :func:`window_from_arguments`."""
    if window is None:
        return start, end, period, timezone
    if start is not None or end is not None or period is not None or timezone is not None:
        raise UserInputError(
            "give either 'window' or 'from'/'to'/'period'/'timezone', not both", field="window"
        )
    return window.start, window.end, window.period, window.timezone


def window_from_arguments(
    window: WindowArguments | None,
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str | None,
    *,
    now: datetime,
    default_timezone: str,
    max_days: int | None = MAX_WINDOW_DAYS,
) -> TimeWindow:
    """The :class:`TimeWindow` of a field's window arguments: either the ``window`` input or the
    separate ``from``/``to``/``period``/``timezone`` arguments (giving both is an error).

    The timezone defaults to ``default_timezone`` (the organisation's); see
    :func:`resolve_window` for the rest.
    """
    start, end, period, timezone = chosen_window_arguments(window, start, end, period, timezone)
    zone = timezone or default_timezone
    lo, hi = resolve_window(start, end, period, zone, now, max_days=max_days)
    return TimeWindow(lo, hi, zone)


def required_window_from_arguments(
    window: WindowArguments | None,
    start: datetime | None,
    end: datetime | None,
    *,
    now: datetime,
    default_timezone: str,
    max_days: int | None = MAX_WINDOW_DAYS,
) -> TimeWindow:
    """Like :func:`window_from_arguments`, for fields whose window has no default (their
    ``from``/``to`` were required before they took ``window``): one of the two must be given."""
    if window is None and start is None and end is None:
        raise UserInputError("give either 'window' or both 'from' and 'to'", field="window")
    return window_from_arguments(
        window,
        start,
        end,
        None,
        None,
        now=now,
        default_timezone=default_timezone,
        max_days=max_days,
    )
