"""Low-satisfaction risk of open tickets, and the daily CSAT forecast.

Risk (docs/metrics.md "Predictions"): the probability that a ticket's CSAT rating is 1 or 2, given
what is known while it is open. The model (:mod:`analytics.risk_model`: calibrated logistic
regression with additive contributions) is trained on answered surveys
(``analytics.insight_survey_features``) with only the factors an open ticket already has
(``analytics.insight_open_ticket_features``):

    wait                     log(1 + first-response hours; the wait so far while unanswered)
    reopened                 reopened at least once (0/1)
    agent_replies            agent replies so far
    agent_skill              assigned agent's skill level (3 when unassigned)
    agent_tenure             assigned agent's tenure in years (mean when unassigned)
    sentiment                mean customer message sentiment so far (0 when none)
    first_response_breached  first-response SLA breached (0/1)
    resolution_breached      resolution due time passed (0/1)
    chat, phone, social      channel against email
    vip                      the client is VIP (0/1)

Forecast: daily mean CSAT for the next days by simple exponential smoothing, ETS(A,N,N)
(statsmodels ``ETSModel``, Hyndman et al. 2008) on the daily means of the history (days without
ratings take the previous day's mean), with the model's 80%/95% prediction intervals, clipped to
the 1–5 scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

FloatArray = npt.NDArray[np.float64]

FEATURES = (
    "wait",
    "reopened",
    "agent_replies",
    "agent_skill",
    "agent_tenure",
    "sentiment",
    "first_response_breached",
    "resolution_breached",
    "chat",
    "phone",
    "social",
    "vip",
)
LOW_RATING = 2
DEFAULT_SKILL = 3.0
DEFAULT_TENURE = 2.5


def _column(rows: Sequence[Mapping[str, object]], name: str, default: float) -> FloatArray:
    return np.array(
        [default if (v := r[name]) is None else v for r in rows],
        dtype=np.float64,
    )


def risk_design(rows: Sequence[Mapping[str, object]]) -> FloatArray:
    """Rows × :data:`FEATURES` of survey-feature or open-ticket-feature rows (column-wise)."""
    if not rows:
        return np.zeros((0, len(FEATURES)), dtype=np.float64)
    channel = np.array([str(r["channel"]) for r in rows], dtype=object)
    columns = [
        np.log1p(np.maximum(_column(rows, "first_response_minutes", 0.0), 0.0) / 60.0),
        (_column(rows, "reopen_count", 0.0) > 0).astype(np.float64),
        _column(rows, "agent_replies", 0.0),
        _column(rows, "agent_skill", DEFAULT_SKILL),
        _column(rows, "agent_tenure_years", DEFAULT_TENURE),
        _column(rows, "sentiment", 0.0),
        np.array([bool(r["fr_breached"]) for r in rows], dtype=np.float64),
        np.array([bool(r["res_breached"]) for r in rows], dtype=np.float64),
        (channel == "chat").astype(np.float64),
        (channel == "phone").astype(np.float64),
        (channel == "social").astype(np.float64),
        np.array([r["vip_tier"] not in (None, "standard") for r in rows], dtype=np.float64),
    ]
    return np.column_stack(columns)


def low_rating(rows: Sequence[Mapping[str, object]]) -> npt.NDArray[np.int64]:
    """1 where the survey's CSAT is 1 or 2."""
    return np.array([int(int(r["csat"]) <= LOW_RATING) for r in rows], dtype=np.int64)  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class CsatForecastEstimate:
    step: int
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True, slots=True)
class CsatForecast:
    method: str
    history_days: int
    days: tuple[CsatForecastEstimate, ...]


def _clip(value: float) -> float:
    return min(5.0, max(1.0, float(value)))


def forecast_daily_csat(means: Sequence[float | None], horizon: int = 7) -> CsatForecast:
    """ETS(A,N,N) forecast of daily mean CSAT ``horizon`` days ahead (module docstring).

    ``means``: one value per past day, oldest first, None for days without ratings. Raises
    ``ValueError`` with fewer than 7 days holding a mean.
    """
    if horizon < 1:
        raise ValueError("horizon must be at least 1 day")
    filled: list[float] = []
    for m in means:
        if m is not None:
            filled.append(float(m))
        elif filled:
            filled.append(filled[-1])
    if sum(m is not None for m in means) < 7:
        raise ValueError("at least 7 days with ratings are needed to forecast CSAT")
    y = pd.Series(np.asarray(filled, dtype=np.float64))
    fit = ETSModel(y, error="add", trend=None, seasonal=None).fit(disp=False)
    pred = fit.get_prediction(start=len(y), end=len(y) + horizon - 1)
    frame80 = pred.summary_frame(alpha=0.2)
    frame95 = pred.summary_frame(alpha=0.05)
    days = tuple(
        CsatForecastEstimate(
            step=i + 1,
            mean=_clip(frame80["mean"].iloc[i]),
            lo80=_clip(frame80["pi_lower"].iloc[i]),
            hi80=_clip(frame80["pi_upper"].iloc[i]),
            lo95=_clip(frame95["pi_lower"].iloc[i]),
            hi95=_clip(frame95["pi_upper"].iloc[i]),
        )
        for i in range(horizon)
    )
    return CsatForecast("ETS(A,N,N) on daily mean CSAT (statsmodels ETSModel)", len(y), days)
