"""Report sections from the KPI resolvers' result objects (pure: no I/O).

Each function turns what the API's resolvers return (:mod:`resolvers.kpi_results`,
:class:`resolvers.kpi_series.SeriesFigure`) into :mod:`resolvers.report_document` tables and
charts without recomputing anything, so a report shows exactly the API's numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from analytics.leaderboard import CoachingCandidate, LeaderboardEntry
from resolvers.kpi_results import (
    AgentFigures,
    BacklogSnapshot,
    KpiBreakdown,
    KpiFigure,
    TicketDistribution,
)
from resolvers.kpi_series import SeriesFigure
from resolvers.port import Row
from resolvers.report_document import Cell, Chart, ChartPoint, Column, Section, Table

KPI_COLUMNS = (
    Column("KPI"),
    Column("Value", "number"),
    Column("Unit"),
    Column("Target", "number"),
    Column("Status"),
    Column("Previous", "number"),
    Column("Trend", "ratio"),
    Column("n", "integer"),
    Column("CI low", "number"),
    Column("CI high", "number"),
)


def kpi_row(label: str, k: KpiFigure) -> tuple[Cell, ...]:
    return (
        label,
        k.value,
        k.unit,
        k.target,
        k.status.replace("_", " ") if k.status else None,
        k.previous,
        k.trend,
        k.n,
        k.ci_low,
        k.ci_high,
    )


def kpi_table(title: str, values: Iterable[KpiFigure], note: str = "") -> Table:
    """KPIs with target, status, previous window and trend (as ``dashboard.kpis``)."""
    rows = tuple(kpi_row(k.name, k) for k in values)
    return Table(title, KPI_COLUMNS, rows, note, row_units=tuple(str(r[2]) for r in rows))


def grouped_table(title: str, results: Sequence[KpiBreakdown]) -> Table:
    """Each KPI per group (``kpi(name, groupBy)``): one row per KPI and group, overall first."""
    columns = (Column("Group"), *KPI_COLUMNS)
    rows: list[tuple[Cell, ...]] = []
    for r in results:
        rows.append(("overall", *kpi_row(r.overall.name, r.overall)))
        for g in r.groups:
            as_value = KpiFigure(
                g.name,
                g.value,
                g.n,
                g.ci_low,
                g.ci_high,
                g.target,
                g.status,
                g.previous,
                g.trend,
                g.unit,
            )
            rows.append((g.label or g.key, *kpi_row(g.name, as_value)))
    return Table(title, columns, tuple(rows), row_units=tuple(str(r[3]) for r in rows))


AGENT_TABLE_KPIS = (
    "ticket_volume",
    "first_response_time",
    "resolution_time",
    "fcr",
    "csat",
    "quality_score",
    "utilization",
)


def agents_table(agents: Sequence[AgentFigures], kpis: Sequence[str] = AGENT_TABLE_KPIS) -> Table:
    """One row per agent, one column per KPI value (as ``teamPerformance.agents``)."""
    columns = (Column("Agent"), *(Column(name, "number") for name in kpis))
    rows = tuple((a.name, *(a.kpi(name).value for name in kpis)) for a in agents)
    return Table("Agents", columns, rows)


def ranking_table(title: str, ranked: Sequence[LeaderboardEntry], names: dict[str, str]) -> Table:
    columns = (
        Column("Rank", "integer"),
        Column("Agent"),
        Column("Score", "number", 3),
        Column("Previous score", "number", 3),
        Column("Improvement", "number", 3),
    )
    rows = tuple(
        (i + 1, names[r.agent], r.score, r.previous_score, r.improvement)
        for i, r in enumerate(ranked)
    )
    return Table(title, columns, rows)


def coaching_table(items: Sequence[CoachingCandidate], names: dict[str, str]) -> Table:
    columns = (
        Column("Agent"),
        Column("KPI"),
        Column("Value", "number"),
        Column("Target", "number"),
        Column("p adjusted", "number", 4),
    )
    rows = tuple((names[c.agent], c.kpi, c.value, c.target, c.p_adjusted) for c in items)
    note = "" if rows else "No agent is significantly below target."
    return Table("Coaching opportunities", columns, rows, note)


def backlog_table(title: str, backlogs: Sequence[tuple[str, BacklogSnapshot]]) -> Table:
    columns = (
        Column("Snapshot"),
        Column("Open", "integer"),
        Column("Unassigned", "integer"),
        Column("Unanswered", "integer"),
        Column("< 1 h", "integer"),
        Column("1-4 h", "integer"),
        Column("4-24 h", "integer"),
        Column("1-3 d", "integer"),
        Column("> 3 d", "integer"),
    )
    rows = tuple(
        (
            label,
            b.open,
            b.unassigned,
            b.unanswered,
            b.age_under_1h,
            b.age_1h_to_4h,
            b.age_4h_to_24h,
            b.age_1d_to_3d,
            b.age_over_3d,
        )
        for label, b in backlogs
    )
    return Table(title, columns, rows)


def distribution_parts(d: TicketDistribution) -> tuple[Table, Chart]:
    """Tickets by one dimension, as a table and a bar chart."""
    columns = (
        Column(d.dimension.capitalize()),
        Column("Tickets", "integer"),
        Column("Share", "percent", 1),
    )
    rows = tuple((b.label or b.key, b.tickets, b.share) for b in d.buckets)
    chart = Chart(
        f"Tickets by {d.dimension}",
        "bar",
        "tickets",
        tuple(ChartPoint(b.label or b.key, datetime.min, float(b.tickets)) for b in d.buckets),
    )
    return Table(f"Tickets by {d.dimension}", columns, rows), chart


def series_chart(title: str, unit: str, points: Sequence[SeriesFigure]) -> Chart:
    return Chart(
        title,
        "line",
        unit,
        tuple(
            ChartPoint(p.local_label, p.bucket_start, p.value, p.ci_low, p.ci_high, p.n)
            for p in points
            if p.group is None
        ),
    )


def series_table(title: str, points: Sequence[SeriesFigure]) -> Table:
    columns = (
        Column("Bucket"),
        Column("Value", "number"),
        Column("n", "integer"),
        Column("CI low", "number"),
        Column("CI high", "number"),
    )
    rows = tuple((p.local_label, p.value, p.n, p.ci_low, p.ci_high) for p in points)
    return Table(title, columns, rows)


def alerts_section(rows: Sequence[Row], zone: ZoneInfo) -> Section:
    columns = (
        Column("Raised", "datetime"),
        Column("Severity"),
        Column("Type"),
        Column("Status"),
        Column("Title"),
    )
    table = Table(
        "Alerts of the period",
        columns,
        tuple(
            (
                r["raised_at"].astimezone(zone),
                r["severity"],
                r["alert_type"],
                r["status"],
                r["title"],
            )
            for r in rows
        ),
        "" if rows else "No alert was raised in this period.",
    )
    return Section("Alerts", (table,))


def raw_table(sections: Sequence[Section]) -> Table:
    """Every numeric cell of every table in long format (section, table, row, column, value)."""
    columns = (
        Column("Section"),
        Column("Table"),
        Column("Row"),
        Column("Column"),
        Column("Value", "number", 6),
    )
    out: list[tuple[Cell, ...]] = []
    for s in sections:
        for t in s.tables:
            for row in t.rows:
                label = str(row[0]) if row else ""
                for col, cell in zip(t.columns[1:], row[1:], strict=True):
                    if isinstance(cell, int | float) and not isinstance(cell, bool):
                        out.append((s.title, t.title, label, col.title, float(cell)))
    return Table("Raw data", columns, tuple(out))
