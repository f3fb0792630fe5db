"""Time for the simulation: the period, Paris local time, holidays, business calendars, seasonality.

All instants are int64 Unix seconds (UTC). Local time is Europe/Paris (the organisation's zone):
:class:`LocalClock` maps instants to local days, hours and ISO weekdays without a per-row loop by
precomputing the UTC offset of every UTC hour of the span (offsets only change on whole UTC hours).

:class:`BusinessClock` adds business seconds to instants (vectorised): the open intervals of
every day of a span are laid end to end, so "business seconds since the origin" is a cumulative
sum and adding business time is two ``searchsorted`` calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from synthetic.rand import F64, I64

ORG_TZ = "Europe/Paris"
DAY = 86_400
HOUR = 3_600


@dataclass(frozen=True)
class DataSpan:
    """The simulated period ``[start, end)``; ``end`` is the "now" of the data set."""

    start: int
    end: int

    @property
    def days(self) -> float:
        return (self.end - self.start) / DAY


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_holidays(year: int) -> list[tuple[date, str]]:
    """The eleven French public holidays of ``year``, in date order."""
    e = easter(year)
    days = [
        (date(year, 1, 1), "Jour de l'an"),
        (e + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (e + timedelta(days=39), "Ascension"),
        (e + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]
    return sorted(days)


def black_friday(year: int) -> date:
    """The fourth Friday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 21)


class LocalClock:
    """Europe/Paris local time of instants within ``[start, stop)`` (one offset per UTC hour)."""

    def __init__(self, start: int, stop: int, tz: str = ORG_TZ) -> None:
        zone = ZoneInfo(tz)
        self.origin = (start // HOUR) * HOUR
        hours = (stop - self.origin) // HOUR + 2
        offsets = []
        for h in range(hours):
            instant = datetime.fromtimestamp(self.origin + h * HOUR, UTC).astimezone(zone)
            offset = instant.utcoffset()
            offsets.append(int(offset.total_seconds()) if offset else 0)
        self.offsets: I64 = np.asarray(offsets, dtype=np.int64)

    def local(self, ts: I64) -> I64:
        """Local wall-clock seconds since 1970-01-01 00:00 (local)."""
        idx = np.clip((ts - self.origin) // HOUR, 0, len(self.offsets) - 1)
        result: I64 = ts + self.offsets[idx]
        return result

    def day(self, ts: I64) -> I64:
        """Local date as days since 1970-01-01."""
        result: I64 = self.local(ts) // DAY
        return result

    def hour(self, ts: I64) -> I64:
        result: I64 = (self.local(ts) % DAY) // HOUR
        return result

    def weekday(self, ts: I64) -> I64:
        """ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday)."""
        result: I64 = (self.day(ts) + 3) % 7 + 1
        return result


@dataclass(frozen=True)
class BusinessClock:
    """Opening hours in a timezone; ``add`` moves instants forward by business seconds.

    ``open_days`` are ISO weekdays; days in ``holidays`` are closed. The calendar covers local
    dates ``[first, last]``; past the last interval time runs as calendar time (callers size the
    span so that this never matters).
    """

    name: str
    tz: str
    open_days: tuple[int, ...]
    opens: time
    closes: time
    holidays: frozenset[date]
    first: date
    last: date
    open_at: I64 = field(init=False, repr=False)
    cum_start: I64 = field(init=False, repr=False)
    cum_end: I64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        zone = ZoneInfo(self.tz)
        starts: list[int] = []
        ends: list[int] = []
        d = self.first
        while d <= self.last:
            if d.isoweekday() in self.open_days and d not in self.holidays:
                starts.append(int(datetime.combine(d, self.opens, zone).timestamp()))
                ends.append(int(datetime.combine(d, self.closes, zone).timestamp()))
            d += timedelta(days=1)
        open_at = np.asarray(starts, dtype=np.int64)
        lengths = np.asarray(ends, dtype=np.int64) - open_at
        cum_end = np.cumsum(lengths)
        object.__setattr__(self, "open_at", open_at)
        object.__setattr__(self, "cum_end", cum_end)
        object.__setattr__(self, "cum_start", cum_end - lengths)

    def elapsed(self, ts: I64) -> I64:
        """Business seconds from the calendar's origin to each instant."""
        ts = np.asarray(ts, dtype=np.int64)
        k = np.searchsorted(self.open_at, ts, side="right") - 1
        kk = np.maximum(k, 0)
        length = self.cum_end[kk] - self.cum_start[kk]
        inside = np.clip(ts - self.open_at[kk], 0, length)
        result: I64 = np.where(k >= 0, self.cum_start[kk] + inside, 0)
        return result

    def add(self, ts: I64, seconds: I64) -> I64:
        """Instants ``seconds`` (> 0) business seconds after ``ts``."""
        target = self.elapsed(ts) + np.asarray(seconds, dtype=np.int64)
        j = np.searchsorted(self.cum_end, target, side="left")
        jj = np.minimum(j, len(self.cum_end) - 1)
        inside = self.open_at[jj] + (target - self.cum_start[jj])
        beyond = self.open_at[-1] + (self.cum_end[-1] - self.cum_start[-1])
        result: I64 = np.where(j < len(self.cum_end), inside, beyond + target - self.cum_end[-1])
        return result

    def between(self, t0: I64, t1: I64) -> I64:
        """Business seconds between two instants (0 when ``t1`` ≤ ``t0``)."""
        result: I64 = np.maximum(self.elapsed(t1) - self.elapsed(t0), 0)
        return result


def add_business_minutes(ts: I64, minutes: I64, calendar: BusinessClock | None) -> I64:
    """Due instants: ``minutes`` after ``ts`` in ``calendar`` time, or calendar time if None."""
    seconds = np.asarray(minutes, dtype=np.int64) * 60
    if calendar is None:
        result: I64 = np.asarray(ts, dtype=np.int64) + seconds
        return result
    return calendar.add(ts, seconds)


def local_date_span(period: DataSpan, before: int, after: int) -> tuple[date, date]:
    """Local dates from ``before`` days before the period to ``after`` days after it."""
    zone = ZoneInfo(ORG_TZ)
    first = datetime.fromtimestamp(period.start, zone).date() - timedelta(days=before)
    last = datetime.fromtimestamp(period.end, zone).date() + timedelta(days=after)
    return first, last


def holidays_between(first: date, last: date) -> list[tuple[date, str]]:
    """French public holidays on local dates ``[first, last]``."""
    out: list[tuple[date, str]] = []
    for year in range(first.year, last.year + 1):
        out.extend((d, n) for d, n in french_holidays(year) if first <= d <= last)
    return out


#: Relative arrivals by ISO weekday (index 1..7) and by local hour.
WEEKDAY_WEIGHT = np.array([0.0, 1.28, 1.12, 1.05, 1.0, 0.95, 0.68, 0.55])
HOUR_WEIGHT = np.array(
    [0.14, 0.09, 0.06, 0.05, 0.05, 0.08, 0.2, 0.45, 0.8, 1.1, 1.3, 1.42,
     1.3, 1.22, 1.32, 1.4, 1.3, 1.15, 1.0, 0.9, 0.8, 0.65, 0.45, 0.27]
)  # fmt: skip
#: Yearly growth of the arrival rate (the "slight growth trend").
GROWTH_PER_YEAR = 0.25


def _days_from_epoch(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def seasonal_weights(
    hour_start: I64, clock: LocalClock, holidays: Iterable[date], leaves: list[str]
) -> tuple[F64, F64]:
    """Arrival weights per hour and per (hour, leaf category) multipliers.

    Returns ``(base, mult)``: ``base[h]`` is the weekly × intraday × holiday × trend weight of
    hour ``h``; ``mult[h, c]`` scales leaf category ``c`` in that hour for retail peaks (Black
    Friday, Christmas deliveries, January returns) and the New-Year fitness resolutions.
    """
    day = clock.day(hour_start)
    base = WEEKDAY_WEIGHT[clock.weekday(hour_start)] * HOUR_WEIGHT[clock.hour(hour_start)]
    holiday_days = np.array([_days_from_epoch(d) for d in holidays], dtype=np.int64)
    base = base * np.where(np.isin(day, holiday_days), 0.6, 1.0)
    years = (hour_start - hour_start[0]) / (365.0 * DAY)
    base = base * (1.0 + GROWTH_PER_YEAR * years)
    mult = np.ones((len(hour_start), len(leaves)))
    col = {slug: i for i, slug in enumerate(leaves)}
    first = date(1970, 1, 1) + timedelta(days=int(day.min()))
    last = date(1970, 1, 1) + timedelta(days=int(day.max()))
    for year in range(first.year - 1, last.year + 1):
        bf = _days_from_epoch(black_friday(year))
        peak = (day >= bf) & (day <= bf + 3)
        base = base * np.where(peak, 1.35, 1.0)
        for slug, factor in (
            ("late_delivery", 1.8),
            ("damaged_item", 1.5),
            ("payment_failed", 1.6),
        ):
            mult[peak, col[slug]] *= factor
        xmas = _days_from_epoch(date(year, 12, 25))
        rush = (day >= xmas - 15) & (day <= xmas - 2)
        base = base * np.where(rush, 1.15, 1.0)
        mult[rush, col["late_delivery"]] *= 1.6
        jan = _days_from_epoch(date(year + 1, 1, 1))
        returns = (day >= jan + 1) & (day <= jan + 20)
        mult[returns, col["returns_refunds"]] *= 2.2
        mult[returns, col["refund_status"]] *= 1.6
        resolution = (day >= jan) & (day < jan + 38)
        fade = np.clip(1.0 - (day - jan) / 38.0, 0.0, 1.0)
        for slug in ("class_booking", "membership_change"):
            mult[:, col[slug]] *= np.where(resolution, 1.0 + 1.2 * fade, 1.0)
    return base, mult
