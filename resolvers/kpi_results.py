"""KPI results: the frozen figures the KPI resolvers return, and how they are made from the
(period, stats) rows of the ``kpi_*`` queries.

Conventions shared by every KPI figure (docs/metrics.md, "Time windows"):

* ``value`` is in the KPI's ``unit`` (see :mod:`analytics.kpi_registry`); ``None`` when nothing was
  measured (an empty window), while counts are 0, never ``None``.
* ``n`` is the count behind the value (tickets, responses, targets, agent days...).
* ``ci_low``/``ci_high`` is the 95% confidence interval where the figure is a sample estimate:
  means (Student t), proportions (Wilson) and NPS (trinomial variance). Counts, medians and
  percentiles, workforce time ratios and queue maxima/averages carry no interval (``None``).
* ``std`` is the sample standard deviation of mean-type KPIs (for significance tests such as
  ``analytics.statistics.agents_below_target``), ``None`` otherwise.
* ``previous`` is the value over the previous window of the same length, ``trend`` =
  (value − previous) / previous (``None`` when either is missing or previous is 0).
* ``status`` is :func:`analytics.kpi_registry.status` of ``value`` against ``target``.

Assembly (pure functions, no I/O): periods are ``current`` / ``previous`` (overall rows) and
``current_group`` / ``previous_group`` (per-group rows), except for sources that always return
per-key rows plus an overall row keyed ``'all'`` (queues, vip; see :class:`Source`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from analytics.kpi_registry import KpiSpec, Status, status
from analytics.statistics import trend_ratio
from resolvers.kpi_measures import MEASURES, Estimate, Source, Stats, count
from resolvers.port import Row


@dataclass(frozen=True, slots=True)
class KpiFigure:
    """One KPI over the window, compared with its target and with the previous window."""

    name: str
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: Status | None
    previous: float | None
    trend: float | None
    unit: str
    std: float | None = None


@dataclass(frozen=True, slots=True)
class KpiGroupFigure(KpiFigure):
    """One KPI for one group (``key`` as stored, e.g. a channel or an agent id; ``label`` for
    people). Keys: 'none' = no team / unassigned, 'standard' = no vip tier, category = root slug.
    ``suppressed``: withheld for k-anonymity (:func:`resolvers.privacy.k_anonymous`)."""

    key: str = ""
    label: str = ""
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class KpiBreakdown:
    """A KPI overall and, when a grouping was asked for, per group (ordered by key)."""

    overall: KpiFigure
    group_by: str | None
    groups: tuple[KpiGroupFigure, ...]


@dataclass(frozen=True, slots=True)
class BacklogSnapshot:
    """Tickets open at instant ``at`` (created before it, not resolved by then).

    ``uncertain``: reopened tickets first solved by ``at``; the data has no reopen timestamp, so
    whether each was open at ``at`` is unknown: ``open`` may over-count by at most this many.
    ``unassigned`` uses the current assignment. Ages are in hours (``None`` when nothing is open).
    """

    at: datetime
    key: str
    label: str
    open: int
    unassigned: int
    unanswered: int
    age_under_1h: int
    age_1h_to_4h: int
    age_4h_to_24h: int
    age_1d_to_3d: int
    age_over_3d: int
    mean_age_hours: float | None
    oldest_age_hours: float | None
    uncertain: int


@dataclass(frozen=True, slots=True)
class DistributionShare:
    """Tickets created in the window with one value of a dimension, and their share (percent)."""

    key: str
    label: str
    tickets: int
    share: float | None


@dataclass(frozen=True, slots=True)
class TicketDistribution:
    """Tickets created in the window by ``dimension`` (channel, category, priority, status)."""

    dimension: str
    total: int
    buckets: tuple[DistributionShare, ...]


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    """Headline KPIs of ``[start, end)`` against ``[previous_start, start)``.

    ``backlog`` is at ``min(end, now)`` and ``previous_backlog`` at ``min(start, now)``. Queue
    and VIP KPIs are organisation-wide and absent from a dashboard scoped to a team or an agent.
    """

    start: datetime
    end: datetime
    previous_start: datetime
    kpis: tuple[KpiFigure, ...]
    backlog: BacklogSnapshot
    previous_backlog: BacklogSnapshot
    distributions: tuple[TicketDistribution, ...]

    def kpi(self, name: str) -> KpiFigure:
        """The KPI called ``name``; KeyError if the dashboard does not have it."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class AgentFigures:
    """One agent's KPIs over the window (tickets assigned to the agent, their surveys, the
    agent's own workforce days and quality evaluations)."""

    agent_id: UUID
    name: str
    team_id: UUID
    kpis: tuple[KpiFigure, ...]

    def kpi(self, name: str) -> KpiFigure:
        """The KPI called ``name``; KeyError if absent."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """One queue ('all' = every queue) over the window: counts and KPIs."""

    queue: str
    offered: int
    answered: int
    answered_within_threshold: int
    abandoned: int
    abandoned_after_threshold: int
    kpis: tuple[KpiFigure, ...]

    def kpi(self, name: str) -> KpiFigure:
        """The KPI called ``name``; KeyError if absent."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)


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


def kpi_value(defn: KpiSpec, current: Estimate, previous: Estimate | None) -> KpiFigure:
    """The KPI with its target, status and trend against ``previous``."""
    prev = previous.value if previous is not None else None
    return KpiFigure(
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
    defn: KpiSpec, key: str, label: str, current: Estimate, previous: Estimate | None
) -> KpiGroupFigure:
    """:func:`kpi_value` for one group."""
    v = kpi_value(defn, current, previous)
    return KpiGroupFigure(
        name=v.name, value=v.value, n=v.n, ci_low=v.ci_low, ci_high=v.ci_high, target=v.target,
        status=v.status, previous=v.previous, trend=v.trend, unit=v.unit, std=v.std, key=key,
        label=label,
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
    defn: KpiSpec, source: Source, periods: Periods, group_by: str | None
) -> KpiBreakdown:
    """One KPI overall and (when ``group_by``) per group, from its source's rows."""
    measure = MEASURES[defn.name].estimate
    current, previous = overall_rows(source, periods)
    overall = kpi_value(defn, measure(current), measure(previous) if previous else None)
    groups: list[KpiGroupFigure] = []
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
    return KpiBreakdown(overall, group_by, tuple(groups))


def backlog(at: datetime, stats: Stats) -> BacklogSnapshot:
    """A backlog snapshot from a row of ``analytics.backlog_at``."""
    n_open = count(stats, "open")
    age_sum, age_max = stats.get("age_sum"), stats.get("age_max")
    return BacklogSnapshot(
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


def distributions(rows: Sequence[Stats]) -> tuple[TicketDistribution, ...]:
    """Distributions by dimension (in :data:`DIMENSIONS` order) with shares in percent."""
    out = []
    for dim in DIMENSIONS:
        mine = [r for r in rows if r["dimension"] == dim]
        total = sum(count(r, "tickets") for r in mine)
        buckets = tuple(
            DistributionShare(
                key=str(r["group_key"]),
                label=str(r.get("group_label") or r["group_key"]),
                tickets=count(r, "tickets"),
                share=count(r, "tickets") / total * 100.0 if total else None,
            )
            for r in mine
        )
        out.append(TicketDistribution(dim, total, buckets))
    return tuple(out)
