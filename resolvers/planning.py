"""Planning: ticket volume forecasts (docs/metrics.md "Statistics"); queue staffing plans are in
:mod:`resolvers.staffing`.

Volume forecast
    History: tickets created per bucket (the ``ticket_volume`` series of
    :mod:`resolvers.kpi_series`, so the caller's row level security decides which tickets count)
    over the ``history_days`` of whole buckets before ``as_of``: hours, or days of the caller's
    time zone. The last bucket is the one *before* the bucket holding ``as_of`` (a bucket still
    filling would read as a drop). The model is chosen per series by rolling-origin backtest
    (:mod:`resolvers.statistics_forecast`, :mod:`analytics.model_selection`) with weekly
    seasonality (period 168 hours or 7 days; hourly also the daily cycle), holiday effects and
    80%/95% prediction intervals; ``backtest`` adds the chosen model's scores in the original
    shape.

Local time
    Demand follows the clock on the wall, so hourly data are modelled in local wall-clock hours:
    the history is laid on a contiguous grid of local hours (the hour repeated when the clocks
    go back is the mean of its two real hours; the hour skipped when they go forward takes the
    hour before it), the weekly cycle is 168 local hours, and each future real hour takes the
    forecast of its local hour (both real hours of a repeated local hour get it). A forecast
    crossing a daylight-saving change therefore keeps 09:00 at 09:00.

Two SQL statements: the series and the calendars' holidays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.forecasting import Backtest, ForecastPoint
from resolvers.buckets import (
    MAX_BUCKETS,
    Granularity,
    TimeBucket,
    bucket_boundaries,
    bucket_label,
)
from resolvers.errors import UserInputError
from resolvers.kpi_series import series
from resolvers.offload import run_cpu
from resolvers.port import Session
from resolvers.statistics_data import cached_result
from resolvers.statistics_forecast import (
    DAILY_ORIGINS,
    HOURLY_ORIGINS,
    ChosenForecast,
    ForecastBucketResult,
    choose_forecast,
    forecast_points,
    holiday_flags,
    holidays_between,
    legacy_backtest,
)
from resolvers.windows import require_aware, resolve_timezone

#: Bounds of the planning arguments (at least two weeks of history: two seasonal periods).
MIN_HISTORY_DAYS, MAX_HISTORY_DAYS = 14, 365
MAX_HORIZON_DAYS = 14
_PERIOD = {Granularity.HOUR: 168, Granularity.DAY: 7}
_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class VolumeForecastResult:
    granularity: Granularity
    timezone: str
    history_from: datetime
    history_to: datetime
    history_total: int
    method: str
    buckets: tuple[ForecastBucketResult, ...]
    backtest: Backtest | None
    chosen: ChosenForecast | None = None
    channel: str | None = None


def _check_days(history_days: int, horizon_days: int) -> None:
    if not MIN_HISTORY_DAYS <= history_days <= MAX_HISTORY_DAYS:
        raise UserInputError(
            f"historyDays must be between {MIN_HISTORY_DAYS} and {MAX_HISTORY_DAYS} (two weeks "
            "at least: the model learns the weekly pattern)",
            field="historyDays",
        )
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise UserInputError(
            f"horizonDays must be between 1 and {MAX_HORIZON_DAYS}", field="horizonDays"
        )


def history_buckets(
    as_of: datetime, granularity: Granularity, timezone: str, history_days: int
) -> list[TimeBucket]:
    """The ``history_days`` local days (or ``24 × history_days`` hours) of whole buckets before
    the bucket holding ``as_of``."""
    zone = resolve_timezone(timezone)
    at = require_aware(as_of, "asOf").astimezone(UTC)
    (current,) = bucket_boundaries(at, at + timedelta(microseconds=1), granularity, zone)
    count = history_days * (24 if granularity is Granularity.HOUR else 1)
    if count > MAX_BUCKETS:
        raise UserInputError(
            f"{history_days} days of {granularity.value}s is more than {MAX_BUCKETS} buckets; "
            "use DAY or fewer historyDays",
            field="historyDays",
        )
    # a day of slack covers a 25-hour day; the last ``count`` whole buckets are kept
    first = current.start - timedelta(days=history_days + 1)
    span = bucket_boundaries(first, current.start, granularity, zone, limit=MAX_BUCKETS + 50)
    return span[-count:]


def future_buckets(
    after: datetime, granularity: Granularity, timezone: str, count: int
) -> list[TimeBucket]:
    """The ``count`` whole local buckets (days or hours) from ``after`` on."""
    zone = resolve_timezone(timezone)
    span = (
        timedelta(hours=count + 2) if granularity is Granularity.HOUR else timedelta(days=count + 2)
    )
    return bucket_boundaries(after, after + span, granularity, zone)[:count]


def _buckets(
    points: Sequence[ForecastPoint], future: Sequence[TimeBucket], g: Granularity
) -> tuple[ForecastBucketResult, ...]:
    return tuple(
        ForecastBucketResult(
            b.start,
            b.end,
            bucket_label(g, b.start, b.local_start),
            p.mean,
            p.lo80,
            p.hi80,
            p.lo95,
            p.hi95,
        )
        for b, p in zip(future, points, strict=True)
    )


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _local_grid(
    starts: Sequence[datetime], counts: Sequence[float], zone: ZoneInfo
) -> tuple[list[float], datetime]:
    """``counts`` of consecutive real hours ``starts`` laid on contiguous local wall-clock hours
    (see the module docstring); returns the grid and its last local hour."""
    by_local: dict[datetime, list[float]] = {}
    for start, count in zip(starts, counts, strict=True):
        by_local.setdefault(_wall_clock(start, zone), []).append(count)
    first, last = min(by_local), max(by_local)
    grid: list[float] = []
    hour = first
    while hour <= last:
        values = by_local.get(hour)
        grid.append(sum(values) / len(values) if values else grid[-1])
        hour += _HOUR
    return grid, last


def _on_real_hours(
    points: Sequence[ForecastPoint], last_local: datetime, future: Sequence[TimeBucket]
) -> list[ForecastPoint]:
    """The forecast of each future real hour: the point of its local wall-clock hour."""
    return [points[int((b.local_start - last_local) / _HOUR) - 1] for b in future]


def _local_steps(last_local: datetime, future: Sequence[TimeBucket]) -> int:
    return int((max(b.local_start for b in future) - last_local) / _HOUR)


async def choose_hourly(
    session: Session, grid: Sequence[float], last_local: datetime, steps: int, timezone: str
) -> ChosenForecast:
    """The model chosen by rolling-origin backtest (resolvers.statistics_forecast) for an
    hourly history on the local grid ending at ``last_local``, ``steps`` local hours ahead, with
    the daily and weekly cycles and the holidays of the business calendars (one statement);
    off the event loop. volumeForecast and staffingPlan both forecast hours with this."""
    local_hours = [last_local - (len(grid) - 1 - i) * _HOUR for i in range(len(grid))]
    local_days = [h.date() for h in local_hours] + [
        (last_local + (k + 1) * _HOUR).date() for k in range(steps)
    ]
    holidays = await holidays_between(session, local_days[0], local_days[-1], timezone)
    flags = holiday_flags(local_days, holidays)
    # a module-level function of arrays: it runs in a worker process with a process pool
    return await run_cpu(choose_forecast, list(grid), steps, 168, periods=(24, 168),
                         holidays=flags, max_origins=HOURLY_ORIGINS)  # fmt: skip


@cached_result("volumeForecast")
async def volume_forecast(
    session: Session,
    *,
    granularity: Granularity,
    timezone: str,
    as_of: datetime,
    history_days: int = 42,
    horizon_days: int = 7,
    backtest: bool = False,
    channel: str | None = None,
) -> VolumeForecastResult:
    """Tickets created per hour or local day for ``horizon_days`` after ``as_of`` (of one
    ``channel`` when given), with the model chosen by backtest (see the module docstring);
    :class:`UserInputError` for arguments out of bounds."""
    if granularity not in _PERIOD:
        raise UserInputError("forecasts are by HOUR or DAY", field="granularity")
    _check_days(history_days, horizon_days)
    history = history_buckets(as_of, granularity, timezone, history_days)
    start, end = history[0].start, history[-1].end
    group = "channel" if channel is not None else None
    points = await series(session, "ticket_volume", start, end, granularity, timezone,
                          group_by=group)  # fmt: skip
    if channel is not None:
        points = [p for p in points if p.group == channel] or [
            dataclasses.replace(p, n=0, value=None) for p in points if p.group == points[0].group
        ]
    counts = [float(p.n) for p in points]
    horizon = horizon_days * (24 if granularity is Granularity.HOUR else 1)
    period = _PERIOD[granularity]
    future = future_buckets(end, granularity, timezone, horizon)
    zone = resolve_timezone(timezone)
    hourly = granularity is Granularity.HOUR
    if hourly:
        modelled, last_local = _local_grid([b.start for b in history], counts, zone)
        chosen = await choose_hourly(
            session, modelled, last_local, _local_steps(last_local, future), timezone
        )
    else:
        local_days = [b.local_start.date() for b in (*history, *future)]
        holidays = await holidays_between(session, local_days[0], local_days[-1], timezone)
        flags = holiday_flags(local_days, holidays)
        chosen = await run_cpu(choose_forecast, counts, horizon, period, holidays=flags,
                               max_origins=DAILY_ORIGINS)  # fmt: skip
    pts = forecast_points(chosen.prediction)
    picked = _on_real_hours(pts, last_local, future) if hourly else pts
    return VolumeForecastResult(
        granularity=granularity,
        timezone=timezone,
        history_from=start,
        history_to=end,
        history_total=int(sum(counts)),
        method=chosen.description,
        buckets=_buckets(picked, future, granularity),
        backtest=legacy_backtest(chosen) if backtest else None,
        chosen=chosen,
        channel=channel,
    )
