"""Statistics on KPI series: trend, seasonality, anomalies and correlations (docs/metrics.md,
"Statistics").

Correlations are in :mod:`resolvers.statistics_correlations`.

Data path: every field reads the ``timeSeries`` queries (:mod:`resolvers.statistics_data`, one
statement per KPI source and grouping) under the caller's row level security; the pure
functions of :mod:`analytics.trends`, :mod:`analytics.changepoint`,
:mod:`analytics.seasonality`, :mod:`analytics.anomaly` and :mod:`analytics.correlation` run on
the aggregated series, off the event loop. A bucket without observations (``n = 0``) has no
value: count KPIs (ticket volume, backlog) read it as 0, other KPIs as missing.

Seasonal periods by granularity: HOUR 168 (hour of week; 24 when the window holds fewer than two
weeks, or for anomalies six), DAY 7, WEEK 52, MONTH 12.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from analytics.anomaly import AnomalyResult, Transform, hourly_period, score_buckets
from analytics.changepoint import ChangePoint, pettitt
from analytics.kpi_registry import lookup
from analytics.seasonality import (
    ProfileCell,
    SeasonalStrength,
    hour_of_week,
    intraday,
    seasonal_strength,
    weekly,
)
from analytics.trends import TrendTest, mann_kendall, seasonal_mann_kendall
from resolvers.buckets import Granularity, parse_granularity
from resolvers.errors import UserInputError
from resolvers.kpi_series import SeriesFigure, resolve_kpi
from resolvers.port import Session
from resolvers.statistics_data import cached_result, kpi_series, off_loop

#: KPIs whose empty bucket means 0 (a count), not "not measured".
COUNT_KPIS = frozenset({"ticket_volume", "backlog", "backlog_unassigned", "backlog_unanswered"})
#: Units of durations (roughly log-normal): anomalies are scored on log(1 + x).
DURATION_UNITS = frozenset({"seconds", "minutes", "hours"})


def anomaly_transform(kpi: str) -> Transform:
    """√ for counts, log(1 + x) for durations, none otherwise (analytics.anomaly)."""
    if kpi in COUNT_KPIS:
        return "sqrt"
    return "log" if lookup(resolve_kpi(kpi)).unit in DURATION_UNITS else "none"


SEASON = {Granularity.HOUR: 168, Granularity.DAY: 7, Granularity.WEEK: 52, Granularity.MONTH: 12}


def values_of(kpi: str, points: Sequence[SeriesFigure]) -> list[float | None]:
    """Bucket values; empty buckets are 0 for count KPIs, None otherwise."""
    zero = kpi in COUNT_KPIS
    return [(0.0 if zero else None) if p.value is None else float(p.value) for p in points]


def split_groups(points: Sequence[SeriesFigure]) -> dict[str | None, list[SeriesFigure]]:
    """Points by group key (None when ungrouped), in bucket order."""
    out: dict[str | None, list[SeriesFigure]] = {}
    for p in points:
        out.setdefault(p.group, []).append(p)
    return out


def period_for(granularity: Granularity, buckets: int, cycles: int = 2) -> int:
    """The seasonal period (see the module docstring); hourly series with fewer than
    ``cycles`` weeks use the daily cycle instead."""
    if granularity is Granularity.HOUR and buckets < cycles * 168:
        return 24
    return SEASON[granularity]


# --- trend ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeriesTrend:
    """Mann-Kendall/Sen over one series, with Pettitt's change point (bucket of its last
    observation before the change) when it is significant."""

    group: str | None
    group_label: str | None
    buckets: int
    observations: int
    test: TrendTest
    change: ChangePoint
    change_bucket: SeriesFigure | None


@dataclass(frozen=True, slots=True)
class TrendReport:
    kpi: str
    granularity: Granularity
    seasonal: bool
    method: str
    overall: SeriesTrend
    groups: tuple[SeriesTrend, ...]


def _trend_of(
    points: Sequence[SeriesFigure], kpi: str, period: int | None, alpha: float
) -> SeriesTrend:
    values = [math.nan if v is None else v for v in values_of(kpi, points)]
    test = (
        seasonal_mann_kendall(values, period, alpha=alpha)
        if period
        else mann_kendall(values, alpha=alpha)
    )
    change = pettitt(values, alpha=alpha)
    bucket = points[change.index] if change.significant and change.index is not None else None
    first = points[0] if points else None
    return SeriesTrend(
        group=first.group if first else None,
        group_label=first.group_label if first else None,
        buckets=len(points),
        observations=sum(p.n for p in points),
        test=test,
        change=change,
        change_bucket=bucket,
    )


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 0.5:
        raise UserInputError("alpha must be in (0, 0.5)", field="alpha")


@cached_result("trend")
async def trend(
    session: Session,
    kpi: str,
    start: datetime,
    end: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    seasonal: bool = False,
    group_by: str | None = None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    alpha: float = 0.05,
) -> TrendReport:
    """Mann-Kendall (seasonal with ``seasonal``) + Sen's slope per bucket + Pettitt, overall and
    per group; one or two statements (the overall series, and the grouped one)."""
    _check_alpha(alpha)
    g = parse_granularity(granularity)
    request, overall = await kpi_series(
        session, [kpi], start, end, g, timezone, team_id=team_id, agent_id=agent_id
    )
    grouped: list[SeriesFigure] = []
    if group_by is not None:
        _, by = await kpi_series(
            session, [kpi], start, end, g, timezone,
            team_id=team_id, agent_id=agent_id, group_by=group_by,
        )  # fmt: skip
        grouped = by[kpi]
    period = period_for(g, request.bucket_count) if seasonal else None
    if period is not None and request.bucket_count < 2 * period:
        raise UserInputError(
            f"the seasonal test needs two full cycles of {period} {g.value} buckets; "
            "use a longer window or seasonal: false",
            field="seasonal",
        )
    if request.bucket_count < 4:
        raise UserInputError("a trend needs at least 4 buckets", field="granularity")

    def compute() -> TrendReport:
        groups = tuple(_trend_of(pts, kpi, period, alpha) for pts in split_groups(grouped).values())
        return TrendReport(
            kpi=kpi,
            granularity=g,
            seasonal=period is not None,
            method=(f"seasonal Mann-Kendall (period {period})" if period else "Mann-Kendall")
            + ", Sen's slope per bucket with its 95% CI, Pettitt change point",
            overall=_trend_of(overall[kpi], kpi, period, alpha),
            groups=groups,
        )

    return await off_loop(compute)


# --- seasonality --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SeasonalityReport:
    kpi: str
    timezone: str
    hour_of_week: tuple[ProfileCell, ...]
    intraday: tuple[ProfileCell, ...]
    weekly: tuple[ProfileCell, ...]
    strength: SeasonalStrength | None
    note: str | None


def local_days(hours: Sequence[SeriesFigure], zone: ZoneInfo) -> list[SeriesFigure]:
    """Daily points of a count series from its hourly points: the sum over each local day."""
    out: dict[date, SeriesFigure] = {}
    for p in hours:
        day = p.bucket_start.astimezone(zone).date()
        was = out.get(day)
        if was is None:
            out[day] = SeriesFigure(p.bucket_start, p.bucket_end, day.isoformat(), p.n,
                                   float(p.n))  # fmt: skip
        else:
            out[day] = SeriesFigure(was.bucket_start, p.bucket_end, was.local_label, was.n + p.n,
                                   float(was.n + p.n))  # fmt: skip
    return list(out.values())


def _local(points: Sequence[SeriesFigure], zone: ZoneInfo) -> list[datetime]:
    return [p.bucket_start.astimezone(zone).replace(tzinfo=None) for p in points]


@cached_result("seasonality")
async def seasonality(
    session: Session,
    kpi: str,
    start: datetime,
    end: datetime,
    timezone: str,
    *,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> SeasonalityReport:
    """Hour-of-week heatmap and intraday profile (hourly series), weekly profile (daily series;
    for ticket volume the sums of the local days' hours) and the STL/MSTL strengths of the daily
    and weekly cycles; two statements (one for ticket volume)."""
    _, hourly = await kpi_series(
        session, [kpi], start, end, Granularity.HOUR, timezone, team_id=team_id, agent_id=agent_id
    )
    zone = ZoneInfo(timezone)
    if kpi == "ticket_volume":  # a flow count: its local days are the sums of their hours
        daily = {kpi: local_days(hourly[kpi], zone)}
    else:
        _, daily = await kpi_series(session, [kpi], start, end, Granularity.DAY, timezone,
                                    team_id=team_id, agent_id=agent_id)  # fmt: skip

    def compute() -> SeasonalityReport:
        h_points, d_points = hourly[kpi], daily[kpi]
        h_values, d_values = values_of(kpi, h_points), values_of(kpi, d_points)
        h_local, h_n = _local(h_points, zone), [p.n for p in h_points]
        strength, note = None, None
        try:
            strength = seasonal_strength(h_values, (24, 168))
        except ValueError as exc:
            note = f"no decomposition: {exc}"
        return SeasonalityReport(
            kpi=kpi,
            timezone=timezone,
            hour_of_week=hour_of_week(h_local, h_values, h_n),
            intraday=intraday(h_local, h_values, h_n),
            weekly=weekly(_local(d_points, zone), d_values, [p.n for p in d_points]),
            strength=strength,
            note=note,
        )

    return await off_loop(compute)


# --- anomalies ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupAnomalies:
    group: str | None
    group_label: str | None
    points: tuple[SeriesFigure, ...]
    result: AnomalyResult | None  # None when the series has fewer than 3 observed buckets


@dataclass(frozen=True, slots=True)
class AnomalyReport:
    kpi: str
    granularity: Granularity
    period: int
    threshold: float
    series: tuple[GroupAnomalies, ...]


def score_series(
    kpi: str,
    points: Sequence[SeriesFigure],
    period: int,
    threshold: float,
    granularity: Granularity = Granularity.HOUR,
) -> AnomalyResult | None:
    """:func:`analytics.anomaly.detect_anomalies_with_gaps` over one KPI series."""
    values = [math.nan if v is None else v for v in values_of(kpi, points)]
    if sum(1 for v in values if not math.isnan(v)) < 3:
        return None
    return score_buckets(
        values,
        period,
        threshold=threshold,
        transform=anomaly_transform(kpi),
        hourly=granularity is Granularity.HOUR,
    )


def anomaly_period(granularity: Granularity, buckets: int) -> int:
    """The anomalies' seasonal period: hour of week only with the 6 weekly cycles STL needs
    (analytics.anomaly.hourly_period), else as :func:`period_for`."""
    if granularity is Granularity.HOUR:
        return hourly_period(buckets)
    return SEASON[granularity]


@cached_result("anomalies")
async def anomalies(
    session: Session,
    kpi: str,
    start: datetime,
    end: datetime,
    granularity: Granularity | str,
    timezone: str,
    *,
    group_by: str | None = None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
    threshold: float = 3.5,
) -> AnomalyReport:
    """Robust z of the de-seasonalised residual per bucket (overall, or per group); one
    statement."""
    if not 2.0 <= threshold <= 10.0:
        raise UserInputError("threshold must be between 2 and 10", field="threshold")
    g = parse_granularity(granularity)
    request, got = await kpi_series(
        session, [kpi], start, end, g, timezone, team_id=team_id, agent_id=agent_id,
        group_by=group_by,
    )  # fmt: skip
    period = anomaly_period(g, request.bucket_count)

    def compute() -> AnomalyReport:
        series = tuple(
            GroupAnomalies(
                key, pts[0].group_label, tuple(pts), score_series(kpi, pts, period, threshold, g)
            )
            for key, pts in split_groups(got[kpi]).items()
        )
        return AnomalyReport(kpi, g, period, threshold, series)

    return await off_loop(compute)
