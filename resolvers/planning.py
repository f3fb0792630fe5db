"""Planning: ticket volume forecasts and queue staffing plans (docs/metrics.md "Statistics",
"Queues and staffing").

Volume forecast
    History: tickets created per bucket (the ``ticket_volume`` series of
    :mod:`resolvers.kpi_series`, so the caller's row level security decides which tickets count)
    over the ``history_days`` of whole buckets before ``as_of``: hours, or days of the caller's
    time zone. The last bucket is the one *before* the bucket holding ``as_of`` (a bucket still
    filling would read as a drop). :func:`analytics.forecasting.forecast_counts` projects
    ``horizon_days`` ahead with weekly seasonality (period 168 hours or 7 days) and 80%/95%
    prediction intervals; with ``backtest`` the same model is scored by a rolling-origin
    backtest (MASE against the weekly seasonal-naive forecast, interval coverage).

Staffing plan
    History: one queue's contacts offered per UTC hour and the AHT of its answered contacts
    (``sql/queries/planning_queue_hours.sql``; queue metrics are staff-only under RLS). The
    offered contacts are forecast per hour as above, and every forecast hour gets the Erlang C
    requirement (:func:`analytics.erlang.required_agents`) for the service-level target: agents
    on the queue, the roster covering shrinkage, and the same for the upper bound of the 80%
    interval (a plan that holds in four hours out of five, up to the interval's calibration).
    The answer threshold defaults to the queue's own (the last one reported); AHT is the
    history's, weighted by answered contacts.

Local time
    Demand follows the clock on the wall, so hourly data are modelled in local wall-clock hours:
    the history is laid on a contiguous grid of local hours (the hour repeated when the clocks
    go back is the mean of its two real hours; the hour skipped when they go forward takes the
    hour before it), the weekly cycle is 168 local hours, and each future real hour takes the
    forecast of its local hour (both real hours of a repeated local hour get it). A forecast
    crossing a daylight-saving change therefore keeps 09:00 at 09:00.

Both cost one SQL statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sql
from analytics.erlang import StaffingRequirement, required_agents
from analytics.forecasting import Backtest, Forecast, ForecastPoint, forecast_counts
from resolvers.buckets import (
    MAX_BUCKETS,
    Granularity,
    TimeBucket,
    bucket_boundaries,
    bucket_label,
)
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.kpi_series import series
from resolvers.port import Session
from resolvers.statistics_data import cached_result, off_loop
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


@dataclass(frozen=True, slots=True)
class StaffingHourResult:
    """One forecast hour of a queue and what it needs (mean forecast and 80% upper bound)."""

    bucket: ForecastBucketResult
    need: StaffingRequirement
    need_high: StaffingRequirement


@dataclass(frozen=True, slots=True)
class StaffingPlanResult:
    queue: str
    timezone: str
    history_from: datetime
    history_to: datetime
    aht_seconds: float
    answer_seconds: int
    target_service_level: float
    max_occupancy: float
    shrinkage: float
    concurrency: float
    method: str
    hours: tuple[StaffingHourResult, ...]


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


def _history_buckets(
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


def _future(
    after: datetime, granularity: Granularity, timezone: str, count: int
) -> list[TimeBucket]:
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


def _forecast(counts: Sequence[float], horizon: int, period: int) -> Forecast:
    try:
        return forecast_counts(counts, horizon, period)
    except ValueError as exc:
        raise UserInputError(f"cannot forecast from this history: {exc}") from exc


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
    history = _history_buckets(as_of, granularity, timezone, history_days)
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
    future = _future(end, granularity, timezone, horizon)
    zone = resolve_timezone(timezone)
    if granularity is Granularity.HOUR:
        modelled, last_local = _local_grid([b.start for b in history], counts, zone)
        steps = _local_steps(last_local, future)
        local_hours = [last_local - (len(modelled) - 1 - i) * _HOUR for i in range(len(modelled))]
        local_days = [h.date() for h in local_hours] + [
            (last_local + (k + 1) * _HOUR).date() for k in range(steps)
        ]
    else:
        modelled, steps = counts, horizon
        local_days = [b.local_start.date() for b in (*history, *future)]
    holidays = await holidays_between(session, local_days[0], local_days[-1], timezone)
    flags = holiday_flags(local_days, holidays)
    hourly = granularity is Granularity.HOUR
    chosen = await off_loop(
        lambda: choose_forecast(
            modelled, steps, period, periods=(24, 168) if hourly else (), holidays=flags,
            max_origins=HOURLY_ORIGINS if hourly else DAILY_ORIGINS,
        )
    )  # fmt: skip
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


def _requirement(
    contacts: float, aht: float, target: float, answer: int, occ: float, shr: float, conc: float
) -> StaffingRequirement:
    try:
        options = {"max_occupancy": occ, "shrinkage": shr, "concurrency": conc}
        return required_agents(contacts, 3600.0, aht, target, answer, **options)
    except ValueError as exc:  # e.g. no headcount can reach a tiny maxOccupancy
        raise UserInputError(f"no staffing meets these targets: {exc}") from exc


async def staffing_plan(
    ctx: RequestContext,
    queue: str,
    *,
    timezone: str,
    as_of: datetime,
    history_days: int = 42,
    horizon_days: int = 7,
    target_service_level: float = 0.8,
    answer_seconds: int | None = None,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.3,
    concurrency: float = 1.0,
) -> StaffingPlanResult:
    """Agents needed per forecast hour on ``queue`` (see the module docstring)."""
    _check_days(history_days, horizon_days)
    if not 0.0 < target_service_level < 1.0:
        raise UserInputError("serviceLevelTarget must be in (0, 1)", field="serviceLevelTarget")
    if not 0.0 < max_occupancy <= 1.0:
        raise UserInputError("maxOccupancy must be in (0, 1]", field="maxOccupancy")
    if not 0.0 <= shrinkage < 1.0:
        raise UserInputError("shrinkage must be in [0, 1)", field="shrinkage")
    if not concurrency >= 1.0:
        raise UserInputError("concurrency must be at least 1", field="concurrency")
    if answer_seconds is not None and answer_seconds <= 0:
        raise UserInputError("answerSeconds must be positive", field="answerSeconds")
    resolve_timezone(timezone)
    at = require_aware(as_of, "asOf").astimezone(UTC)
    end = at.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=history_days)
    rows = await ctx.session.fetch(sql.load("planning_queue_hours"), queue, start, end)
    answered = sum(int(r["aht_answered"]) for r in rows)
    if answered == 0:
        raise UserInputError(
            f"no answered {queue} contacts with a handle time in the {history_days} days before "
            "asOf: nothing to plan from (or your role may not read queue metrics)",
            field="queue",
        )
    aht = sum(float(r["aht_weighted"] or 0.0) for r in rows) / answered
    if not aht > 0:
        raise UserInputError(
            f"the {queue} history reports no handle time (AHT 0): nothing to plan from",
            field="queue",
        )
    thresholds = [int(r["threshold_seconds"]) for r in rows if r["threshold_seconds"] is not None]
    answer = answer_seconds if answer_seconds is not None else thresholds[-1]
    zone = resolve_timezone(timezone)
    grid, last_local = _local_grid(
        [r["hour_start"] for r in rows], [float(r["offered"]) for r in rows], zone
    )
    starts = [end + i * _HOUR for i in range(horizon_days * 24)]
    future = [TimeBucket(t, t + _HOUR, _wall_clock(t, zone)) for t in starts]
    forecast = _forecast(grid, _local_steps(last_local, future), 168)
    chosen = _on_real_hours(forecast.points, last_local, future)
    args = (aht, target_service_level, answer, max_occupancy, shrinkage, concurrency)
    hours = tuple(
        StaffingHourResult(b, _requirement(b.mean, *args), _requirement(b.hi80, *args))
        for b in _buckets(chosen, future, Granularity.HOUR)
    )
    return StaffingPlanResult(
        queue=queue,
        timezone=timezone,
        history_from=start,
        history_to=end,
        aht_seconds=aht,
        answer_seconds=answer,
        target_service_level=target_service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        concurrency=concurrency,
        method=forecast.method,
        hours=hours,
    )
