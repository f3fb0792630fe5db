"""Queue staffing plans (docs/metrics.md "Queues and staffing").

History: one queue's contacts offered per UTC hour and the AHT of its answered contacts
(``sql/queries/planning_queue_hours.sql``; queue metrics are staff-only under RLS), laid on local
wall-clock hours as ``volumeForecast``'s (:mod:`resolvers.planning`). The offered contacts are
forecast per hour by the model that wins the same rolling-origin backtest as ``volumeForecast``'s,
per queue (:func:`resolvers.planning.choose_hourly`: seasonal naive, ETS with and without
(damped) trend, MSTL for the daily and weekly cycles, holiday effects; never worse than seasonal
naive on its backtest), and every forecast hour gets the Erlang C requirement
(:func:`analytics.erlang.required_agents`) for the service-level target: agents on the queue,
the roster covering shrinkage, and the same for the upper bound of the 80% interval (a plan that
holds in four hours out of five, up to the interval's calibration). The answer threshold
defaults to the queue's own (the last one reported); AHT is the history's, weighted by answered
contacts.

Two SQL statements: the queue's hours and the calendars' holidays. Results are cached as the
statistics fields' (per rights, arguments and data version; queue metrics are in the change
log), since the backtest costs most of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sql
from analytics.erlang import StaffingRequirement, required_agents
from resolvers.buckets import Granularity, TimeBucket
from resolvers.errors import UserInputError
from resolvers.planning import (
    _HOUR,
    _buckets,
    _check_days,
    _local_grid,
    _local_steps,
    _on_real_hours,
    _wall_clock,
    choose_hourly,
)
from resolvers.port import Session
from resolvers.statistics_data import cached_result
from resolvers.statistics_forecast import ChosenForecast, ForecastBucketResult, forecast_points
from resolvers.windows import require_aware, resolve_timezone


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
    chosen: ChosenForecast


def _requirement(
    contacts: float, aht: float, target: float, answer: int, occ: float, shr: float, conc: float
) -> StaffingRequirement:
    try:
        options = {"max_occupancy": occ, "shrinkage": shr, "concurrency": conc}
        return required_agents(contacts, 3600.0, aht, target, answer, **options)
    except ValueError as exc:  # e.g. no headcount can reach a tiny maxOccupancy
        raise UserInputError(f"no staffing meets these targets: {exc}") from exc


@cached_result("staffingPlan")
async def staffing_plan(
    session: Session,
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
    rows = await session.fetch(sql.load("planning_queue_hours"), queue, start, end)
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
    model = await choose_hourly(
        session, grid, last_local, _local_steps(last_local, future), timezone
    )
    chosen = _on_real_hours(forecast_points(model.prediction), last_local, future)
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
        method=model.description,
        hours=hours,
        chosen=model,
    )
