"""Validation of time windows given as arguments.

Instant windows are half-open ``[from, to)`` in UTC instants (METRICS.md): both ends must carry a
timezone, ``to`` must be after ``from``, and the window may not be longer than a field's limit.
Date ranges are inclusive of both days and limited in days. Every violation raises
:class:`UserInputError` with a message naming the arguments, before any SQL is sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from resolvers.errors import UserInputError


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
    max_days: int,
    *,
    names: tuple[str, str] = ("from", "to"),
) -> tuple[datetime, datetime]:
    """Check the half-open window ``[start, end)`` and return it unchanged.

    Raises :class:`UserInputError` when either end is naive, when ``end`` is not after ``start``
    or when the window is longer than ``max_days`` days.
    """
    lo, hi = names
    require_aware(start, lo)
    require_aware(end, hi)
    if end <= start:
        raise UserInputError(f"'{hi}' must be after '{lo}' (the window is [{lo}, {hi}))", field=hi)
    if end - start > timedelta(days=max_days):
        raise UserInputError(
            f"the window from '{lo}' to '{hi}' may span at most {max_days} days", field=lo
        )
    return start, end


def validate_optional_window(
    start: datetime | None,
    end: datetime | None,
    max_days: int,
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
    max_days: int,
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
