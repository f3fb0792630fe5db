"""Forecasts that choose their model: rolling-origin backtest among candidate models.

Candidates (:mod:`analytics.forecast_models`): seasonal naive, ETS(A,N,A), ETS(A,A,A),
ETS(A,Ad,A) and, when ``periods`` names several seasonal cycles with two full cycles each in the
shortest training history (hourly data: 24 and 168), MSTL + exponential smoothing. With holiday
flags, every candidate but seasonal naive models holiday effects.

Backtest (Tashman 2000): ``origins`` forecast origins, the last ``horizon`` buckets before the
end, spaced ``horizon`` apart; at each origin every candidate sees only the history before it.
For training history y₁..y_T of an origin, Q = mean_{t>m} |y_t − y_{t−m}| (the in-sample
seasonal-naive MAE) and, over all origins and steps,

    MASE = mean(|e| / Q)          WAPE = Σ|e| / Σ|y|          coverage_c = share of y in [lo, hi]

(Hyndman & Koehler 2006).

Interval calibration: each model's Gaussian intervals (analytics.forecast_models) assume known
parameters and tend to be narrow (measured: 95% intervals covering 0.89-0.93 of the backtest
on simulated trend series). The backtest therefore also records the standardised errors
u = (g(y) − g(ŷ)) / sd on the modelling scale, and the intervals are calibrated by their root
mean square k = √mean(u²) (intervals ±z·k·sd): the reported coverage judges each origin's
points with the k of the *other* origins (leave one origin out, so no point calibrates its own
interval; uncalibrated with a single origin), and the final forecast uses the k of all origins.

The chosen model has the lowest MASE; it must be *strictly* lower
than seasonal naive's, otherwise seasonal naive is chosen, so the choice is never worse than
seasonal naive on its own backtest. A candidate that fails to fit at some origin is dropped.
The chosen model is then refitted on the whole history for the forecast.

References:
    Tashman, L. J. (2000), "Out-of-sample tests of forecasting accuracy", IJF 16(4), 437-450;
    Hyndman, R. J. & Koehler, A. B. (2006), IJF 22(4), 679-688; Hyndman, R. J. &
    Athanasopoulos, G. (2021), Forecasting: Principles and Practice, 3rd ed., §5.8, §5.10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analytics.forecast_models import (
    DESCRIPTIONS,
    Z80,
    Z95,
    BoolArray,
    FloatArray,
    ModelName,
    ModelPrediction,
    Transform,
    predict,
    rescaled,
    standardised_errors,
)

BASE_MODELS: tuple[ModelName, ...] = ("seasonal_naive", "ets_ana", "ets_aaa", "ets_aada")


@dataclass(frozen=True, slots=True)
class ModelScore:
    """One candidate's backtest over all origins and steps."""

    model: str
    mase: float
    wape: float
    coverage80: float
    coverage95: float
    interval_scale: float = 1.0


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen model, its forecast, its backtest and every candidate's."""

    model: str
    description: str
    holiday_effects: bool
    origins: int
    horizon: int
    period: int
    chosen: ModelScore
    naive: ModelScore
    candidates: tuple[ModelScore, ...]
    forecast: ModelPrediction


def candidates(n_train: int, period: int, periods: Sequence[int]) -> tuple[ModelName, ...]:
    """The candidate models for a shortest training history of ``n_train`` buckets."""
    multi = [p for p in periods if n_train >= 2 * p]
    out: list[ModelName] = list(BASE_MODELS)
    if len(multi) >= 2:
        out.append("mstl_ets")
    return tuple(out)


def _check(history: FloatArray, horizon: int, period: int, origins: int) -> None:
    if history.ndim != 1 or not np.all(np.isfinite(history)):
        raise ValueError("history must be one-dimensional and finite (fill empty buckets)")
    for name, value in (("horizon", horizon), ("period", period), ("origins", origins)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    need = 2 * period + origins * horizon
    if history.size < need:
        raise ValueError(
            f"history has {history.size} buckets; a backtest of {origins} origins needs "
            f"{need} (two periods of {period} plus {origins} x horizon {horizon})"
        )


def calibration(u: FloatArray) -> float:
    """The interval scale of standardised errors ``u``: their root mean square (1 when none is
    finite and non-zero, e.g. a history that repeats exactly)."""
    finite = u[np.isfinite(u)]
    k = float(np.sqrt(np.mean(finite**2))) if finite.size else 0.0
    return k if k > 0 and math.isfinite(k) else 1.0


def _coverage(per_origin: list[FloatArray]) -> tuple[float, float]:
    """80% and 95% coverage of the calibrated intervals, each origin's errors judged with the
    scale of the *other* origins (leave one origin out; uncalibrated with a single origin)."""
    in80 = in95 = total = 0
    for i, u in enumerate(per_origin):
        others = [v for j, v in enumerate(per_origin) if j != i]
        k = calibration(np.concatenate(others)) if others else 1.0
        a = np.abs(u)
        in80 += int(np.sum(a <= Z80 * k))
        in95 += int(np.sum(a <= Z95 * k))
        total += u.size
    return in80 / total, in95 / total


def _score(model: str, errors: list[FloatArray], scaled: list[FloatArray],
           actuals: list[FloatArray], standardised: list[FloatArray]) -> ModelScore:  # fmt: skip
    err = np.concatenate(errors)
    denominator = float(np.abs(np.concatenate(actuals)).sum())
    scaled_all = np.concatenate(scaled)
    coverage80, coverage95 = _coverage(standardised)
    return ModelScore(
        model=model,
        mase=float(np.mean(scaled_all)) if np.all(np.isfinite(scaled_all)) else math.nan,
        wape=float(err.sum()) / denominator if denominator > 0 else math.nan,
        coverage80=coverage80,
        coverage95=coverage95,
        interval_scale=calibration(np.concatenate(standardised)),
    )


def backtest(
    history: npt.ArrayLike,
    horizon: int,
    period: int,
    *,
    periods: Sequence[int] = (),
    transform: Transform = "sqrt",
    holidays: BoolArray | None = None,
    origins: int = 4,
    models: Sequence[ModelName] | None = None,
) -> tuple[ModelScore, ...]:
    """Rolling-origin scores of every candidate (see the module); ``holidays`` flags the
    history's buckets only (the backtest's future is inside the history)."""
    y = np.asarray(history, dtype=np.float64)
    _check(y, horizon, period, origins)
    first_cut = y.size - origins * horizon
    names = tuple(models) if models is not None else candidates(first_cut, period, periods)
    parts: dict[str, tuple[list[FloatArray], ...]] = {name: ([], [], [], []) for name in names}
    failed: set[str] = set()
    for i in range(origins):
        cut = y.size - (origins - i) * horizon
        train, actual = y[:cut], y[cut : cut + horizon]
        diffs = np.abs(train[period:] - train[:-period])
        q = float(diffs.mean())
        flags = None if holidays is None else holidays[: cut + horizon]
        for name in names:
            if name in failed:
                continue
            try:
                pred = predict(name, train, horizon, period, periods=periods,
                               transform=transform, holidays=flags)  # fmt: skip
            except (ValueError, np.linalg.LinAlgError):
                failed.add(name)
                continue
            errors, scaled, actuals, standardised = parts[name]
            err = np.abs(actual - pred.mean)
            errors.append(err)
            scaled.append(err / q if q > 0 else np.full(horizon, math.nan))
            actuals.append(actual)
            standardised.append(standardised_errors(pred, actual, transform))
    if "seasonal_naive" in failed:
        raise ValueError("the seasonal naive benchmark could not be evaluated")
    return tuple(_score(name, *lists) for name, lists in parts.items() if name not in failed)


def choose(scores: Sequence[ModelScore]) -> ModelScore:
    """The lowest-MASE candidate if strictly better than seasonal naive, else seasonal naive."""
    naive = next(s for s in scores if s.model == "seasonal_naive")
    best = naive
    for s in scores:
        if math.isfinite(s.mase) and (not math.isfinite(best.mase) or s.mase < best.mase):
            best = s
    if not math.isfinite(naive.mase):
        # MASE undefined (a history repeating exactly every period): compare WAPE instead
        best = min(scores, key=lambda s: s.wape if math.isfinite(s.wape) else math.inf)
        return best if best.wape < naive.wape else naive
    return best


def select_model(
    history: npt.ArrayLike,
    horizon: int,
    period: int,
    *,
    periods: Sequence[int] = (),
    transform: Transform = "sqrt",
    holidays: BoolArray | None = None,
    origins: int = 4,
) -> Selection:
    """Backtest the candidates, choose (see the module) and forecast ``horizon`` buckets with
    the chosen model refitted on all of ``history``. ``holidays`` flags history + horizon."""
    y = np.asarray(history, dtype=np.float64)
    if holidays is not None and holidays.size != y.size + horizon:
        raise ValueError("holidays must flag every bucket of history and horizon")
    flags_hist = None if holidays is None else holidays[: y.size]
    scores = backtest(y, horizon, period, periods=periods, transform=transform,
                      holidays=flags_hist, origins=origins)  # fmt: skip
    chosen = choose(scores)
    naive = next(s for s in scores if s.model == "seasonal_naive")
    name: ModelName = chosen.model  # type: ignore[assignment]
    forecast = rescaled(
        predict(name, y, horizon, period, periods=periods, transform=transform,
                holidays=holidays),
        chosen.interval_scale,
        transform,
    )  # fmt: skip
    effects = holidays is not None and bool(holidays[: y.size].any()) and name != "seasonal_naive"
    return Selection(
        model=name,
        description=DESCRIPTIONS[name] + (" with holiday effects" if effects else ""),
        holiday_effects=effects,
        origins=origins,
        horizon=horizon,
        period=period,
        chosen=chosen,
        naive=naive,
        candidates=tuple(scores),
        forecast=forecast,
    )
