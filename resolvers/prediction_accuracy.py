"""``predictionAccuracy``: stored predictions judged against what happened.

Predictions of one type with ``target_start`` in the window whose outcome is known by now are
read with their outcome in one statement (``sql/queries/insights_judged_<type>.sql``) and judged
per (model, version) with :mod:`analytics.accuracy`:

* ``volume``, ``csat``: actual = tickets created / mean CSAT of surveys sent in the target
  period; MASE scaled by the weekly seasonal-naive MAE of the 28 local days of actuals before
  the first judged period (the same KPI series, ``ticket_volume`` / ``csat``), WAPE and 80%/95%
  interval coverage;
* ``churn_risk``: outcome = a churned period starts inside the 90-day target period (judged once
  it has ended); ``satisfaction_risk``: outcome = the ticket's survey rated 1 or 2 (judged once
  answered); AUC, Brier, the observed-rate Brier and the calibration table.

Predictions are organisation-level while outcomes are read under the caller's row level
security, so only roles that see every row (managers, executives, admins, analysts) may ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import groupby

import sql
from analytics.accuracy import ForecastAccuracy, forecast_accuracy, risk_accuracy
from analytics.risk_model import Evaluation
from resolvers.buckets import Granularity
from resolvers.errors import ForbiddenError, UserInputError
from resolvers.kpi_series import series
from resolvers.port import Row, Session
from resolvers.windows import resolve_timezone, validate_window

SEES_ALL = frozenset({"manager", "executive", "admin", "analyst"})
SCALE_DAYS = 28
_FORECAST_KPI = {"volume": "ticket_volume", "csat": "csat"}
_QUERY = {
    "volume": "insights_judged_volume",
    "csat": "insights_judged_csat",
    "churn_risk": "insights_judged_churn",
    "satisfaction_risk": "insights_judged_satisfaction_risk",
}


@dataclass(frozen=True, slots=True)
class ModelAccuracy:
    model: str
    version: str
    n: int
    first_target: datetime
    last_target: datetime
    forecast: ForecastAccuracy | None
    risk: Evaluation | None


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


async def _scale_history(
    session: Session, kind: str, first: datetime, timezone: str
) -> list[float]:
    """The daily actuals of the :data:`SCALE_DAYS` whole local days before ``first``."""
    zone = resolve_timezone(timezone)
    local = first.astimezone(zone).date()
    start = datetime.combine(local - timedelta(days=SCALE_DAYS), time(), zone)
    end = datetime.combine(local, time(), zone)
    points = await series(session, _FORECAST_KPI[kind], start, end, Granularity.DAY, timezone)
    values = [p.value if kind == "csat" else float(p.n) for p in points]
    return [float(v) for v in values if v is not None]


async def prediction_accuracy(
    session: Session,
    app_role: str | None,
    kind: str,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    timezone: str,
) -> list[ModelAccuracy]:
    """Accuracy per (model, version) of the ``kind`` predictions of ``[start, end)``."""
    if app_role not in SEES_ALL:
        raise ForbiddenError(
            "predictionAccuracy compares organisation-level predictions with organisation-level "
            "outcomes: managers, executives, admins and analysts only"
        )
    if kind not in _QUERY:
        raise UserInputError(f"predictions of type {kind} are not judged", field="type")
    validate_window(start, end)
    rows = await session.fetch(sql.load(_QUERY[kind]), start, end, now)
    out: list[ModelAccuracy] = []
    for (model, version), group in groupby(rows, key=lambda r: (r["model"], r["model_version"])):
        items: Sequence[Row] = list(group)
        first = min(r["target_start"] for r in items)
        last = max(r["target_start"] for r in items)
        if kind in _FORECAST_KPI:
            judged = [r for r in items if r["actual"] is not None]
            if not judged:
                continue
            training = await _scale_history(session, kind, first, timezone)
            fa = forecast_accuracy(
                [float(r["actual"]) for r in judged],
                [float(r["predicted_value"]) for r in judged],
                training,
                [_float(r["lower_80"]) for r in judged],
                [_float(r["upper_80"]) for r in judged],
                [_float(r["lower_95"]) for r in judged],
                [_float(r["upper_95"]) for r in judged],
            )
            out.append(ModelAccuracy(model, version, len(judged), first, last, fa, None))
        else:
            ev = risk_accuracy(
                [int(bool(r["outcome"])) for r in items],
                [float(r["predicted_value"]) for r in items],
            )
            out.append(ModelAccuracy(model, version, len(items), first, last, None, ev))
    return out
