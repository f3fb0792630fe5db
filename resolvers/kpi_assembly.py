"""Turning the (period, stats) rows of the ``kpi_*`` queries into KPI result objects.

Pure functions: no I/O. Periods are ``current`` / ``previous`` (overall rows) and
``current_group`` / ``previous_group`` (per-group rows), except for sources that always return
per-key rows plus an overall row keyed ``'all'`` (queues, vip; see :class:`Source`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from analytics.kpis import KpiDefinition, status
from analytics.statistics import trend_ratio
from resolvers.kpi_measures import MEASURES, Estimate, Source, Stats, count
from resolvers.kpi_types import (
    Backlog,
    Distribution,
    DistributionBucket,
    KpiGroupValue,
    KpiResult,
    KpiValue,
)
from resolvers.port import Row

ALL = "all"
DIMENSIONS = ("channel", "category", "priority", "status")

Periods = Mapping[str, Sequence[Stats]]


def decode(value: Any) -> Stats:
    """A jsonb column: asyncpg hands it over as text, a REST backend already decoded."""
    if isinstance(value, str):
        decoded: Stats = json.loads(value)
        return decoded
    if isinstance(value, Mapping):
        return value
    raise TypeError(f"expected a json object, got {type(value).__name__}")


def by_period(rows: Iterable[Row], source_column: str | None = None) -> dict[Any, list[Stats]]:
    """Rows grouped by ``period`` (or by ``(source, period)`` when ``source_column`` is given)."""
    out: dict[Any, list[Stats]] = {}
    for row in rows:
        key = (row[source_column], row["period"]) if source_column else row["period"]
        out.setdefault(key, []).append(decode(row["stats"]))
    return out


def kpi_value(defn: KpiDefinition, current: Estimate, previous: Estimate | None) -> KpiValue:
    """The KPI with its target, status and trend against ``previous``."""
    prev = previous.value if previous is not None else None
    return KpiValue(
        name=defn.name,
        value=current.value,
        n=current.n,
        ci_low=current.ci_low,
        ci_high=current.ci_high,
        target=defn.target,
        status=status(defn, current.value),
        previous=prev,
        trend=trend_ratio(current.value, prev),
        unit=defn.unit,
        std=current.std,
    )


def group_value(
    defn: KpiDefinition, key: str, label: str, current: Estimate, previous: Estimate | None
) -> KpiGroupValue:
    """:func:`kpi_value` for one group."""
    v = kpi_value(defn, current, previous)
    return KpiGroupValue(
        key, label, v.name, v.value, v.n, v.ci_low, v.ci_high, v.target, v.status, v.previous,
        v.trend, v.unit, v.std,
    )  # fmt: skip


def _key(source: Source, stats: Stats) -> str:
    return str(stats[source.key])


def _label(source: Source, stats: Stats) -> str:
    label = stats.get("group_label")
    return str(label) if label is not None else _key(source, stats)


def overall_rows(source: Source, periods: Periods) -> tuple[Stats, Stats | None]:
    """The current and previous overall statistics of a source."""

    def pick(rows: Sequence[Stats]) -> Stats | None:
        if source.grouped_rows:
            return next((r for r in rows if _key(source, r) == ALL), None)
        return rows[0] if rows else None

    current = pick(periods.get("current", ()))
    if current is None:
        raise RuntimeError(f"the {source.name} statistics returned no overall row")
    return current, pick(periods.get("previous", ()))


def group_rows(source: Source, periods: Periods) -> tuple[list[Stats], dict[str, Stats]]:
    """The current per-group rows (ordered by label, key) and the previous ones by key."""
    if source.grouped_rows:
        cur = [r for r in periods.get("current", ()) if _key(source, r) != ALL]
        prev = [r for r in periods.get("previous", ()) if _key(source, r) != ALL]
    else:
        cur = list(periods.get("current_group", ()))
        prev = list(periods.get("previous_group", ()))
    cur.sort(key=lambda r: (_label(source, r), _key(source, r)))
    return cur, {_key(source, r): r for r in prev}


def kpi_result(
    defn: KpiDefinition, source: Source, periods: Periods, group_by: str | None
) -> KpiResult:
    """One KPI overall and (when ``group_by``) per group, from its source's rows."""
    measure = MEASURES[defn.name].estimate
    current, previous = overall_rows(source, periods)
    overall = kpi_value(defn, measure(current), measure(previous) if previous else None)
    groups: list[KpiGroupValue] = []
    if group_by is not None:
        cur_rows, prev_rows = group_rows(source, periods)
        for row in cur_rows:
            key = _key(source, row)
            prev = prev_rows.get(key)
            groups.append(
                group_value(
                    defn, key, _label(source, row), measure(row), measure(prev) if prev else None
                )
            )
    return KpiResult(overall, group_by, tuple(groups))


def backlog(at: datetime, stats: Stats) -> Backlog:
    """A backlog snapshot from a row of ``analytics.backlog_at``."""
    n_open = count(stats, "open")
    age_sum, age_max = stats.get("age_sum"), stats.get("age_max")
    return Backlog(
        at=at,
        key=str(stats["group_key"]),
        label=str(stats.get("group_label") or stats["group_key"]),
        open=n_open,
        unassigned=count(stats, "unassigned"),
        unanswered=count(stats, "unanswered"),
        age_under_1h=count(stats, "age_under_1h"),
        age_1h_to_4h=count(stats, "age_1h_4h"),
        age_4h_to_24h=count(stats, "age_4h_24h"),
        age_1d_to_3d=count(stats, "age_1d_3d"),
        age_over_3d=count(stats, "age_over_3d"),
        mean_age_hours=float(age_sum) / n_open / 3600.0 if n_open and age_sum is not None else None,
        oldest_age_hours=float(age_max) / 3600.0 if age_max is not None else None,
        uncertain=count(stats, "uncertain"),
    )


def distributions(rows: Sequence[Stats]) -> tuple[Distribution, ...]:
    """Distributions by dimension (in :data:`DIMENSIONS` order) with shares in percent."""
    out = []
    for dim in DIMENSIONS:
        mine = [r for r in rows if r["dimension"] == dim]
        total = sum(count(r, "tickets") for r in mine)
        buckets = tuple(
            DistributionBucket(
                key=str(r["group_key"]),
                label=str(r.get("group_label") or r["group_key"]),
                tickets=count(r, "tickets"),
                share=count(r, "tickets") / total * 100.0 if total else None,
            )
            for r in mine
        )
        out.append(Distribution(dim, total, buckets))
    return tuple(out)
