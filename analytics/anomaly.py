"""Anomaly flags from robust (modified) z-scores of a de-seasonalised series.

    z_i = 0.6745 · (r_i − median(r)) / MAD,   MAD = median(|r_i − median(r)|)

where r is the residual after removing trend and seasonality; |z| > 3.5 flags a point
(Iglewicz & Hoaglin 1993). 0.6745 = Φ⁻¹(0.75) makes MAD/0.6745 estimate σ for normal data.

Expected value and range: a point is flagged exactly when its residual leaves
median(r) ± threshold·σ̂ (σ̂ = MAD/0.6745, or 1.253314·MeanAD when MAD = 0), so the point's
``expected`` value is fitted + median(r) (fitted = value − residual, the trend and seasonal part)
and ``expected_low``/``expected_high`` = expected ∓ threshold·σ̂. Severity: ``critical`` when
|z| ≥ 2·threshold, ``warning`` when flagged otherwise.

Variance-stabilising transform (``transform``): the decomposition and the scores run on
g(x) — √x for counts (Poisson: Var √X ≈ 1/4 whatever the level, so busy and quiet hours share
one scale; Bartlett 1936), log(1 + x) for durations (roughly log-normal) — and the expected
value and range are mapped back by g⁻¹; ``residual`` is then on the transformed scale.
``trend``: STL's trend window (odd, in buckets; default STL's own, about 1.5 periods). A longer
window (e.g. 5 weeks of days) keeps a week-long level shift out of the trend, so the shift shows
in the residual instead of being absorbed.

Missing buckets (:func:`detect_anomalies_with_gaps`): a KPI bucket without observations has no
value; it is filled by linear interpolation for the decomposition only, gets z = 0 and is never
flagged, and the residual scale is computed from the observed buckets alone.

When MAD = 0 (more than half the residuals equal the median) the formula is undefined; we then
use the convention documented by IBM (SPSS/Cognos "modified z score"):
z_i = (r_i − median(r)) / (1.253314 · MeanAD), MeanAD = mean(|r_i − median(r)|);
1.253314 = √(π/2) makes MeanAD estimate σ for normal data. If MeanAD is 0 too (a constant
residual) every z is 0 and nothing is flagged.

De-seasonalisation (``decomposition="auto"``):
    * ``"stl"`` (at least 6 cycles) — STL (Cleveland et al. 1990, statsmodels) with a
      near-periodic seasonal smoother (window 2·cycles + 1, degree 0) and the default trend.
      STL's own bisquare robustness is not used: it concentrates noise into the down-weighted
      points, so MAD-based scores flag several per cent of clean Gaussian points. Instead a
      spike is kept from leaking into trend and seasonality by one hard-rejection refit: points
      with |z| > threshold in a first fit are replaced by their fitted value and STL is refit;
      residuals are the data minus the second fit;
    * ``"seasonal_median"`` (2 to 5 cycles) — trend₀ = centred moving median over one cycle;
      seasonal = per-phase median of (value − trend₀), centred to mean 0; trend = centred moving
      median over 2·period + 1 of (value − seasonal); residual = value − seasonal − trend.
      With so few cycles false alarms are several times more frequent than on long series;
    * ``"none"`` (fewer than 2 cycles, or period 1) — residual = value.

References:
    Iglewicz, B. & Hoaglin, D. C. (1993), How to Detect and Handle Outliers, ASQC Quality
    Press, ch. 3; Cleveland, R. B., Cleveland, W. S., McRae, J. E. & Terpenning, I. (1990),
    "STL: a seasonal-trend decomposition procedure based on loess", J. Official Statistics 6,
    3-73; IBM Cognos Analytics documentation, "Modified z score"; Bartlett, M. S. (1936),
    "The square root transformation in analysis of variance", JRSS Suppl. 3(1), 68-78.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from statsmodels.tsa.seasonal import STL

Decomposition = Literal["stl", "seasonal_median", "none"]
ScaleMethod = Literal["mad", "mean_ad", "zero"]
Severity = Literal["warning", "critical"]
Transform = Literal["none", "sqrt", "log"]
FloatArray = npt.NDArray[np.float64]

MAD_CONSTANT = 0.6745
MEAN_AD_CONSTANT = 1.253314
DEFAULT_THRESHOLD = 3.5
STL_MIN_CYCLES = 6


@dataclass(frozen=True, slots=True)
class ModifiedZ:
    """Modified z-scores of a sample and the centre/scale they were computed with."""

    z: tuple[float, ...]
    median: float
    scale: float
    scale_method: ScaleMethod


@dataclass(frozen=True, slots=True)
class AnomalyPoint:
    """One bucket: observed value, de-seasonalised residual, its modified z-score, the expected
    value and range (see the module docstring) and the severity when flagged."""

    timestamp: datetime
    value: float
    residual: float
    z: float
    flagged: bool
    expected: float = math.nan
    expected_low: float = math.nan
    expected_high: float = math.nan
    severity: Severity | None = None
    observed: bool = True


@dataclass(frozen=True, slots=True)
class AnomalyResult:
    """Per-point scores plus the flagged timestamps (|z| > threshold), in time order."""

    points: tuple[AnomalyPoint, ...]
    flagged: tuple[datetime, ...]
    threshold: float
    period: int
    decomposition: Decomposition
    residual_median: float
    scale: float
    scale_method: ScaleMethod


def trend_window(period: int) -> int:
    """The STL trend window the gateway uses (odd, in buckets): four cycles for short periods
    (daily data with period 7: 29 days), two for long ones (hour of week, 168: 337 hours, two
    weeks) — long enough that a level shift of a week, or a spike of a few hours, stays in the
    residual; tuned on the generator's injected incidents (see the tests)."""
    cycles = 2 if period >= 100 else 4
    return cycles * int(period) + 1


def modified_z_scores(values: npt.ArrayLike) -> ModifiedZ:
    """0.6745·(x − median)/MAD, or (x − median)/(1.253314·MeanAD) when MAD = 0 (see module)."""
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("values must be a non-empty one-dimensional array")
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite")
    med = float(np.median(x))
    dev = x - med
    mad = float(np.median(np.abs(dev)))
    if mad > 0.0:
        z = MAD_CONSTANT * dev / mad
        return ModifiedZ(tuple(float(v) for v in z), med, mad, "mad")
    mean_ad = float(np.mean(np.abs(dev)))
    if mean_ad > 0.0:
        z = dev / (MEAN_AD_CONSTANT * mean_ad)
        return ModifiedZ(tuple(float(v) for v in z), med, mean_ad, "mean_ad")
    return ModifiedZ(tuple(0.0 for _ in range(x.size)), med, 0.0, "zero")


def _moving_median(x: FloatArray, window: int) -> FloatArray:
    """Centred moving median; the ends use the truncated window."""
    out = pd.Series(x).rolling(window, center=True, min_periods=1).median()
    return np.asarray(out, dtype=np.float64)


def _seasonal_median_residual(x: FloatArray, period: int) -> FloatArray:
    phase = np.arange(x.size) % period
    odd_cycle = period if period % 2 == 1 else period + 1
    half = odd_cycle // 2
    # Full-cycle windows only, so every window holds each phase once; ends repeat the nearest.
    full = np.median(np.lib.stride_tricks.sliding_window_view(x, odd_cycle), axis=1)
    trend0 = np.concatenate([np.full(half, full[0]), full, np.full(half, full[-1])])
    detrended = x - trend0
    by_phase = np.array([np.median(detrended[phase == g]) for g in range(period)])
    seasonal = (by_phase - by_phase.mean())[phase]
    deseasonalised = x - seasonal
    residual: FloatArray = deseasonalised - _moving_median(deseasonalised, 2 * period + 1)
    return residual


def _stl_fit(x: FloatArray, period: int, trend: int | None = None) -> FloatArray:
    cycles = x.size // period
    fit: Any = STL(
        x,
        period=period,
        seasonal=max(7, 2 * cycles + 1),
        trend=trend,
        seasonal_deg=0,
        robust=False,
    ).fit()
    return np.asarray(fit.trend, dtype=np.float64) + np.asarray(fit.seasonal, dtype=np.float64)


def _stl_residual(
    x: FloatArray, period: int, threshold: float, trend: int | None = None
) -> FloatArray:
    fitted = _stl_fit(x, period, trend)
    first = np.asarray(modified_z_scores(x - fitted).z, dtype=np.float64)
    rejected = np.abs(first) > threshold
    if not rejected.any():
        residual: FloatArray = x - fitted
        return residual
    return x - _stl_fit(np.where(rejected, fitted, x), period, trend)


def _choose(n: int, period: int, decomposition: str) -> Decomposition:
    seasonal_ok = period >= 2 and n >= 2 * period
    if decomposition == "auto":
        if not seasonal_ok:
            return "none"
        return "stl" if n >= STL_MIN_CYCLES * period else "seasonal_median"
    if decomposition in ("stl", "seasonal_median"):
        if not seasonal_ok:
            raise ValueError(f"{decomposition} needs period >= 2 and at least two full cycles")
        return "stl" if decomposition == "stl" else "seasonal_median"
    if decomposition == "none":
        return "none"
    raise ValueError(f"decomposition must be auto, stl, seasonal_median or none: {decomposition!r}")


def _check_index(series: Any) -> None:
    if not isinstance(series, pd.Series):
        raise ValueError("series must be a pandas Series")
    index = series.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError("series must have a DatetimeIndex")
    if len(index) < 3:
        raise ValueError("series needs at least 3 points")
    if not index.is_monotonic_increasing or not index.is_unique:
        raise ValueError("series index must be strictly increasing")
    if index.freq is None and pd.infer_freq(index) is None:
        raise ValueError("series index must have a regular frequency (fill empty buckets)")


def _sigma(scores: ModifiedZ) -> float:
    if scores.scale_method == "mad":
        return scores.scale / MAD_CONSTANT
    if scores.scale_method == "mean_ad":
        return scores.scale * MEAN_AD_CONSTANT
    return 0.0


def _checked(series: Any, period: int, threshold: float) -> None:
    _check_index(series)
    if isinstance(period, bool) or int(period) != period or period < 1:
        raise ValueError(f"period must be a positive integer, got {period!r}")
    if not math.isfinite(threshold) or threshold <= 0:
        raise ValueError(f"threshold must be a positive number, got {threshold!r}")


def _forward(x: FloatArray, transform: Transform) -> FloatArray:
    if transform == "sqrt":
        return np.sqrt(np.maximum(x, 0.0))
    if transform == "log":
        return np.log1p(np.maximum(x, 0.0))
    return x


def transformed(values: npt.ArrayLike, transform: Transform) -> FloatArray:
    """g(x) of the module docstring: √x, log(1 + x) (negatives clipped to 0) or x."""
    if transform not in ("none", "sqrt", "log"):
        raise ValueError(f"transform must be none, sqrt or log, got {transform!r}")
    return _forward(np.asarray(values, dtype=np.float64), transform)


def _backward(z: float, transform: Transform) -> float:
    if transform == "sqrt":
        return max(z, 0.0) ** 2
    if transform == "log":
        return math.expm1(z)
    return z


def _score(
    series: Any,
    raw: FloatArray,
    observed: npt.NDArray[np.bool_],
    period: int,
    threshold: float,
    decomposition: str,
    transform: Transform = "none",
    trend: int | None = None,
) -> AnomalyResult:
    if transform not in ("none", "sqrt", "log"):
        raise ValueError(f"transform must be none, sqrt or log, got {transform!r}")
    if trend is not None and (trend < 3 or trend % 2 == 0):
        raise ValueError(f"trend must be an odd window of at least 3, got {trend!r}")
    x = _forward(raw, transform)
    method = _choose(int(x.size), int(period), decomposition)
    if method == "stl":
        residual = _stl_residual(x, int(period), float(threshold), trend)
    elif method == "seasonal_median":
        residual = _seasonal_median_residual(x, int(period))
    else:
        residual = x
    scores = modified_z_scores(residual[observed])
    z = np.zeros(x.size)
    z[observed] = scores.z
    half = threshold * _sigma(scores)
    points = []
    for ts, v, t, r, zi, seen in zip(series.index, raw, x, residual, z, observed, strict=True):
        flagged = bool(seen) and bool(abs(zi) > threshold)
        centre = float(t - r + scores.median)
        expected = _backward(centre, transform)
        severity: Severity | None = None
        if flagged:
            severity = "critical" if abs(zi) >= 2 * threshold else "warning"
        points.append(
            AnomalyPoint(
                ts,
                float(v),
                float(r),
                float(zi),
                flagged,
                expected,
                _backward(centre - half, transform),
                _backward(centre + half, transform),
                severity,
                bool(seen),
            )
        )
    return AnomalyResult(
        points=tuple(points),
        flagged=tuple(p.timestamp for p in points if p.flagged),
        threshold=float(threshold),
        period=int(period),
        decomposition=method,
        residual_median=scores.median,
        scale=scores.scale,
        scale_method=scores.scale_method,
    )


def detect_anomalies(
    series: Any,
    period: int,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    decomposition: Literal["auto", "stl", "seasonal_median", "none"] = "auto",
    transform: Transform = "none",
    trend: int | None = None,
) -> AnomalyResult:
    """Flag buckets whose de-seasonalised residual has |modified z| > threshold.

    ``series`` is a pandas Series of floats with a regular DatetimeIndex (empty buckets filled,
    e.g. with 0 for volumes); ``period`` is the seasonal cycle in buckets (7 for daily data with
    a weekly pattern, 24 or 168 for hourly data, 1 for none). NaN values are rejected.
    """
    _checked(series, period, threshold)
    x = np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("series contains NaN or infinite values; fill empty buckets first")
    return _score(
        series, x, np.ones(x.size, dtype=bool), period, threshold, decomposition, transform, trend
    )


def detect_anomalies_with_gaps(
    series: Any,
    period: int,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    decomposition: Literal["auto", "stl", "seasonal_median", "none"] = "auto",
    transform: Transform = "none",
    trend: int | None = None,
) -> AnomalyResult:
    """:func:`detect_anomalies` for series whose NaN buckets had no observations (a KPI with
    empty buckets): they are interpolated for the decomposition, never flagged, and left out of
    the residual scale. Needs at least 3 observed buckets."""
    _checked(series, period, threshold)
    x = np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    if np.any(np.isinf(x)):
        raise ValueError("series contains infinite values")
    observed = ~np.isnan(x)
    if int(observed.sum()) < 3:
        raise ValueError("series needs at least 3 observed buckets")
    filled = np.asarray(
        pd.Series(x).interpolate(limit_direction="both").to_numpy(), dtype=np.float64
    )
    return _score(series, filled, observed, period, threshold, decomposition, transform, trend)


def hourly_period(buckets: int, weekly: int = 168) -> int:
    """The seasonal period of an hourly series of ``buckets`` hours: ``weekly`` (hour of week)
    when it holds the STL_MIN_CYCLES cycles STL needs, else the daily cycle, 24 (with fewer, the
    seasonal-median fallback raises false alarms several times more often)."""
    return weekly if buckets >= STL_MIN_CYCLES * weekly else 24


def score_buckets(
    values: Sequence[float],
    period: int,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    transform: Transform = "none",
    hourly: bool = True,
) -> AnomalyResult:
    """The anomalies definition (docs/metrics.md) over consecutive buckets, oldest first (NaN:
    no observations, :func:`detect_anomalies_with_gaps`; STL trend window :func:`trend_window`),
    scored by position on a regular grid: the points' timestamps are positions, not times. The
    ``anomalies`` field and the alerting volume rule both call this (same score per bucket)."""
    freq = "h" if hourly else "D"
    index = pd.date_range("2000-01-03", periods=len(values), freq=freq, tz="UTC")
    return detect_anomalies_with_gaps(
        pd.Series(list(values), index=index, dtype=np.float64),
        period,
        threshold=threshold,
        transform=transform,
        trend=trend_window(period),
    )
