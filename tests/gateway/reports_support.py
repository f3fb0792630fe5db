"""Test support for reports and exports: run a report or export through the API, download the
link with a token, and read PDF/XLSX/CSV back (pypdf, openpyxl, csv, pandas)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import openpyxl
from pypdf import PdfReader

GQL = Callable[..., dict[str, Any]]

#: A whole local week of the fixture data (Monday to Monday, Europe/Paris).
WEEK_FROM = datetime(2026, 11, 8, 23, 0, tzinfo=UTC)
WEEK_TO = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
TZ = "Europe/Paris"

RUN = """mutation($slug: String, $format: ReportFormat!, $from: DateTime, $to: DateTime,
  $tz: String, $team: ID, $definition: CustomReportInput, $bom: Boolean = false) {
  runReport(slug: $slug, format: $format, from: $from, to: $to, timezone: $tz, teamId: $team,
            definition: $definition, bom: $bom) { url expiresAt } }"""


def run_report(
    graphql: GQL, token: str, slug: str | None, fmt: str, team: str | None = None, **extra: Any
) -> str:
    variables = {
        "slug": slug,
        "format": fmt,
        "from": WEEK_FROM.isoformat(),
        "to": WEEK_TO.isoformat(),
        "tz": TZ,
        "team": team,
        **extra,
    }
    body = graphql(RUN, variables, token)
    assert "errors" not in body, body
    url: str = body["data"]["runReport"]["url"]
    assert url.startswith("/exports/")
    return url


def download(base: str, url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(base + url, headers=headers, timeout=120)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def xlsx_book(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content), data_only=True)


def sheet_rows(book: Any, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def find_row(rows: list[tuple[Any, ...]], first: str, after_header: str = "KPI") -> tuple[Any, ...]:
    """The first row whose first cell is ``first``, below a header row starting with
    ``after_header``."""
    seen_header = False
    for row in rows:
        if row and row[0] == after_header:
            seen_header = True
        elif seen_header and row and row[0] == first:
            return row
    raise AssertionError(f"no row {first!r}")


def csv_files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_records(raw: bytes) -> list[dict[str, str]]:
    text = raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def fmt2(value: float) -> str:
    return f"{value:.2f}"
