"""Forecasts that choose their model (:mod:`analytics.model_selection`) for ``volumeForecast``
and ``kpiForecast``.

Holidays come from the business calendars (``stats_calendar_holidays``: calendars in the
forecast's time zone, one statement; readable by all staff, agents included, under row level
security; an anonymous caller would see none). A bucket is a holiday when its local date is one.

Backtest size: as many non-overlapping horizons as the history allows after two seasonal
periods of training, at most :data:`HOURLY_ORIGINS` for hourly series (each origin refits five
models on ~1,000 points) and :data:`DAILY_ORIGINS` for daily ones. With no room for a single
origin the model cannot be chosen: ETS(A,N,A) is used and the result says so.

kpiForecast: any KPI with a daily series; count KPIs on the √ scale, others on their own scale;
days without observations are interpolated for the models (and count for nothing in scores
only through that interpolation); more than half missing is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

import sql
from analytics.forecast_models import DESCRIPTIONS, ModelPrediction, Transform, predict
from analytics.forecasting import Backtest, ForecastPoint
from analytics.model_selection import ModelScore, Selection, select_model
from resolvers.buckets import Granularity, TimeBucket, bucket_boundaries, bucket_label
from resolvers.errors import UserInputError
from resolvers.offload import run_cpu
from resolvers.port import Session
from resolvers.statistics import COUNT_KPIS, values_of
from resolvers.statistics_data import cached_result, kpi_series
from resolvers.windows import require_aware, resolve_timezone

HOURLY_ORIGINS, DAILY_ORIGINS = 3, 4
MIN_HISTORY_DAYS, MAX_HISTORY_DAYS, MAX_HORIZON_DAYS = 21, 365, 14


@dataclass(frozen=True, slots=True)
class ChosenForecast:
    """The forecast of the chosen model and how it was chosen (selection None: too short)."""

    model: str
    description: str
    prediction: ModelPrediction
    selection: Selection | None


async def holidays_between(session: Session, first: date, last: date, timezone: str) -> set[date]:
    """Holiday dates of the business calendars in ``[first, last]`` (see the module)."""
    rows = await session.fetch(sql.load("stats_calendar_holidays"), first, last, timezone)
    return {r["holiday"] for r in rows}


def choose_forecast(
    history: Sequence[float],
    horizon: int,
    period: int,
    *,
    periods: Sequence[int] = (),
    transform: Transform = "sqrt",
    holidays: np.ndarray | None = None,
    max_origins: int = DAILY_ORIGINS,
) -> ChosenForecast:
    """Select among the candidates by backtest, or ETS(A,N,A) when no origin fits (pure)."""
    y = np.asarray(history, dtype=np.float64)
    origins = min(max_origins, (y.size - 2 * period) // horizon)
    if origins >= 1:
        sel = select_model(y, horizon, period, periods=periods, transform=transform,
                           holidays=holidays, origins=origins)  # fmt: skip
        return ChosenForecast(sel.model, sel.description, sel.forecast, sel)
    if y.size < 2 * period:
        raise UserInputError(f"at least {2 * period} buckets of history are needed")
    pred = predict("ets_ana", y, horizon, period, transform=transform, holidays=holidays)
    note = " (history too short to backtest a choice)"
    return ChosenForecast("ets_ana", DESCRIPTIONS["ets_ana"] + note, pred, None)


def _choose_filled(
    raw: list[float], horizon: int, transform: Transform, flags: np.ndarray | None
) -> ChosenForecast:
    """kpiForecast's choice on the daily values with empty days interpolated (module level, so
    it runs in a worker process with a process pool)."""
    filled = pd.Series(raw).interpolate(limit_direction="both").to_numpy(dtype=np.float64)
    return choose_forecast(list(filled), horizon, 7, transform=transform, holidays=flags)


def holiday_flags(local_days: Sequence[date], holidays: set[date]) -> np.ndarray | None:
    """One flag per bucket (its local date is a holiday); None when there is no holiday."""
    flags = np.array([d in holidays for d in local_days], dtype=bool)
    return flags if flags.any() else None


@dataclass(frozen=True, slots=True)
class ForecastBucketResult:
    """One future bucket: its UTC span, local label and the forecast with its intervals."""

    start: datetime
    end: datetime
    local_label: str
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True, slots=True)
class KpiForecast:
    kpi: str
    timezone: str
    history_from: datetime
    history_to: datetime
    observed_days: int
    chosen: ChosenForecast
    buckets: tuple[ForecastBucketResult, ...]


def check_days(history_days: int, horizon_days: int, minimum: int = MIN_HISTORY_DAYS) -> None:
    """Bounds of historyDays / horizonDays (UserInputError)."""
    if not minimum <= history_days <= MAX_HISTORY_DAYS:
        raise UserInputError(
            f"historyDays must be between {minimum} and {MAX_HISTORY_DAYS}", field="historyDays"
        )
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise UserInputError(
            f"horizonDays must be between 1 and {MAX_HORIZON_DAYS}", field="horizonDays"
        )


def _days(as_of: datetime, timezone: str, history_days: int, horizon_days: int
          ) -> tuple[list[TimeBucket], list[TimeBucket]]:  # fmt: skip
    zone = resolve_timezone(timezone)
    at = require_aware(as_of, "asOf").astimezone(UTC)
    (current,) = bucket_boundaries(at, at + timedelta(microseconds=1), Granularity.DAY, zone)
    past = bucket_boundaries(current.start - timedelta(days=history_days + 1), current.start,
                             Granularity.DAY, zone)[-history_days:]  # fmt: skip
    future = bucket_boundaries(current.start, current.start + timedelta(days=horizon_days + 1),
                               Granularity.DAY, zone)[:horizon_days]  # fmt: skip
    return past, future


@cached_result("kpiForecast")
async def kpi_forecast(
    session: Session,
    kpi: str,
    *,
    timezone: str,
    as_of: datetime,
    history_days: int = 56,
    horizon_days: int = 7,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> KpiForecast:
    """Daily forecast of ``kpi`` with the model chosen by backtest; two statements."""
    check_days(history_days, horizon_days)
    past, future = _days(as_of, timezone, history_days, horizon_days)
    _, got = await kpi_series(session, [kpi], past[0].start, past[-1].end, Granularity.DAY,
                              timezone, team_id=team_id, agent_id=agent_id)  # fmt: skip
    points = got[kpi]
    raw = [math.nan if v is None else v for v in values_of(kpi, points)]
    observed = sum(1 for v in raw if not math.isnan(v))
    if observed * 2 < len(raw):
        raise UserInputError(
            f"only {observed} of {len(raw)} days have {kpi} observations you may see: "
            "too few to forecast",
            field="kpi",
        )
    days = [b.local_start.date() for b in (*past, *future)]
    holidays = await holidays_between(session, days[0], days[-1], timezone)
    transform: Transform = "sqrt" if kpi in COUNT_KPIS else "none"
    chosen = await run_cpu(_choose_filled, raw, horizon_days, transform,
                           holiday_flags(days, holidays))  # fmt: skip
    p = chosen.prediction
    buckets = tuple(
        ForecastBucketResult(
            b.start,
            b.end,
            bucket_label(Granularity.DAY, b.start, b.local_start),
            float(p.mean[i]),
            float(p.lo80[i]),
            float(p.hi80[i]),
            float(p.lo95[i]),
            float(p.hi95[i]),
        )
        for i, b in enumerate(future)
    )
    return KpiForecast(kpi, timezone, past[0].start, past[-1].end, observed, chosen, buckets)


def score_of(selection: Selection | None) -> tuple[ModelScore | None, ModelScore | None]:
    """(chosen, seasonal naive) backtest scores, or Nones without a selection."""
    if selection is None:
        return None, None
    return selection.chosen, selection.naive


def forecast_points(pred: ModelPrediction) -> list[ForecastPoint]:
    """A prediction as :class:`analytics.forecasting.ForecastPoint` steps 1..h."""
    return [
        ForecastPoint(
            i + 1,
            float(pred.mean[i]),
            float(pred.lo80[i]),
            float(pred.hi80[i]),
            float(pred.lo95[i]),
            float(pred.hi95[i]),
        )
        for i in range(len(pred.mean))
    ]


def legacy_backtest(chosen: ChosenForecast) -> Backtest | None:
    """The chosen model's backtest in the shape ``volumeForecast.backtest`` always had."""
    sel = chosen.selection
    if sel is None:
        return None
    return Backtest(
        origins=sel.origins,
        horizon=sel.horizon,
        mase=sel.chosen.mase,
        coverage80=sel.chosen.coverage80,
        coverage95=sel.chosen.coverage95,
        mae=math.nan,
        naive_mase=sel.naive.mase,
    )
