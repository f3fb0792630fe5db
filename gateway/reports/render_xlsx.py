"""Excel (.xlsx) rendering with xlsxwriter (pure: bytes in memory, or a file for streams).

A report becomes one sheet per section (its tables one under another, each with a bold header
row), a cover sheet (organisation, report, period, time zone, generation time, requester) and a
``Raw data`` sheet with every figure in long format. Cells are typed: numbers as numbers,
percentages as fractions with a ``0.00%`` format (the API's 85.2 is the cell 0.852), trends as
``+0.0%``, instants as Excel dates in the report's time zone; the first header row is frozen and
column widths fit the content.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import xlsxwriter

from resolvers.report_document import Cell, Column, ReportDocument, Table

MAX_WIDTH = 60
SHEET_NAME_LIMIT = 31


class _Formats:
    def __init__(self, book: Any) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.number = {
            d: book.add_format({"num_format": "0." + "0" * d if d else "0"}) for d in range(7)
        }
        self.percent = {
            d: book.add_format({"num_format": "0." + "0" * d + "%" if d else "0%"})
            for d in range(7)
        }
        self.ratio = book.add_format({"num_format": "+0.0%;-0.0%;0.0%"})
        self.integer = book.add_format({"num_format": "0"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})


def _write_cell(
    sheet: Any, row: int, col: int, value: Cell, column: Column, percent: bool, f: _Formats
) -> int:
    """Write one typed cell; return its text width (for column widths)."""
    if value is None:
        sheet.write_blank(row, col, None)
        return 0
    if isinstance(value, datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), f.datetime)
        return 16
    if isinstance(value, bool | str):
        sheet.write_string(row, col, str(value))
        return len(str(value))
    decimals = min(max(column.decimals, 0), 6)
    if column.kind == "integer":
        sheet.write_number(row, col, value, f.integer)
    elif column.kind == "ratio":
        sheet.write_number(row, col, value, f.ratio)
    elif percent:
        sheet.write_number(row, col, value / 100.0, f.percent[decimals])
    else:
        sheet.write_number(row, col, value, f.number[decimals])
    return len(f"{value:.{decimals}f}") + 2


def _write_table(sheet: Any, top: int, table: Table, f: _Formats, widths: list[int]) -> int:
    """Write ``table`` from row ``top`` (title, header, rows); return the next free row."""
    sheet.write_string(top, 0, table.title, f.title)
    header = top + 1
    for c, column in enumerate(table.columns):
        sheet.write_string(header, c, column.title, f.header)
        widths[c] = max(widths[c], len(column.title) + 2)
    for r, values in enumerate(table.rows):
        for c, (value, column) in enumerate(zip(values, table.columns, strict=True)):
            width = _write_cell(sheet, header + 1 + r, c, value, column, table.is_percent(r, c), f)
            widths[c] = max(widths[c], width)
    end = header + 1 + len(table.rows)
    if table.note:
        sheet.write_string(end, 0, table.note, f.note)
        end += 1
    return end + 1


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:SHEET_NAME_LIMIT] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f" {i}"
        name, i = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def _fill_sheet(sheet: Any, tables: Sequence[Table], f: _Formats) -> None:
    width_count = max((len(t.columns) for t in tables), default=1)
    widths = [8] * width_count
    row = 0
    for i, table in enumerate(tables):
        if i == 0:
            sheet.freeze_panes(2, 0)  # the first table's title and header stay in view
        row = _write_table(sheet, row, table, f, widths)
    for c, w in enumerate(widths):
        sheet.set_column(c, c, min(w, MAX_WIDTH))


def report_xlsx(doc: ReportDocument) -> bytes:
    """The report as an .xlsx workbook (see the module docstring)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    f = _Formats(book)
    used: set[str] = set()
    cover = book.add_worksheet(_sheet_name("Report", used))
    info = [
        ("Organisation", doc.organisation),
        ("Report", doc.title),
        ("Scope", doc.scope),
        ("Period start", doc.period_start.astimezone(_zone(doc)).replace(tzinfo=None)),
        ("Period end", doc.period_end.astimezone(_zone(doc)).replace(tzinfo=None)),
        ("Time zone", doc.timezone),
        ("Generated", doc.generated_at.astimezone(_zone(doc)).replace(tzinfo=None)),
        ("Requested by", doc.requested_by),
    ]
    for r, (label, value) in enumerate(info):
        cover.write_string(r, 0, label, f.header)
        if isinstance(value, datetime):
            cover.write_datetime(r, 1, value, f.datetime)
        else:
            cover.write_string(r, 1, value)
    cover.set_column(0, 0, 16)
    cover.set_column(1, 1, 40)
    for section in doc.sections:
        if section.tables:
            _fill_sheet(book.add_worksheet(_sheet_name(section.title, used)), section.tables, f)
    _fill_sheet(book.add_worksheet(_sheet_name("Raw data", used)), [doc.raw], f)
    book.close()
    return out.getvalue()


def _zone(doc: ReportDocument) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(doc.timezone)


class XlsxStream:
    """An .xlsx file written row by row in constant memory (xlsxwriter's ``constant_memory``
    mode flushes each row to disk once the next begins): a frozen header row, typed cells."""

    def __init__(self, path: str, sheet_title: str, header: Sequence[Column]) -> None:
        self._book = xlsxwriter.Workbook(path, {"constant_memory": True})
        self._f = _Formats(self._book)
        self._header = tuple(header)
        self._sheet = self._book.add_worksheet(_sheet_name(sheet_title, set()))
        for c, column in enumerate(header):
            self._sheet.set_column(c, c, max(12, min(len(column.title) + 4, MAX_WIDTH)))
            self._sheet.write_string(0, c, column.title, self._f.header)
        self._sheet.freeze_panes(1, 0)
        self.rows = 0

    def write_rows(self, rows: Iterable[Sequence[Cell]]) -> None:
        for values in rows:
            self.rows += 1
            for c, (value, column) in enumerate(zip(values, self._header, strict=True)):
                percent = column.kind == "percent"
                _write_cell(self._sheet, self.rows, c, value, column, percent, self._f)

    def close(self) -> None:
        self._book.close()
