"""One entry point for the three report formats (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.reports.render_csv import report_csv
from gateway.reports.render_pdf import report_pdf
from gateway.reports.render_xlsx import report_xlsx
from resolvers.report_document import ReportDocument

FORMATS = ("pdf", "xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered report: its bytes, media type and file name extension."""

    content: bytes
    media_type: str
    extension: str


def render(doc: ReportDocument, fmt: str, *, bom: bool = False) -> Rendered:
    """``doc`` as ``fmt`` (pdf, xlsx or csv; csv is a zip when the report has several tables)."""
    if fmt == "pdf":
        return Rendered(report_pdf(doc), "application/pdf", "pdf")
    if fmt == "xlsx":
        return Rendered(report_xlsx(doc), XLSX_TYPE, "xlsx")
    if fmt == "csv":
        content, media = report_csv(doc, bom=bom)
        return Rendered(content, media, "zip" if media == "application/zip" else "csv")
    raise ValueError(f"unknown format {fmt!r}")
