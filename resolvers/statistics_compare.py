"""Comparisons: an agent or a team against its peers (benchmark), and what explains a KPI's change
between two windows (root cause, with lifecycle bottlenecks).

Benchmark
    Agent: one statement (``stats_benchmark_agents``: ``analytics.agent_stats`` of the window for
    every agent the caller may see, with their team); the
    agent is compared with the other agents of their team and with every other visible agent
    (:func:`analytics.benchmark.compare`). Team: the KPIs grouped by team, one statement per
    source; the team against the other teams. An agent caller sees only their own rows, so
    their peer groups are empty (percentile and tests null): the benchmark never reads rows the
    caller may not see. Per-observation standard deviations: mean KPIs carry theirs;
    proportions use √(p(1 − p)·n/(n − 1)); NPS uses √n times the half-width of its symmetric
    (trinomial) interval / z₀.₉₇₅; other KPIs (medians, time ratios) get no test.

Root cause
    The KPI's statistics per segment of each dimension in both windows (one statement per
    dimension, ``stats_segments_<source>``, segments only) feed
    :func:`analytics.rootcause.shift_share` (weighted-mean KPIs: the weights are each segment's
    ``n``, the KPI's denominator) or :func:`analytics.rootcause.count_change` (ticket volume).
    Satisfaction KPIs read every dimension in one statement (``stats_segments_surveys_all``).
    Medians, percentiles and workforce time ratios are not weighted means of their segments and
    are refused. Bottlenecks: ``stats_lifecycle_stages`` (one statement): waiting for the first
    response, in progress, pending the customer and on hold (from the tickets' status history),
    reopened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import resolvers.kpis
import sql
from analytics.benchmark import Comparison, Member, compare
from analytics.kpi_registry import lookup
from analytics.quantiles import normal_quantile
from analytics.rootcause import (
    Bottleneck,
    Decomposition,
    Segment,
    Stage,
    bottlenecks,
    count_change,
    shift_share,
)
from resolvers import kpi_results
from resolvers.errors import UserInputError
from resolvers.kpi_measures import AGENT_KPIS, MEASURES, Stats
from resolvers.kpi_results import KpiFigure, KpiGroupFigure
from resolvers.kpis import check_group, check_scope, definition, source_of
from resolvers.port import Session
from resolvers.statistics_data import cached_result, off_loop
from resolvers.windows import MAX_WINDOW_DAYS, validate_window

#: KPIs that are weighted means of their segments (weights: the KPI's n).
DECOMPOSABLE = frozenset({
    "first_response_time_mean", "resolution_time_mean", "fcr", "one_touch", "reopen_rate",
    "white_glove_usage", "sla_compliance", "sla_first_response_compliance",
    "sla_resolution_compliance", "csat", "csat_percent", "nps", "ces", "survey_response_rate",
    "quality_score",
})  # fmt: skip
COUNTED = frozenset({"ticket_volume"})
DEFAULT_DIMENSIONS = ("category", "channel", "team", "priority", "vip_tier")
#: Lifecycle stages of the bottlenecks (``stats_lifecycle_stages``).
STAGES = ("first_response", "in_progress", "pending_customer", "on_hold", "reopened")


def _std(v: KpiFigure | KpiGroupFigure) -> float | None:
    if v.std is not None or v.value is None or v.n < 2:
        return v.std
    if v.ci_low is None or v.ci_high is None:
        return None
    if v.unit == "percent":
        p = v.value / 100.0
        return 100.0 * math.sqrt(max(p * (1 - p), 0.0) * v.n / (v.n - 1))
    if v.name == "nps":
        return (v.ci_high - v.ci_low) / 2 / normal_quantile(0.975) * math.sqrt(v.n)
    return None


def _member(key: str, v: KpiFigure | KpiGroupFigure) -> Member:
    return Member(key, v.value, v.n, _std(v))


@dataclass(frozen=True, slots=True)
class BenchmarkKpi:
    name: str
    unit: str
    value: float | None
    n: int
    team: Comparison | None  # None for a team benchmark
    organisation: Comparison


@dataclass(frozen=True, slots=True)
class BenchmarkReport:
    subject: str  # "agent" | "team"
    subject_id: UUID
    name: str | None
    kpis: tuple[BenchmarkKpi, ...]


def _names(kpis: Sequence[str] | None) -> tuple[str, ...]:
    chosen = tuple(kpis) if kpis else AGENT_KPIS
    for name in chosen:
        if name not in AGENT_KPIS:
            raise UserInputError(
                f"KPI {name!r} has no per-agent figure; use one of " + ", ".join(AGENT_KPIS),
                field="kpis",
            )
    return chosen


@dataclass(frozen=True, slots=True)
class _Agent:
    agent_id: UUID
    name: str
    team_id: UUID
    kpis: dict[str, KpiFigure]


async def _agents(
    session: Session, start: datetime, end: datetime, names: Sequence[str], targets: Any
) -> list[_Agent]:
    """Every visible agent's KPIs over ``[start, end)`` (one statement, current window only)."""
    resolvers.kpis.ComparedWindow.of(start, end)  # the window checks
    defs = resolvers.kpis.definitions(targets)
    rows = await session.fetch(sql.load("stats_benchmark_agents"), start, end)
    out = []
    for row in (kpi_results.decode(r["stats"]) for r in rows):
        values = {n: kpi_results.kpi_value(defs[n], MEASURES[n].estimate(row), None) for n in names}
        out.append(_Agent(UUID(str(row["agent_id"])), str(row["agent_name"]),
                          UUID(str(row["team_id"])), values))  # fmt: skip
    return out


@cached_result("benchmark")
async def benchmark(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    agent_id: UUID | None = None,
    team_id: UUID | None = None,
    kpis: Sequence[str] | None = None,
    targets: Any = None,
) -> BenchmarkReport:
    """An agent against their team and the organisation, or a team against the other teams."""
    if (agent_id is None) == (team_id is None):
        raise UserInputError("give exactly one of agentId or teamId", field="agentId")
    names = _names(kpis)
    if agent_id is not None:
        agents = await _agents(session, start, end, names, targets)
        me = next((a for a in agents if a.agent_id == agent_id), None)
        if me is None:
            raise UserInputError(
                "no visible activity of this agent in the window (or you may not see it)",
                field="agentId",
            )
        mates = [a for a in agents if a.team_id == me.team_id]
        out = []
        for name in names:
            mine = me.kpis[name]
            member = _member(str(me.agent_id), mine)
            team = [_member(str(a.agent_id), a.kpis[name]) for a in mates]
            org = [_member(str(a.agent_id), a.kpis[name]) for a in agents]
            out.append(BenchmarkKpi(name, mine.unit, mine.value, mine.n,
                                    compare(member, team), compare(member, org)))  # fmt: skip
        return BenchmarkReport("agent", agent_id, me.name, tuple(out))
    assert team_id is not None
    results = await resolvers.kpis.kpis(session, list(names), start, end, "team", targets=targets)
    out = []
    label = None
    for result in results:
        groups = {g.key: g for g in result.groups}
        mine_group = groups.get(str(team_id))
        if mine_group is not None:
            label = mine_group.label
        member = _member(str(team_id), mine_group) if mine_group else Member(str(team_id), None, 0)
        peers = [_member(k, g) for k, g in groups.items() if k != "none"]
        out.append(
            BenchmarkKpi(result.overall.name, result.overall.unit,
                         mine_group.value if mine_group else None,
                         mine_group.n if mine_group else 0, None, compare(member, peers))
        )  # fmt: skip
    return BenchmarkReport("team", team_id, label, tuple(out))


# --- root cause ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DimensionCause:
    dimension: str
    decomposition: Decomposition


@dataclass(frozen=True, slots=True)
class RootCauseReport:
    kpi: str
    unit: str
    start: datetime
    end: datetime
    compare_start: datetime
    compare_end: datetime
    method: str
    dimensions: tuple[DimensionCause, ...]
    bottlenecks: tuple[Bottleneck, ...]


def _segments(name: str, current: Sequence[Stats], previous: Sequence[Stats],
              key: str) -> list[Segment]:  # fmt: skip
    measure = MEASURES[name].estimate
    now = {str(r[key]): r for r in current}
    before = {str(r[key]): r for r in previous}
    out = []
    for k in sorted(set(now) | set(before)):
        row = now.get(k) or before[k]
        label = str(row.get("group_label") or k)
        e1 = measure(now[k]) if k in now else None
        e0 = measure(before[k]) if k in before else None
        n1, n0 = (e1.n if e1 else 0), (e0.n if e0 else 0)
        out.append(Segment(k, label, n0, e0.value if e0 and n0 else None,
                           n1, e1.value if e1 and n1 else None))  # fmt: skip
    return out


#: Sources whose segments of every grouping come from one statement
#: (``stats_segments_<source>_all``: the windows' rows read and joined to their tickets once,
#: then counted under each grouping).
ONE_PASS = frozenset({"surveys"})


async def _segments_rows(
    session: Session, source: str, dims: Sequence[str], window: tuple[datetime, datetime],
    compare: tuple[datetime, datetime], team_id: UUID | None, agent_id: UUID | None,
) -> dict[str, tuple[list[Stats], list[Stats]]]:  # fmt: skip
    """Per dimension, the current and comparison segments' statistics: one statement for every
    dimension (:data:`ONE_PASS` sources), else one per dimension (there, a single statement over
    every dimension defeats the planner's folding of the grouping in the KPI function)."""
    out: dict[str, tuple[list[Stats], list[Stats]]] = {d: ([], []) for d in dims}
    if source in ONE_PASS:
        rows = await session.fetch(sql.load(f"stats_segments_{source}_all"), *window, *compare,
                                   list(dims), team_id, agent_id)  # fmt: skip
        for r in rows:
            now, before = out[r["grouping"]]
            (now if r["period"] == "current" else before).append(kpi_results.decode(r["stats"]))
        return out
    for dim in dims:
        rows = await session.fetch(
            sql.load(f"stats_segments_{source}"), *window, *compare, dim, team_id, agent_id
        )
        now = [kpi_results.decode(r["stats"]) for r in rows if r["period"] == "current"]
        before = [kpi_results.decode(r["stats"]) for r in rows if r["period"] == "previous"]
        out[dim] = (now, before)
    return out


def _stages(rows: Sequence[Any]) -> tuple[Stage, ...]:
    by = {r["period"]: r for r in rows}
    cur, prev = by.get("current"), by.get("previous")
    out = []
    for stage in STAGES:

        def get(r: Any, col: str, stage: str = stage) -> Any:
            return None if r is None else r[f"{stage}_{col}"]

        def hours(r: Any, stage: str = stage) -> float | None:
            v = get(r, "hours", stage)
            return None if v is None else float(v)

        out.append(Stage(stage, int(get(prev, "n") or 0), hours(prev),
                         int(get(cur, "n") or 0), hours(cur)))  # fmt: skip
    return tuple(out)


@cached_result("rootCause")
async def root_cause(
    session: Session,
    kpi: str,
    start: datetime,
    end: datetime,
    *,
    compare_start: datetime | None = None,
    compare_end: datetime | None = None,
    dimensions: Sequence[str] | None = None,
    team_id: UUID | None = None,
    agent_id: UUID | None = None,
) -> RootCauseReport:
    """Mix/rate contributions per segment of each dimension, and lifecycle bottlenecks."""
    defn = definition(kpi, resolvers.kpis.definitions(None))
    name = defn.name
    if name not in DECOMPOSABLE and name not in COUNTED:
        raise UserInputError(
            f"KPI {name!r} is not a weighted mean or count of its segments (medians, "
            "percentiles and time ratios are not); use one of "
            + ", ".join(sorted(DECOMPOSABLE | COUNTED)),
            field="kpi",
        )
    source = source_of(name)
    dims = tuple(dict.fromkeys(dimensions or [d for d in DEFAULT_DIMENSIONS
                                              if d in source.groups]))  # fmt: skip
    for dim in dims:
        check_group(name, source, dim)
    check_scope(name, source, team_id, agent_id)
    current = resolvers.kpis.ComparedWindow.of(start, end)
    if (compare_start is None) != (compare_end is None):
        raise UserInputError("give both compareFrom and compareTo", field="compareFrom")
    c_start, c_end = current.previous_start, current.start
    if compare_start is not None and compare_end is not None:
        validate_window(compare_start, compare_end, MAX_WINDOW_DAYS)
        c_start, c_end = compare_start, compare_end
    by_dim = await _segments_rows(session, source.name, dims, (current.start, current.end),
                                  (c_start, c_end), team_id, agent_id)  # fmt: skip
    fetched = [(dim, by_dim[dim]) for dim in dims]
    stage_rows = await session.fetch(
        sql.load("stats_lifecycle_stages"), current.start, current.end, c_start, c_end,
        team_id, agent_id,
    )  # fmt: skip

    def compute() -> RootCauseReport:
        causes = []
        for dim, (now_rows, before_rows) in fetched:
            segs = _segments(name, now_rows, before_rows, source.key)
            dec = count_change(segs) if name in COUNTED else shift_share(segs)
            causes.append(DimensionCause(dim, dec))
        method = (
            "count change per segment" if name in COUNTED
            else "shift-share: mix (w1 - w0)(r0 - R0) + rate w1(r1 - r0) per segment"
        )  # fmt: skip
        return RootCauseReport(
            kpi=name, unit=lookup(name).unit, start=current.start, end=current.end,
            compare_start=c_start, compare_end=c_end, method=method,
            dimensions=tuple(causes), bottlenecks=bottlenecks(_stages(stage_rows)),
        )  # fmt: skip

    return await off_loop(compute)
