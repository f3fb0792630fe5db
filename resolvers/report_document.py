"""A rendered report's content, independent of its format: what the PDF, XLSX and CSV renderers
(:mod:`gateway.reports`) lay out, built by :mod:`resolvers.report_builder` from the same resolver
functions as the API, under the requester's rights.

Cells hold typed values (numbers, instants, text, None); each column says how to show them, so a
renderer never parses text back into numbers: ``percent`` columns hold values in percent (85.2
means 85.2 %, as the API returns them), ``ratio`` columns hold fractions (a trend of 0.05 is
+5 %), ``datetime`` columns hold aware instants shown in the report's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ColumnKind = Literal["text", "number", "integer", "percent", "ratio", "datetime"]
Cell = str | int | float | datetime | None

#: KPI units (``analytics.kpi_registry``) shown as percentages.
PERCENT_UNITS = frozenset({"percent"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its title, the kind of its values and the decimals shown for numbers."""

    title: str
    kind: ColumnKind = "text"
    decimals: int = 2


@dataclass(frozen=True, slots=True)
class Table:
    """A section's table (rows of typed cells, one per column).

    ``row_units``: for KPI tables, each row's unit; in a row whose unit is ``percent`` the
    ``number`` columns are percentages (XLSX formats them as such).
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    row_units: tuple[str, ...] = ()

    def is_percent(self, row: int, column: int) -> bool:
        """Whether cell (row, column) holds a percentage (value 85.2 = 85.2 %)."""
        kind = self.columns[column].kind
        if kind == "percent":
            return True
        return kind == "number" and bool(self.row_units) and self.row_units[row] in PERCENT_UNITS


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One bucket of a charted series: its local label, value and 95% interval (if any)."""

    label: str
    start: datetime
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int = 0


@dataclass(frozen=True, slots=True)
class Chart:
    """A time series (``line``, with its CI band when it has one) or a distribution (``bar``)."""

    title: str
    kind: Literal["line", "bar"]
    unit: str
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of the report: tables and charts (one XLSX sheet, one CSV file)."""

    title: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportDocument:
    """A whole report: who and what it is about, when it was made, its sections and raw data.

    ``raw`` is the long-format data behind every table and chart (one row per figure), written
    to the XLSX raw-data sheet.
    """

    title: str
    organisation: str
    period_start: datetime
    period_end: datetime
    timezone: str
    generated_at: datetime
    requested_by: str
    sections: tuple[Section, ...]
    raw: Table = field(default_factory=lambda: Table("Raw data", (), ()))
    scope: str = ""


def format_number(value: Cell, column: Column) -> str:
    """How every renderer writes a cell as text (the PDF, the CSV): fixed decimals for numbers,
    ``+5.0%`` for ratios, ISO-like local times for instants, empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool | str):
        return str(value)
    if column.kind == "integer":
        return str(int(value))
    if column.kind == "ratio":
        return f"{100.0 * value:+.{max(column.decimals - 1, 0)}f}%"
    if column.kind in ("number", "percent"):
        return f"{value:.{column.decimals}f}"
    return str(value)
