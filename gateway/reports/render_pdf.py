"""PDF rendering with reportlab (pure: a :class:`ReportDocument` in, bytes out).

A4 pages with the organisation's name, the report's title, period (in the report's time zone),
scope and generation time on the first page, a running header and ``page N of M`` footer on
every page, tables (repeated header row across page breaks) and vector charts drawn with
reportlab's graphics: time series as a line with its 95% CI band, distributions as bars.

Fonts: Bitstream Vera, shipped inside the reportlab wheel (``reportlab/fonts``), embedded in
the document, so nothing is read from the system or the network at run time.
Why reportlab and its own graphics rather than WeasyPrint or matplotlib: see the README.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import reportlab
from reportlab.graphics.shapes import Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

import resolvers.report_document
from resolvers.report_document import Chart, ReportDocument, format_number

FONT, BOLD = "Vera", "Vera-Bold"
ACCENT = colors.HexColor("#1F3A5F")
BAND = colors.HexColor("#C9D7EA")
GRID = colors.HexColor("#B8C2CF")
CHART_W, CHART_H = 170 * mm, 55 * mm


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "VeraBd.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle(
            "title", fontName=BOLD, fontSize=18, leading=22, textColor=ACCENT, spaceAfter=4
        ),
        "meta": ParagraphStyle("meta", fontName=FONT, fontSize=9, leading=12),
        "h1": ParagraphStyle(
            "h1",
            fontName=BOLD,
            fontSize=13,
            leading=16,
            textColor=ACCENT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2", fontName=BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3
        ),
        "note": ParagraphStyle(
            "note", fontName=FONT, fontSize=8, leading=10, textColor=colors.HexColor("#555555")
        ),
    }


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Draws ``page N of M`` and the running header once every page is known."""

    header = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(18 * mm, A4[1] - 11 * mm, self.header)
            self.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _table(t: resolvers.report_document.Table, styles: dict[str, ParagraphStyle]) -> list[Any]:
    head = [c.title for c in t.columns]
    body = [[format_number(v, c) for v, c in zip(row, t.columns, strict=True)] for row in t.rows]
    flow: list[Any] = [Paragraph(t.title, styles["h2"])]
    if body:
        table = Table([head, *body], repeatRows=1, hAlign="LEFT")
        numeric = [i for i, c in enumerate(t.columns) if c.kind != "text"]
        style = [
            ("FONT", (0, 0), (-1, -1), FONT, 7.5),
            ("FONT", (0, 0), (-1, 0), BOLD, 7.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDE4EE")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
        style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
        table.setStyle(TableStyle(style))
        flow.append(table)
    if t.note:
        flow.append(Paragraph(t.note, styles["note"]))
    return flow


def _nice_range(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if math.isclose(lo, hi):
        lo, hi = lo - 1.0, hi + 1.0
    pad = (hi - lo) * 0.08
    return (0.0 if lo >= 0 and lo - pad < 0 else lo - pad), hi + pad


def _chart(chart: Chart) -> Drawing:
    d = Drawing(CHART_W, CHART_H)
    left, bottom, width, height = 38.0, 16.0, CHART_W - 46.0, CHART_H - 34.0
    d.add(String(0, CHART_H - 9, f"{chart.title} ({chart.unit})", fontName=BOLD, fontSize=8))
    pts = chart.points
    values = [v for p in pts for v in (p.value, p.low, p.high) if v is not None]
    if not pts or not values:
        d.add(
            String(left, bottom + height / 2, "no data in this period", fontName=FONT, fontSize=8)
        )
        return d
    lo, hi = _nice_range(values)
    if chart.kind == "bar":
        lo = min(lo, 0.0)

    def y(v: float) -> float:
        return float(bottom + (v - lo) / (hi - lo) * height)

    step = width / max(len(pts), 1)
    for frac in (0.0, 0.5, 1.0):
        v = lo + frac * (hi - lo)
        d.add(Line(left, y(v), left + width, y(v), strokeColor=GRID, strokeWidth=0.3))
        d.add(String(left - 3, y(v) - 2.5, f"{v:.4g}", fontName=FONT, fontSize=6, textAnchor="end"))
    labels_every = max(1, math.ceil(len(pts) / 8))
    for i, p in enumerate(pts):
        if i % labels_every == 0:
            d.add(
                String(
                    left + (i + 0.5) * step,
                    bottom - 9,
                    p.label[-11:],
                    fontName=FONT,
                    fontSize=5.5,
                    textAnchor="middle",
                )
            )
    if chart.kind == "bar":
        for i, p in enumerate(pts):
            if p.value is not None:
                d.add(
                    Rect(
                        left + i * step + step * 0.15,
                        y(lo),
                        step * 0.7,
                        y(p.value) - y(lo),
                        fillColor=ACCENT,
                        strokeColor=None,
                    )
                )
        return d
    _line_with_band(d, pts, left, step, y)
    return d


def _line_with_band(d: Drawing, pts: Sequence[Any], left: float, step: float, y: Any) -> None:
    """The series as a line broken at empty buckets, over its CI band where it has one."""
    runs: list[list[tuple[float, Any]]] = [[]]
    for i, p in enumerate(pts):
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append((left + (i + 0.5) * step, p))
    for run in runs:
        band = [(x, p) for x, p in run if p.low is not None and p.high is not None]
        if len(band) >= 2:
            upper = [c for x, p in band for c in (x, y(p.high))]
            lower = [c for x, p in reversed(band) for c in (x, y(p.low))]
            d.add(Polygon(upper + lower, fillColor=BAND, strokeColor=None))
        if len(run) >= 2:
            d.add(
                PolyLine(
                    [c for x, p in run for c in (x, y(p.value))],
                    strokeColor=ACCENT,
                    strokeWidth=1.2,
                )
            )
        for x, p in run:
            d.add(Rect(x - 1, y(p.value) - 1, 2, 2, fillColor=ACCENT, strokeColor=None))


def report_pdf(doc: ReportDocument) -> bytes:
    """The report as a paginated PDF (see the module docstring)."""
    _register_fonts()
    styles = _styles()
    zone = ZoneInfo(doc.timezone)
    fmt = "%Y-%m-%d %H:%M"
    start, end = doc.period_start.astimezone(zone), doc.period_end.astimezone(zone)
    period = f"{start:{fmt}} to {end:{fmt}} ({doc.timezone})"
    story: list[Any] = [
        Paragraph(doc.organisation, styles["meta"]),
        Paragraph(doc.title, styles["title"]),
        Paragraph(f"Period: {period}", styles["meta"]),
        Paragraph(f"Scope: {doc.scope}", styles["meta"]),
        Paragraph(
            f"Generated {doc.generated_at.astimezone(zone):{fmt}} for {doc.requested_by}",
            styles["meta"],
        ),
        Spacer(1, 4 * mm),
    ]
    for section in doc.sections:
        story.append(Paragraph(section.title, styles["h1"]))
        for chart in section.charts:
            story.append(KeepTogether([_chart(chart), Spacer(1, 2 * mm)]))
        for table in section.tables:
            story.extend(_table(table, styles))
    out = io.BytesIO()

    class Numbered(_NumberedCanvas):
        header = f"{doc.organisation} · {doc.title} · {period}"

    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=doc.title,
        author=doc.organisation,
    )
    template.build(story, canvasmaker=Numbered)
    return out.getvalue()
