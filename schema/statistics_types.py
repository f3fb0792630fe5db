"""GraphQL types of the statistics fields (:mod:`schema.statistics`); conversions from the
resolvers' frozen results only, no data access."""

from __future__ import annotations

import math
from datetime import datetime
from enum import Enum

import strawberry

from analytics.benchmark import Comparison
from analytics.correlation import CorrelationMatrix, LaggedPair
from analytics.model_selection import ModelScore
from analytics.rootcause import Bottleneck, Contribution
from analytics.seasonality import ProfileCell
from resolvers import statistics
from resolvers.statistics_forecast import ChosenForecast


def finite(value: float | None) -> float | None:
    """None for missing, NaN or infinite values (GraphQL floats are finite)."""
    return value if value is not None and math.isfinite(value) else None


@strawberry.enum(description="Direction of a Mann-Kendall trend at the requested alpha.")
class TrendDirection(Enum):
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_TREND = "no trend"


@strawberry.enum(description="How far outside its expected range an anomaly is.")
class AnomalySeverity(Enum):
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.type(description="Pettitt's most probable change point, when it is significant.")
class TrendChangePoint:
    bucket_start: datetime = strawberry.field(description="Start of the last bucket before it.")
    local_label: str
    statistic: float = strawberry.field(description="K = max |U_t|.")
    p_value: float
    mean_before: float | None
    mean_after: float | None


@strawberry.type(description="Mann-Kendall test with Sen's slope over one series.")
class TrendResult:
    group: str | None
    group_label: str | None
    buckets: int
    points: int = strawberry.field(description="Buckets with a value (the test's n).")
    observations: int = strawberry.field(description="Observations behind the buckets (Σ n).")
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float | None
    direction: TrendDirection
    slope: float | None = strawberry.field(description="Sen's slope, KPI units per bucket.")
    slope_ci_low: float | None
    slope_ci_high: float | None
    change_point_p_value: float = strawberry.field(description="Pettitt's p (approximation).")
    change_point: TrendChangePoint | None

    @classmethod
    def of(cls, t: statistics.SeriesTrend) -> TrendResult:
        cp = None
        if t.change_bucket is not None:
            cp = TrendChangePoint(
                bucket_start=t.change_bucket.bucket_start,
                local_label=t.change_bucket.local_label,
                statistic=t.change.statistic,
                p_value=t.change.p_value,
                mean_before=t.change.mean_before,
                mean_after=t.change.mean_after,
            )
        r = t.test
        return cls(
            group=t.group, group_label=t.group_label, buckets=t.buckets, points=r.n,
            observations=t.observations, s=r.s, var_s=r.var_s, z=r.z, p_value=r.p_value,
            tau=finite(r.tau), direction=TrendDirection(r.trend), slope=finite(r.slope),
            slope_ci_low=finite(r.slope_ci_low), slope_ci_high=finite(r.slope_ci_high),
            change_point_p_value=t.change.p_value, change_point=cp,
        )  # fmt: skip


@strawberry.type(description="Trend of a KPI series, overall and per group.")
class TrendAnalysis:
    kpi: str
    method: str
    seasonal: bool
    overall: TrendResult
    groups: list[TrendResult]


@strawberry.type(description="One profile position (local weekday 1-7 = Monday-Sunday, hour).")
class ProfileValue:
    weekday: int | None
    hour: int | None
    value: float | None = strawberry.field(description="Mean over the cycles with a value.")
    ci_low: float | None
    ci_high: float | None
    cycles: int
    n: int

    @classmethod
    def of(cls, c: ProfileCell, weekday: int | None, hour: int | None) -> ProfileValue:
        return cls(
            weekday=weekday, hour=hour, value=c.value, ci_low=c.ci_low, ci_high=c.ci_high,
            cycles=c.cycles, n=c.n,
        )  # fmt: skip


@strawberry.type(description="Strength of one seasonal cycle: 1 - Var(R)/Var(S + R), 0..1.")
class SeasonalCycle:
    name: str
    period_hours: int
    strength: float


@strawberry.type(description="Seasonal patterns of a KPI in local time.")
class Seasonality:
    kpi: str
    timezone: str
    method: str | None
    heatmap: list[ProfileValue] = strawberry.field(description="7 x 24, Monday 00:00 first.")
    intraday: list[ProfileValue]
    weekly: list[ProfileValue]
    components: list[SeasonalCycle]
    trend_strength: float | None
    note: str | None


@strawberry.type(description="One flagged bucket: robust z of the de-seasonalised residual.")
class Anomaly:
    bucket_start: datetime
    bucket_end: datetime
    local_label: str
    group: str | None
    group_label: str | None
    n: int
    observed: float
    expected: float
    expected_low: float
    expected_high: float
    score: float = strawberry.field(description="Modified z: 0.6745 (r - median) / MAD.")
    severity: AnomalySeverity


@strawberry.type(description="Anomalies of a KPI series (docs/metrics.md: |robust z| > threshold).")
class Anomalies:
    kpi: str
    period: int = strawberry.field(description="Seasonal period removed, in buckets.")
    threshold: float
    method: str
    buckets: int
    anomalies: list[Anomaly]


def anomaly_report(r: statistics.AnomalyReport) -> Anomalies:
    found: list[Anomaly] = []
    methods = set()
    for s in r.series:
        if s.result is None:
            continue
        methods.add(s.result.decomposition)
        for p, a in zip(s.points, s.result.points, strict=True):
            if a.flagged and a.severity is not None:
                found.append(
                    Anomaly(
                        bucket_start=p.bucket_start, bucket_end=p.bucket_end,
                        local_label=p.local_label, group=p.group, group_label=p.group_label,
                        n=p.n, observed=a.value, expected=a.expected,
                        expected_low=a.expected_low, expected_high=a.expected_high, score=a.z,
                        severity=AnomalySeverity(a.severity),
                    )
                )  # fmt: skip
    method = "robust z of the residual after " + (", ".join(sorted(methods)) or "nothing")
    return Anomalies(
        kpi=r.kpi, period=r.period, threshold=r.threshold, method=method,
        buckets=sum(len(s.points) for s in r.series), anomalies=found,
    )  # fmt: skip


@strawberry.type(description="One pair of KPIs: Spearman and Pearson, BH-adjusted per matrix.")
class KpiCorrelation:
    first: str
    second: str
    n: int
    spearman: float | None
    spearman_p_value: float | None
    spearman_p_adjusted: float | None
    spearman_significant: bool
    pearson: float | None
    pearson_p_value: float | None
    pearson_p_adjusted: float | None
    pearson_significant: bool


@strawberry.type(description="Spearman of first[t] with second[t + lag], BH across all lags.")
class LaggedCorrelation:
    first: str
    second: str
    lag: int
    n: int
    rho: float | None
    p_value: float | None
    p_adjusted: float | None
    significant: bool

    @classmethod
    def of(cls, p: LaggedPair) -> LaggedCorrelation:
        return cls(
            first=p.first, second=p.second, lag=p.lag, n=p.n, rho=p.rho, p_value=p.p_value,
            p_adjusted=p.p_adjusted, significant=p.significant,
        )  # fmt: skip


@strawberry.type(description="Correlations between KPI series over the same buckets.")
class Correlations:
    kpis: list[str]
    buckets: int
    pairs: list[KpiCorrelation]
    lagged: list[LaggedCorrelation]


def correlation_pairs(sp: CorrelationMatrix, pe: CorrelationMatrix) -> list[KpiCorrelation]:
    out = []
    for a, b in zip(sp.pairs, pe.pairs, strict=True):
        out.append(
            KpiCorrelation(
                first=a.first, second=a.second, n=a.n, spearman=a.rho,
                spearman_p_value=a.p_value, spearman_p_adjusted=a.p_adjusted,
                spearman_significant=a.significant, pearson=b.rho, pearson_p_value=b.p_value,
                pearson_p_adjusted=b.p_adjusted, pearson_significant=b.significant,
            )
        )  # fmt: skip
    return out


@strawberry.type(description="The subject against one peer group (Welch test, 95% CI).")
class PeerComparison:
    peers: int
    peer_observations: int
    percentile: float | None
    peer_mean: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool

    @classmethod
    def of(cls, c: Comparison) -> PeerComparison:
        return cls(
            peers=c.peers, peer_observations=c.peer_n, percentile=c.percentile,
            peer_mean=c.peer_mean, difference=c.difference, ci_low=c.ci_low, ci_high=c.ci_high,
            p_value=c.p_value, significant=c.significant,
        )  # fmt: skip


@strawberry.type(description="One KPI of the subject against its team and the organisation.")
class BenchmarkFigure:
    name: str
    unit: str
    value: float | None
    n: int
    team: PeerComparison | None
    organisation: PeerComparison


@strawberry.type(description="An agent or a team against the distribution of its peers.")
class Benchmark:
    subject: str
    subject_id: strawberry.ID
    name: str | None
    kpis: list[BenchmarkFigure]


@strawberry.type(description="One segment's part of the change: mix + rate = contribution.")
class Driver:
    key: str
    label: str
    n: int
    previous_n: int
    share: float
    previous_share: float
    value: float | None
    previous_value: float | None
    mix: float
    rate: float
    contribution: float

    @classmethod
    def of(cls, c: Contribution) -> Driver:
        return cls(
            key=c.key, label=c.label, n=c.n1, previous_n=c.n0, share=c.share1,
            previous_share=c.share0, value=c.value1, previous_value=c.value0, mix=c.mix,
            rate=c.rate, contribution=c.contribution,
        )  # fmt: skip


@strawberry.type(description="The change decomposed over the segments of one dimension.")
class DimensionDrivers:
    dimension: str
    mix: float
    rate: float
    drivers: list[Driver] = strawberry.field(description="Largest |contribution| first.")


@strawberry.type(description="A lifecycle stage's mean duration in both windows.")
class StageBottleneck:
    stage: str
    n: int
    previous_n: int
    mean_hours: float | None
    previous_mean_hours: float | None
    growth_hours: float | None
    relative_growth: float | None

    @classmethod
    def of(cls, b: Bottleneck) -> StageBottleneck:
        s = b.stage
        return cls(
            stage=s.name, n=s.n1, previous_n=s.n0, mean_hours=s.mean1,
            previous_mean_hours=s.mean0, growth_hours=b.growth,
            relative_growth=b.relative_growth,
        )  # fmt: skip


@strawberry.type(description="What explains a KPI's change between two windows.")
class RootCause:
    kpi: str
    unit: str
    method: str
    window_from: datetime
    window_to: datetime
    compare_from: datetime
    compare_to: datetime
    value: float | None
    previous_value: float | None
    change: float | None
    n: int
    previous_n: int
    dimensions: list[DimensionDrivers]
    bottlenecks: list[StageBottleneck]


@strawberry.type(description="A candidate model's rolling-origin backtest.")
class ModelBacktest:
    model: str
    mase: float | None = strawberry.field(description="Scaled by the seasonal-naive MAE.")
    wape: float | None = strawberry.field(description="Σ|error| / Σ|actual|.")
    coverage80: float
    coverage95: float

    @classmethod
    def of(cls, s: ModelScore) -> ModelBacktest:
        return cls(
            model=s.model, mase=finite(s.mase), wape=finite(s.wape), coverage80=s.coverage80,
            coverage95=s.coverage95,
        )  # fmt: skip


@strawberry.type(description="The model a forecast chose by backtest, and its scores.")
class ForecastModel:
    name: str
    description: str
    holiday_effects: bool
    origins: int
    horizon: int
    backtest: ModelBacktest | None = strawberry.field(description="The chosen model's.")
    seasonal_naive: ModelBacktest | None
    candidates: list[ModelBacktest]

    @classmethod
    def of(cls, c: ChosenForecast) -> ForecastModel:
        sel = c.selection
        if sel is None:
            return cls(
                name=c.model, description=c.description, holiday_effects=False, origins=0,
                horizon=0, backtest=None, seasonal_naive=None, candidates=[],
            )  # fmt: skip
        return cls(
            name=c.model, description=c.description, holiday_effects=sel.holiday_effects,
            origins=sel.origins, horizon=sel.horizon, backtest=ModelBacktest.of(sel.chosen),
            seasonal_naive=ModelBacktest.of(sel.naive),
            candidates=[ModelBacktest.of(s) for s in sel.candidates],
        )  # fmt: skip
