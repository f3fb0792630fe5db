"""The organisation's insight models: training, storage with versions, loading.

Who trains, on what, how often
    ``support-gateway predict`` (and the schedule inside ``serve``, ``INSIGHTS_PREDICT_HOURS``,
    daily by default) trains both models as of the run's whole hour. The trainer reads the
    feature tables in a read-only transaction as an *analyst* (Postgres role ``authenticated``,
    ``app_role`` analyst: row level security lets it see every ticket, survey and VIP client,
    and no personal data), and stores the fitted model with the owner connection (API callers
    cannot write models).

    * churn: VIP clients active at the snapshot date (the run − 90 days) with their features
      over the 90 days before it, labelled by whether a ``churned`` period starts within the 90
      days after it (so every label is fully observed at the run);
    * satisfaction risk: answered surveys sent in the 90 days before the run, labelled
      CSAT ≤ 2, with the factors an open ticket already has.

    A model is identified by its type and training window: training again on the same window
    returns the stored version instead of adding one, so ``predict`` is idempotent per hour.
    Versions count up per type (1, 2, …) and the latest is what scoring uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sql
from analytics import churn, satisfaction_risk
from analytics.risk_model import (
    METHOD,
    CalibrationBin,
    Evaluation,
    RiskModel,
    fit_risk_model,
    model_from_json,
)
from resolvers.errors import UserInputError
from resolvers.offload import run_cpu
from resolvers.port import Row, Session

CHURN, SATISFACTION_RISK = "churn", "satisfaction_risk"
CHURN_LOOKBACK_DAYS = 90
CHURN_HORIZON_DAYS = 90
RISK_TRAINING_DAYS = 90
#: The app role whose rights the trainer reads with (every row, no personal data).
TRAINER_APP_ROLE = "analyst"
RANDOM_STATE = 0


@dataclass(frozen=True, slots=True)
class StoredModel:
    id: int
    model_type: str
    version: int
    method: str
    trained_at: datetime
    training_from: datetime
    training_to: datetime
    trained_as: str
    n_train: int
    n_test: int
    model: RiskModel

    @property
    def evaluation(self) -> Evaluation:
        return self.model.evaluation


def run_instant(as_of: datetime) -> datetime:
    """The whole UTC hour on or before ``as_of``: a run trains and scores as of that instant, so
    runs within one hour are the same run (and labels end exactly there, not earlier: churn
    periods starting in the last hours before a run are not mistaken for no churn)."""
    at = as_of.astimezone(UTC)
    return at.replace(minute=0, second=0, microsecond=0)


def _bin_json(b: CalibrationBin) -> dict[str, Any]:
    return {
        "low": b.low,
        "high": b.high,
        "n": b.n,
        "mean_predicted": b.mean_predicted,
        "observed": b.observed,
        "observed_low": b.observed_low,
        "observed_high": b.observed_high,
    }


def evaluation_json(ev: Evaluation) -> dict[str, Any]:
    return {
        "n": ev.n,
        "positives": ev.positives,
        "auc": ev.auc,
        "brier": ev.brier,
        "base_rate_brier": ev.base_rate_brier,
        "calibration": [_bin_json(b) for b in ev.calibration],
    }


def _evaluation(data: dict[str, Any]) -> Evaluation:
    return Evaluation(
        n=int(data["n"]),
        positives=int(data["positives"]),
        auc=None if data["auc"] is None else float(data["auc"]),
        brier=float(data["brier"]),
        base_rate_brier=float(data["base_rate_brier"]),
        calibration=tuple(CalibrationBin(**b) for b in data["calibration"]),
    )


def _json(value: Any) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(value) if isinstance(value, str) else dict(value)
    return parsed


def stored_model(row: Row) -> StoredModel:
    evaluation = _evaluation(_json(row["metrics"]))
    return StoredModel(
        id=int(row["id"]),
        model_type=row["model_type"],
        version=int(row["version"]),
        method=row["method"],
        trained_at=row["trained_at"],
        training_from=row["training_from"],
        training_to=row["training_to"],
        trained_as=row["trained_as"],
        n_train=int(row["n_train"]),
        n_test=int(row["n_test"]),
        model=model_from_json(_json(row["parameters"]), evaluation),
    )


#: Parsed models by their stored row (a stored version never changes; the latest few are kept).
#: Keyed by the row's content, not only its id: one process may read several databases.
_PARSED: dict[tuple[str, ...], StoredModel] = {}
_PARSED_MAX = 16


async def latest_model(session: Session, model_type: str) -> StoredModel:
    """The latest stored version (parsed once per version and process); :class:`UserInputError`
    when none was trained yet."""
    row = await session.fetchrow(sql.load("insights_model_latest"), model_type)
    if row is None:
        raise UserInputError(
            f"no {model_type.replace('_', ' ')} model has been trained yet "
            "(run `support-gateway predict`, or wait for the scheduled run)"
        )
    key = tuple(str(row[c]) for c in ("id", "version", "trained_at", "metrics", "parameters"))
    found = _PARSED.get(key)
    if found is None:
        found = stored_model(row)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = found
    return found


async def _store(
    writer: Session,
    model_type: str,
    window: tuple[datetime, datetime],
    trained_as: str,
    model: RiskModel,
) -> StoredModel:
    row = await writer.fetchrow(
        sql.load("insights_model_insert"),
        model_type,
        METHOD,
        window[0],
        window[1],
        trained_as,
        model.n_train,
        model.evaluation.n,
        json.dumps(evaluation_json(model.evaluation)),
        json.dumps(model.to_json()),
    )
    assert row is not None  # insert … returning always returns the row
    return stored_model(row)


async def _existing(
    writer: Session, model_type: str, window: tuple[datetime, datetime]
) -> StoredModel | None:
    row = await writer.fetchrow(sql.load("insights_model_for_window"), model_type, *window)
    return stored_model(row) if row is not None else None


def churn_snapshot(day: datetime) -> datetime:
    """The scoring date the churn model learns from: labels end on ``day``."""
    return day - timedelta(days=CHURN_HORIZON_DAYS)


async def train_churn(
    reader: Session, writer: Session, as_of: datetime, trained_as: str, *, refit: bool = False
) -> StoredModel:
    """The churn model for ``as_of``'s day (trained and stored unless it already is; with
    ``refit``, a new version even when one is: the benchmark times a fresh fit so)."""
    day = run_instant(as_of)
    snapshot = churn_snapshot(day)
    window = (snapshot - timedelta(days=CHURN_LOOKBACK_DAYS), day)
    found = None if refit else await _existing(writer, CHURN, window)
    if found is not None:
        return found
    rows = await reader.fetch(
        sql.load("insights_vip_features"),
        snapshot,
        CHURN_LOOKBACK_DAYS,
        CHURN_HORIZON_DAYS,
        None,
    )
    x = churn.churn_design(rows, CHURN_LOOKBACK_DAYS)
    y = [int(r["churned"]) for r in rows]
    model = await run_cpu(fit_risk_model, x, y, churn.FEATURES, random_state=RANDOM_STATE)
    return await _store(writer, CHURN, window, trained_as, model)


async def train_satisfaction_risk(
    reader: Session, writer: Session, as_of: datetime, trained_as: str, *, refit: bool = False
) -> StoredModel:
    """The low-satisfaction model for ``as_of``'s day (trained and stored unless it is; with
    ``refit``, a new version even when one is: the benchmark times a fresh fit so)."""
    day = run_instant(as_of)
    window = (day - timedelta(days=RISK_TRAINING_DAYS), day)
    found = None if refit else await _existing(writer, SATISFACTION_RISK, window)
    if found is not None:
        return found
    rows = await reader.fetch(sql.load("insights_survey_features"), *window)
    rows = [r for r in rows if r["profiling_allowed"]]
    x = satisfaction_risk.risk_design(rows)
    y = satisfaction_risk.low_rating(rows)
    model = await run_cpu(
        fit_risk_model, x, y, satisfaction_risk.FEATURES, random_state=RANDOM_STATE
    )
    return await _store(writer, SATISFACTION_RISK, window, trained_as, model)
