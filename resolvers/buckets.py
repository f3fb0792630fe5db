"""Time series bucketed in the caller's time zone, with every bucket present.

docs/metrics.md ("Time windows, zones, business hours"): a window is ``[from, to)`` in UTC instants;
series are bucketed by hour, day, week or month in the caller's IANA time zone; buckets with no
data appear with ``n = 0`` and a null value, never missing.

Buckets
    ``DAY`` buckets run from local midnight to local midnight, ``WEEK`` from Monday 00:00 (ISO
    weeks), ``MONTH`` from the first of the month. They are local calendar units converted to
    instants, so the day the clocks go forward lasts 23 hours and the day they go back 25.
    ``HOUR`` buckets are real hours starting on the local hour: the night the clocks go back has
    25 hour buckets (the repeated local hour is two buckets, told apart by their UTC offset in
    the label) and the night they go forward 23. Zones whose offset changes by a fraction of an
    hour (only Australia/Lord_Howe today) keep hour buckets aligned to the offset at the window
    start. A local midnight that does not exist (a zone that springs forward at 00:00) starts the
    day at the change; one that happens twice resolves to the later occurrence, as PostgreSQL's
    ``at time zone`` does.

The window
    Only the window's data counts. The first and last bucket may therefore be partial; a series
    point reports the part of its bucket inside the window (:func:`clipped_bucket`: the bounds
    clipped to ``[from, to)``), and its label names the whole local bucket (:func:`local_label`):
    ``2026-10-25T02:00+02:00`` (hour, with its UTC offset), ``2026-10-25`` (day), ``2026-W43``
    (ISO week), ``2026-10`` (month).

Where the work happens
    The database makes the buckets (``analytics.series_buckets``) and aggregates per bucket,
    under the caller's row level security; :mod:`resolvers.kpi_series` turns that into KPI series.
    :func:`bucket_boundaries` computes the same boundaries in Python with :mod:`zoneinfo`; the
    resolvers use it to refuse oversized requests before any SQL is sent, and the tests use it as
    the independent check of the SQL buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from resolvers.errors import UserInputError
from resolvers.port import Row
from resolvers.windows import require_aware, resolve_timezone

#: Most buckets one series may have (e.g. 83 days of hours, 5 years of days).
MAX_BUCKETS = 2000

_HOUR = timedelta(hours=1)


class Granularity(Enum):
    """Bucket size of a series; the value is what the SQL receives (a closed set)."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class ForecastGranularity(Enum):
    """The granularities a volume forecast is made in: these :class:`Granularity` members (by
    value; GraphQL's ``ForecastGranularity``)."""

    HOUR = Granularity.HOUR.value
    DAY = Granularity.DAY.value


@dataclass(frozen=True, slots=True)
class TimeBucket:
    """One whole bucket: ``[start, end)`` in UTC and its local wall-clock start (naive)."""

    start: datetime
    end: datetime
    local_start: datetime


@dataclass(frozen=True, slots=True)
class SeriesRequest:
    """A validated series request: UTC window, granularity, zone and its bucket count."""

    window_from: datetime
    window_to: datetime
    granularity: Granularity
    timezone: str
    bucket_count: int


def parse_granularity(value: Granularity | str) -> Granularity:
    """``value`` as a :class:`Granularity` (names or values, any case); else UserInputError."""
    if isinstance(value, Granularity):
        return value
    key = value.strip().lower()
    for g in Granularity:
        if key == g.value:
            return g
    valid = ", ".join(g.name for g in Granularity)
    raise UserInputError(
        f"unknown granularity {value!r}: expected one of {valid}", field="granularity"
    )


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of naive local time ``local``, resolved as PostgreSQL resolves it.

    Unambiguous times have one instant. In a gap PostgreSQL applies the offset before the change,
    in an overlap it picks the later occurrence; both are the later of the two ``fold``
    interpretations.
    """
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return max(first, second)


def _truncate(local: datetime, granularity: Granularity) -> datetime:
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity is Granularity.WEEK:
        return midnight - timedelta(days=midnight.isoweekday() - 1)
    if granularity is Granularity.MONTH:
        return midnight.replace(day=1)
    return midnight


def _advance(local: datetime, granularity: Granularity) -> datetime:
    if granularity is Granularity.DAY:
        return local + timedelta(days=1)
    if granularity is Granularity.WEEK:
        return local + timedelta(days=7)
    if local.month == 12:
        return local.replace(year=local.year + 1, month=1)
    return local.replace(month=local.month + 1)


def _too_many(granularity: Granularity, limit: int) -> UserInputError:
    return UserInputError(
        f"the window from 'from' to 'to' holds more than {limit} {granularity.value} buckets; "
        "use a coarser granularity or a shorter window",
        field="granularity",
    )


def bucket_boundaries(
    window_from: datetime,
    window_to: datetime,
    granularity: Granularity,
    zone: ZoneInfo,
    *,
    limit: int = MAX_BUCKETS,
) -> list[TimeBucket]:
    """The whole buckets that meet ``[window_from, window_to)``, in order, empty ones included.

    Pure (zoneinfo only). Instants must be aware; results are in UTC. The first bucket is the
    one holding ``window_from`` (it may start before it), the last the one holding the instant
    just before ``window_to``. Raises :class:`UserInputError` when there would be more than
    ``limit`` buckets (checked while generating, so the work is bounded by ``limit``).
    """
    lo = require_aware(window_from, "from").astimezone(UTC)
    hi = require_aware(window_to, "to").astimezone(UTC)
    out: list[TimeBucket] = []
    if hi <= lo:
        return out
    if granularity is Granularity.HOUR:
        local = lo.astimezone(zone)
        start = lo - timedelta(
            minutes=local.minute, seconds=local.second, microseconds=local.microsecond
        )
        while start < hi:
            if len(out) == limit:
                raise _too_many(granularity, limit)
            out.append(
                TimeBucket(start, start + _HOUR, start.astimezone(zone).replace(tzinfo=None))
            )
            start += _HOUR
        return out
    local_start = _truncate(lo.astimezone(zone).replace(tzinfo=None), granularity)
    start = _instant(local_start, zone)
    while start < hi:
        local_next = _advance(local_start, granularity)
        end = _instant(local_next, zone)
        if end > lo:
            if len(out) == limit:
                raise _too_many(granularity, limit)
            out.append(TimeBucket(start, end, local_start))
        local_start, start = local_next, end
    return out


def local_label(granularity: Granularity, local_start: datetime, utc_offset: timedelta) -> str:
    """How a bucket is named in its zone (see the module docstring); ``local_start`` is naive."""
    if granularity is Granularity.HOUR:
        sign = "-" if utc_offset < timedelta(0) else "+"
        minutes = abs(utc_offset) // timedelta(minutes=1)
        return f"{local_start:%Y-%m-%dT%H:%M}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    if granularity is Granularity.DAY:
        return local_start.date().isoformat()
    if granularity is Granularity.WEEK:
        year, week, _ = local_start.date().isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local_start:%Y-%m}"


def validate_series(
    window_from: datetime,
    window_to: datetime,
    granularity: Granularity | str,
    timezone: str,
) -> SeriesRequest:
    """Check a series request before any SQL runs; :class:`UserInputError` names the argument.

    Both ends must carry a timezone and ``to`` must be after ``from``; the zone must be an IANA
    name; the window may hold at most :data:`MAX_BUCKETS` buckets of the granularity.
    """
    lo = require_aware(window_from, "from").astimezone(UTC)
    hi = require_aware(window_to, "to").astimezone(UTC)
    if hi <= lo:
        raise UserInputError("'to' must be after 'from' (the window is [from, to))", field="to")
    g = parse_granularity(granularity)
    zone = resolve_timezone(timezone)
    count = len(bucket_boundaries(lo, hi, g, zone))
    return SeriesRequest(lo, hi, g, timezone, count)


def clipped_bucket(row: Row, request: SeriesRequest) -> tuple[datetime, datetime, str]:
    """The bounds of one ``analytics.series_buckets`` row clipped to the window, and its label.

    ``row`` has the columns ``bucket_start``, ``bucket_end`` (instants) and ``local_start``
    (naive local time); the label carries the bucket's UTC offset at its start.
    """
    start: datetime = row["bucket_start"]
    end: datetime = row["bucket_end"]
    return (
        max(start, request.window_from),
        min(end, request.window_to),
        bucket_label(request.granularity, start, row["local_start"]),
    )


def bucket_label(granularity: Granularity, start: datetime, local_start: datetime) -> str:
    """:func:`local_label` of the bucket starting at instant ``start``, local (naive)
    ``local_start``: the UTC offset is their difference."""
    offset = local_start - start.astimezone(UTC).replace(tzinfo=None)
    return local_label(granularity, local_start, offset)
