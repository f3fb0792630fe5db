"""``predict``: train the run's models and keep its predictions in support_predictions.

For the whole UTC hour holding ``as_of`` (everything below is computed as of that instant,
``day`` below, so a second run within the hour computes the same rows):

* ``churn_risk``: every active VIP client scored by the run's churn model, target period
  [day, day + 90 days), the client's id, model ``churn``, version = the model's;
* ``satisfaction_risk``: every open ticket scored by the run's low-satisfaction model, target
  period [day, day + 1 day), the ticket's id;
* ``volume``: tickets per local day for 7 days (the whole days after the one holding ``day``,
  so every run of a day stores the same forecast) (:func:`resolvers.planning.volume_forecast`, 42
  days of history) with its 80%/95% intervals;
* ``csat``: daily mean CSAT for 7 days (:func:`resolvers.insights.satisfaction_forecast`).

Each row carries the model name, version and training window. Rows are written with
``on conflict do nothing`` on (type, target period, scope, client, ticket, model, version), so a
run repeated within the hour (forecasts: within the day; or a second gateway process running
the schedule) writes nothing twice; the count of rows actually written is returned per type.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import sql
from resolvers.buckets import Granularity
from resolvers.context import Caller, RequestContext
from resolvers.insights import satisfaction_forecast
from resolvers.insights_models import (
    CHURN_HORIZON_DAYS,
    TRAINER_APP_ROLE,
    StoredModel,
    run_instant,
    train_churn,
    train_satisfaction_risk,
)
from resolvers.insights_scoring import score_clients, score_tickets
from resolvers.planning import volume_forecast
from resolvers.port import Session

FORECAST_VERSION = "1"
FORECAST_HISTORY_DAYS = 42
FORECAST_HORIZON_DAYS = 7


@dataclass
class PredictionRows:
    """Columns of ``insights_predictions_insert``."""

    columns: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(15)])

    def add(
        self,
        kind: str,
        start: datetime,
        end: datetime,
        value: float,
        model: str,
        version: str,
        window: tuple[datetime | None, datetime | None],
        *,
        customer: UUID | None = None,
        ticket: int | None = None,
        bounds: Sequence[float | None] = (None, None, None, None),
    ) -> None:
        head = (kind, start, end, "all", customer, ticket, value)
        values = (*head, *bounds, model, version, *window)
        for column, v in zip(self.columns, values, strict=True):
            column.append(v)

    def __len__(self) -> int:
        return len(self.columns[0])


@dataclass(frozen=True, slots=True)
class PredictSummary:
    day: datetime
    churn_version: int
    risk_version: int
    written: dict[str, int]
    scored: dict[str, int]


async def _write(writer: Session, rows: PredictionRows) -> int:
    if not len(rows):
        return 0
    written = await writer.fetch(sql.load("insights_predictions_insert"), *rows.columns)
    return len(written)


def _window(model: StoredModel) -> tuple[datetime, datetime]:
    return (model.training_from, model.training_to)


async def predict(
    reader: Session, writer: Session, as_of: datetime, *, timezone: str, trained_as: str
) -> PredictSummary:
    """Train (if needed) and store the predictions of ``as_of``'s day (module docstring)."""
    day = run_instant(as_of)
    churn_model = await train_churn(reader, writer, day, trained_as)
    risk_model = await train_satisfaction_risk(reader, writer, day, trained_as)
    written: dict[str, int] = {}
    scored: dict[str, int] = {}

    rows = PredictionRows()
    clients = await score_clients(reader, day, churn_model)
    for r, p in zip(clients.rows, clients.probability.tolist(), strict=True):
        rows.add(
            "churn_risk",
            day,
            day + timedelta(days=CHURN_HORIZON_DAYS),
            p,
            "churn",
            str(churn_model.version),
            _window(churn_model),
            customer=r["customer_id"],
        )
    scored["churn_risk"] = len(clients)
    written["churn_risk"] = await _write(writer, rows)

    rows = PredictionRows()
    tickets = await score_tickets(reader, day, risk_model)
    for r, p in zip(tickets.rows, tickets.probability.tolist(), strict=True):
        rows.add(
            "satisfaction_risk",
            day,
            day + timedelta(days=1),
            p,
            "satisfaction_risk",
            str(risk_model.version),
            _window(risk_model),
            ticket=int(r["ticket_id"]),
        )
    scored["satisfaction_risk"] = len(tickets)
    written["satisfaction_risk"] = await _write(writer, rows)

    rows = PredictionRows()
    volume = await volume_forecast(
        RequestContext(Caller(None, "authenticated", TRAINER_APP_ROLE), reader),
        granularity=Granularity.DAY,
        timezone=timezone,
        as_of=day,
        history_days=FORECAST_HISTORY_DAYS,
        horizon_days=FORECAST_HORIZON_DAYS,
    )
    for b in volume.buckets:
        rows.add(
            "volume",
            b.start,
            b.end,
            b.mean,
            volume.method,
            FORECAST_VERSION,
            (volume.history_from, volume.history_to),
            bounds=(b.lo80, b.hi80, b.lo95, b.hi95),
        )
    scored["volume"] = len(volume.buckets)
    written["volume"] = await _write(writer, rows)

    rows = PredictionRows()
    csat = await satisfaction_forecast(
        reader, timezone=timezone, as_of=day, horizon=FORECAST_HORIZON_DAYS
    )
    for d in csat.days:
        rows.add(
            "csat",
            d.start,
            d.end,
            d.mean,
            csat.method,
            FORECAST_VERSION,
            (csat.history_from, csat.history_to),
            bounds=(d.lo80, d.hi80, d.lo95, d.hi95),
        )
    scored["csat"] = len(csat.days)
    written["csat"] = await _write(writer, rows)
    return PredictSummary(day, churn_model.version, risk_model.version, written, scored)


# ------------------------------------------------------------------------------------------
# the schedule: once per slot, whatever the number of processes
# ------------------------------------------------------------------------------------------


async def predict_exclusively(
    reader: Session, writer: Session, as_of: datetime, *, timezone: str, trained_as: str
) -> PredictSummary:
    """:func:`predict` on demand (``support-gateway predict``), after waiting for the job's
    advisory lock in ``writer``'s transaction: never beside a scheduled run or another run on
    demand (two runs training at once would both number their model the next version)."""
    await writer.fetch(sql.load("insights_predict_lock"))
    return await predict(reader, writer, as_of, timezone=timezone, trained_as=trained_as)


def schedule_slot(at: datetime, hours: float) -> datetime:
    """The start of the schedule slot holding ``at``: slots of ``hours`` counted from the Unix
    epoch (UTC), so every process and host agrees on them."""
    seconds = hours * 3600.0
    return datetime.fromtimestamp(math.floor(at.timestamp() / seconds) * seconds, UTC)


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """What a scheduled check did: ``ran`` (with its summary), ``busy`` (another process holds
    the job's lock) or ``done`` (the slot was run already)."""

    outcome: str
    slot: datetime
    summary: PredictSummary | None = None


async def predict_once_per_slot(
    reader: Session,
    writer: Session,
    at: datetime,
    *,
    hours: float,
    timezone: str,
    trained_as: str,
) -> ScheduledRun:
    """The scheduled job (``serve``): :func:`predict` for ``at`` unless another process is
    running it or has run this slot. ``writer`` must be a transaction: its advisory lock
    (``insights_predict_try_lock``) lasts until it ends, and the slot's row in
    ``support_insight_runs`` is written in it with the predictions, so it commits or rolls back
    with them."""
    slot = schedule_slot(at, hours)
    locked = await writer.fetchrow(sql.load("insights_predict_try_lock"))
    if locked is None or not locked["locked"]:
        return ScheduledRun("busy", slot)
    done = await writer.fetchrow(sql.load("insights_predict_slot_done"), slot)
    if done is not None and done["done"]:
        return ScheduledRun("done", slot)
    summary = await predict(reader, writer, at, timezone=timezone, trained_as=trained_as)
    await writer.fetch(
        sql.load("insights_predict_slot_record"), slot, hours, summary.day,
        sum(summary.written.values()),
    )  # fmt: skip
    return ScheduledRun("ran", slot, summary)
