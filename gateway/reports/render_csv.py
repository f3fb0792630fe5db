"""CSV rendering (RFC 4180): one file per table, zipped when a report has several (pure).

Fields are quoted when they contain a comma, a quote or a line break, quotes are doubled, and
records end with CRLF (RFC 4180 §2). UTF-8, optionally with a byte-order mark so Excel opens
accented text correctly. Numbers are written with Python's shortest round-trip representation
(``repr``), so reading them back gives the same float; instants in the report's time zone with
their offset (ISO 8601); None is an empty field.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from resolvers.report_document import Cell, ReportDocument, Table

BOM = "\ufeff"


def csv_field(value: Cell) -> str:
    """A cell as CSV text: repr for floats (exact round trip), ISO 8601 for instants."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _writer(buffer: io.StringIO) -> Any:
    return csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]], bom: bool) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows``, a chunk per ~1,000 rows (for streaming)."""
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = _writer(buffer)
    writer.writerow(header)
    for i, row in enumerate(rows, 1):
        writer.writerow([csv_field(v) for v in row])
        if i % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def table_csv(table: Table, *, bom: bool = False) -> bytes:
    """One table as a CSV file."""
    text = "".join(csv_lines([c.title for c in table.columns], table.rows, bom))
    return text.encode("utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def report_csv(doc: ReportDocument, *, bom: bool = False) -> tuple[bytes, str]:
    """The report's tables as CSV: ``(bytes, media type)`` — one CSV file when the report has
    one table, else a zip of ``NN-section-table.csv`` files (plus ``raw-data.csv``)."""
    tables = [(s.title, t) for s in doc.sections for t in s.tables]
    if len(tables) == 1:
        return table_csv(tables[0][1], bom=bom), "text/csv; charset=utf-8"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (section, table) in enumerate(tables, 1):
            name = f"{i:02d}-{_slug(section)}-{_slug(table.title)}.csv"
            archive.writestr(name, table_csv(table, bom=bom))
        archive.writestr("raw-data.csv", table_csv(doc.raw, bom=bom))
    return out.getvalue(), "application/zip"
