"""Candidate forecasting models with 80%/95% prediction intervals, for model selection.

Every model works on a transformed series z = g(y): g = √ for counts (variance-stabilising for
Poisson counts, as in :mod:`analytics.forecasting`) or the identity for KPI values; intervals are
Gaussian on the z scale and mapped back by g⁻¹ (for √: max(·, 0)², so the bounds are quantiles
and the point forecast is the median). m is the seasonal period in buckets.

``seasonal_naive``
    ẑ_{T+h} = z_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋; Var = σ²·(k + 1), σ² the mean squared in-sample
    seasonal difference (Hyndman & Athanasopoulos 2021, §5.5, Table 5.2).
``ets_ana``, ``ets_aaa``, ``ets_aada``
    ETS(A,N,A), ETS(A,A,A) and ETS(A,Ad,A) (statsmodels ``ETSModel``, maximum likelihood for the
    smoothing parameters and φ; φ = 0.98 fixed for periods above 24, see :data:`FIXED_PHI`).
    Initial states are fixed from the data rather than estimated
    (estimating m + 2 states takes seconds for m = 168): an ordinary least-squares line a + b·t
    (b = 0 without trend) and the per-phase mean of z − a − b·t, centred, as seasonal states.
    Var(z_{T+h} − ẑ) = σ²·[1 + Σ_{j=1}^{h−1} c_j²] + σ²/n_j with c_j = α + β·φ_j + γ·1[j ≡ 0 mod m],
    φ_j = φ + … + φ^j (φ = 1 undamped, β = 0 without trend): the class-1 forecast variance of
    Hyndman et al. (2008), Table 6.1, plus the estimation variance of the forecast phase's mean
    (n_j observations of that phase), as in :mod:`analytics.forecasting`.
``mstl_ets``
    Multi-seasonal (e.g. daily 24 and weekly 168 for hourly data): MSTL (statsmodels) splits z
    into trend + Σ seasonal_p + remainder (one pass, near-periodic seasonal smoothers of
    2·cycles + 1, loess jumps for speed); each seasonal component is carried forward from its
    last cycle and the seasonally adjusted z (trend + remainder) is forecast by simple
    exponential smoothing ETS(A,N,N); Var = σ²·[1 + (h−1)·α²] + σ²/c with σ² the one-step error
    variance of the adjusted series and c the number of longest cycles (seasonal estimation).

Holiday effects (``holidays``: one flag per bucket of history and horizon, from the business
calendars): holiday buckets of the history are replaced by the value one period earlier
(later, in the first cycle) before fitting, so they distort neither level nor season; the
effect is the ratio f = Σ y_holiday / Σ y_replaced over the history's holiday buckets (counts;
a difference for identity-scale KPIs), applied to the forecast and its bounds on holiday
buckets of the horizon. With no holiday in the history the effect is not estimable (f = 1).

References:
    Hyndman, R. J., Koehler, A. B., Ord, J. K. & Snyder, R. D. (2008), Forecasting with
    Exponential Smoothing, Springer, ch. 6; Hyndman, R. J. & Athanasopoulos, G. (2021),
    Forecasting: Principles and Practice, 3rd ed., §5.5, §8.7, §12.1 (multiple seasonality);
    Bandara, K., Hyndman, R. J. & Bergmeir, C. (2021), arXiv:2107.13462 (MSTL); Gardner, E. S.
    & McKenzie, E. (1985), "Forecasting trends in time series", Management Science 31 (damping).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.seasonal import MSTL

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Transform = Literal["sqrt", "none"]
ModelName = Literal["seasonal_naive", "ets_ana", "ets_aaa", "ets_aada", "mstl_ets"]

#: STL's loess jumps (Cleveland et al. 1990, §3.3): the smoothers are evaluated at every
#: jump-th point and interpolated in between, ~30x faster for hourly data at a small cost in fit.
STL_SPEED: dict[str, int] = {"seasonal_jump": 5, "trend_jump": 25, "low_pass_jump": 25}

#: Damping of ETS(A,Ad,A) for long periods (hour of week): estimating φ with 168 seasonal states
#: takes ~10x the other fits (seconds), so it is fixed at the least damping of the usual range
#: [0.8, 0.98] (Hyndman & Athanasopoulos 2021, §8.1); with period <= 24 φ is estimated.
FIXED_PHI, FIXED_PHI_ABOVE = 0.98, 24

Z80 = float(stats.norm.ppf(0.90))
Z95 = float(stats.norm.ppf(0.975))

DESCRIPTIONS: dict[str, str] = {
    "seasonal_naive": "seasonal naive (the last cycle repeated)",
    "ets_ana": "ETS(A,N,A): level and additive season",
    "ets_aaa": "ETS(A,A,A): level, additive trend and season",
    "ets_aada": "ETS(A,Ad,A): level, damped additive trend and season",
    "mstl_ets": "MSTL (several seasonal cycles) + exponential smoothing of the adjusted series",
}


@dataclass(frozen=True, slots=True)
class ModelPrediction:
    """Point forecast (median on the original scale) and 80%/95% bounds, one per step."""

    mean: FloatArray
    lo80: FloatArray
    hi80: FloatArray
    lo95: FloatArray
    hi95: FloatArray


def forward(y: FloatArray, transform: Transform) -> FloatArray:
    """z = g(y)."""
    return np.sqrt(np.maximum(y, 0.0)) if transform == "sqrt" else y.astype(np.float64)


def backward(z: FloatArray, transform: Transform) -> FloatArray:
    """y = g⁻¹(z) (√: max(z, 0)²)."""
    out: FloatArray = np.maximum(z, 0.0) ** 2 if transform == "sqrt" else z
    return out


def _intervals(centre: FloatArray, sd: FloatArray, transform: Transform) -> ModelPrediction:
    return ModelPrediction(
        mean=backward(centre, transform),
        lo80=backward(centre - Z80 * sd, transform),
        hi80=backward(centre + Z80 * sd, transform),
        lo95=backward(centre - Z95 * sd, transform),
        hi95=backward(centre + Z95 * sd, transform),
    )


def standardised_errors(
    pred: ModelPrediction, actual: FloatArray, transform: Transform
) -> FloatArray:
    """(g(actual) − g(mean)) / sd per step, sd = (g(hi95) − g(mean)) / z₀.₉₇₅ the forecast's own
    standard deviation on the modelling scale; 0 where both differences vanish, inf where only
    the interval does (a zero-width interval missed)."""
    centre = forward(pred.mean, transform)
    sd = (forward(pred.hi95, transform) - centre) / Z95
    diff = forward(np.asarray(actual, dtype=np.float64), transform) - centre
    exact = np.abs(diff) <= 1e-9 * np.maximum(1.0, np.abs(centre))
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(exact, 0.0, np.where(sd > 0, diff / np.where(sd > 0, sd, 1.0), np.inf))
    return np.asarray(u, dtype=np.float64)


def rescaled(pred: ModelPrediction, scale: float, transform: Transform) -> ModelPrediction:
    """``pred`` with its standard deviation on the modelling scale multiplied by ``scale``
    (the backtest calibration of :mod:`analytics.model_selection`); the point forecast stays."""
    centre = forward(pred.mean, transform)
    sd = np.maximum((forward(pred.hi95, transform) - centre) / Z95, 0.0)
    out = _intervals(centre, sd * scale, transform)
    return ModelPrediction(pred.mean, out.lo80, out.hi80, out.lo95, out.hi95)


def _seasonal_naive(z: FloatArray, horizon: int, period: int) -> tuple[FloatArray, FloatArray]:
    steps = np.arange(horizon)
    centre = z[-period:][steps % period]
    diff = z[period:] - z[:-period]
    sigma2 = float(np.mean(diff**2)) if diff.size else 0.0
    k = steps // period
    return centre, np.sqrt(sigma2 * (k + 1))


def _fit_quiet(model: Any) -> Any:
    with warnings.catch_warnings():
        # convergence warnings at a parameter bound (e.g. α → 0) still give the constrained
        # optimum; they are not errors here
        warnings.simplefilter("ignore")
        return model.fit(disp=False)


def _ets(
    z: FloatArray, horizon: int, period: int, trend: bool, damped: bool
) -> tuple[FloatArray, FloatArray]:
    n = z.size
    t = np.arange(n, dtype=np.float64)
    phase = np.arange(n) % period
    counts = np.bincount(phase, minlength=period).astype(np.float64)
    steps = np.arange(1, horizon + 1)
    if np.ptp(z) == 0:
        return np.full(horizon, z[0]), np.zeros(horizon)
    slope, intercept = np.polyfit(t, z, 1) if trend else (0.0, 0.0)
    detrended = z - intercept - slope * t
    means = np.bincount(phase, weights=detrended, minlength=period) / counts
    # l₀ precedes the first observation (t = 0): l₀ + b₀ = a + mean of the phase means
    level = float(intercept - slope + means.mean()) if trend else float(means.mean())
    season = means - means.mean()
    options: dict[str, Any] = {"initial_level": level, "initial_seasonal": season}
    if trend:
        options["initial_trend"] = float(slope)
    model = ETSModel(
        z,
        error="add",
        trend="add" if trend else None,
        damped_trend=damped,
        seasonal="add",
        seasonal_periods=period,
        initialization_method="known",
        **options,
    )
    if damped and period > FIXED_PHI_ABOVE:
        with model.fix_params({"damping_trend": FIXED_PHI}):
            res = _fit_quiet(model)
    else:
        res = _fit_quiet(model)
    alpha = float(res.smoothing_level)
    beta = float(res.smoothing_trend) if trend else 0.0
    gamma = float(res.smoothing_seasonal)
    phi = float(res.damping_trend) if damped else 1.0
    centre = np.asarray(res.forecast(horizon), dtype=np.float64)
    j = np.arange(1, horizon)
    phi_j = np.cumsum(phi ** np.arange(1, horizon)) if horizon > 1 else np.zeros(0)
    c = alpha + beta * phi_j + gamma * (j % period == 0)
    cum = np.concatenate([[0.0], np.cumsum(c**2)])
    params = 2 + (2 if trend else 0) + (1 if damped else 0)
    sigma2 = float(res.sse) / max(n - period - params, 1)
    var = sigma2 * (1.0 + cum + 1.0 / counts[(n + steps - 1) % period])
    return centre, np.sqrt(var)


def _mstl(z: FloatArray, horizon: int, periods: Sequence[int]) -> tuple[FloatArray, FloatArray]:
    usable = sorted(p for p in periods if z.size >= 2 * p)
    if not usable:
        raise ValueError("the multi-seasonal model needs two full cycles of a period")
    fit: Any = MSTL(
        z,
        periods=usable,
        windows=[max(7, 2 * (z.size // p) + 1) for p in usable],
        iterate=1,
        stl_kwargs=STL_SPEED,
    ).fit()
    seasonal = np.asarray(fit.seasonal, dtype=np.float64).reshape(z.size, -1)
    adjusted = z - seasonal.sum(axis=1)
    steps = np.arange(1, horizon + 1)
    future_season = np.zeros(horizon)
    for i, p in enumerate(usable):
        last = seasonal[-p:, i]
        future_season += last[(steps - 1) % p]
    if np.ptp(adjusted) == 0:
        return adjusted[-1] + future_season, np.zeros(horizon)
    model = ETSModel(
        adjusted,
        error="add",
        initialization_method="known",
        initial_level=float(adjusted[: usable[0]].mean()),
    )
    res = _fit_quiet(model)
    alpha = float(res.smoothing_level)
    sigma2 = float(res.sse) / max(z.size - 2, 1)
    cycles = z.size // usable[-1]
    var = sigma2 * (1.0 + (steps - 1) * alpha**2 + 1.0 / cycles)
    centre = np.asarray(res.forecast(horizon), dtype=np.float64) + future_season
    return centre, np.sqrt(var)


def _replace_holidays(y: FloatArray, flags: BoolArray, period: int) -> FloatArray:
    out = y.copy()
    for t in np.flatnonzero(flags):
        back = t - period
        while back >= 0 and flags[back]:
            back -= period
        if back >= 0:
            out[t] = out[back]
            continue
        ahead = t + period
        while ahead < y.size and flags[ahead]:
            ahead += period
        if ahead < y.size:
            out[t] = y[ahead]
    return out


def _apply_effect(
    pred: ModelPrediction, flags: BoolArray, effect: float, transform: Transform
) -> ModelPrediction:
    def adjust(a: FloatArray) -> FloatArray:
        if transform == "sqrt":
            return np.where(flags, a * effect, a)
        return np.where(flags, a + effect, a)

    return ModelPrediction(
        *(adjust(a) for a in (pred.mean, pred.lo80, pred.hi80, pred.lo95, pred.hi95))
    )


def holiday_effect(
    y: FloatArray, flags: BoolArray, period: int, transform: Transform
) -> tuple[FloatArray, float | None]:
    """The history with holiday buckets replaced, and the effect (None when not estimable)."""
    if not flags.any():
        return y, None
    cleaned = _replace_holidays(y, flags, period)
    if transform == "sqrt":
        base = float(cleaned[flags].sum())
        return cleaned, (float(y[flags].sum()) / base if base > 0 else None)
    return cleaned, float(np.mean(y[flags] - cleaned[flags]))


def predict(
    name: ModelName,
    history: FloatArray,
    horizon: int,
    period: int,
    *,
    periods: Sequence[int] = (),
    transform: Transform = "sqrt",
    holidays: BoolArray | None = None,
) -> ModelPrediction:
    """Fit model ``name`` to ``history`` and forecast ``horizon`` buckets (see the module).

    ``holidays`` (when given) flags len(history) + horizon buckets; the seasonal naive model
    ignores it (it is the plain benchmark).
    """
    y = np.asarray(history, dtype=np.float64)
    flags_hist = flags_future = None
    effect = None
    if holidays is not None and name != "seasonal_naive":
        if holidays.size != y.size + horizon:
            raise ValueError("holidays must flag every bucket of history and horizon")
        flags_hist, flags_future = holidays[: y.size], holidays[y.size :]
        y, effect = holiday_effect(y, flags_hist, period, transform)
    z = forward(y, transform)
    if name == "seasonal_naive":
        centre, sd = _seasonal_naive(z, horizon, period)
    elif name == "mstl_ets":
        centre, sd = _mstl(z, horizon, periods or (period,))
    elif name in ("ets_ana", "ets_aaa", "ets_aada"):
        centre, sd = _ets(z, horizon, period, name != "ets_ana", name == "ets_aada")
    else:
        raise ValueError(f"unknown model {name!r}")
    pred = _intervals(centre, sd, transform)
    if effect is not None and flags_future is not None and math.isfinite(effect):
        pred = _apply_effect(pred, flags_future, effect, transform)
    return pred
