"""Each built-in report in each format holds the numbers the GraphQL API returns for the same
window and rights: PDF text (pypdf), XLSX cells (openpyxl), CSV (csv and pandas); PDFs render
to PNG pages with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from reports_support import (
    GQL,
    TZ,
    WEEK_FROM,
    WEEK_TO,
    csv_files,
    csv_records,
    download,
    find_row,
    fmt2,
    pdf_text,
    run_report,
    sheet_rows,
    xlsx_book,
)

API = """query($team: ID, $from: DateTime!, $to: DateTime!, $tz: String, $g: Granularity!) {
  dashboard(from: $from, to: $to, teamId: $team) { kpis { name value unit n } }
  csat: timeSeries(kpi: "csat", granularity: $g, from: $from, to: $to, timezone: $tz,
                   teamId: $team) { localLabel value n ciLow ciHigh }
  volume: timeSeries(kpi: "ticket_volume", granularity: $g, from: $from, to: $to,
                     timezone: $tz, teamId: $team) { localLabel value n } }"""
TEAM = """query($team: ID!, $from: DateTime!, $to: DateTime!) {
  teamPerformance(teamId: $team, from: $from, to: $to) {
    agents { name kpis { name value } } topPerformers { name score }
    coachingOpportunities { name kpi pAdjusted } } }"""
EXEC = """query($from: DateTime!, $to: DateTime!) {
  satisfaction(from: $from, to: $to, groupBy: VIP_TIER) {
    csat { overall { value } groups { label value } } nps { overall { value } } }
  vipAnalytics(from: $from, to: $to) { retention { overall { value } groups { label value } } } }"""


def _team_of_lead(graphql: GQL, token: str) -> str:
    body = graphql("{ viewer { agent { team { id } } } teams { id } }", token=token)
    teams = body["data"]["teams"]
    assert teams, body
    return str(teams[0]["id"])


@pytest.fixture(scope="module")
def team(graphql: GQL, make_token: Callable[..., str]) -> str:
    return _team_of_lead(graphql, make_token("team_lead"))


def _api(graphql: GQL, token: str, team: str | None, g: str = "DAY") -> dict[str, Any]:
    """The API's figures for the week: the daily summary charts hourly series, the others daily."""
    variables = {
        "team": team,
        "from": WEEK_FROM.isoformat(),
        "to": WEEK_TO.isoformat(),
        "tz": TZ,
        "g": g,
    }
    body = graphql(API, variables, token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    if team is not None:
        perf = graphql(TEAM, variables, token)
        assert "errors" not in perf, perf
        data["teamPerformance"] = perf["data"]["teamPerformance"]
    return data


def _measured(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [k for k in kpis if k["value"] is not None]


SLUGS = [("weekly-team", True), ("daily-summary", False), ("monthly-executive", False)]
GRANULARITY = {"weekly-team": "DAY", "daily-summary": "HOUR", "monthly-executive": "DAY"}


@pytest.mark.parametrize(("slug", "with_team"), SLUGS)
def test_pdf_holds_the_api_numbers_and_renders(
    slug: str,
    with_team: bool,
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    team: str,
    tmp_path: Path,
) -> None:
    token = make_token("manager")
    scope = team if with_team else None
    api = _api(graphql, token, scope, GRANULARITY[slug])
    resp = download(gateway_url, run_report(graphql, token, slug, "PDF", scope), token)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/pdf"
    text = pdf_text(resp.content)
    assert "Support Operations" in text and "page 1 of" in text
    flat = text.replace("\n", " ")
    for k in _measured(api["dashboard"]["kpis"]):
        assert f" {k['name']} {fmt2(k['value'])} " in f" {flat} ", k
    for p in api["csat"]:
        if p["value"] is not None:
            assert f"{p['localLabel']} {fmt2(p['value'])} {p['n']}" in flat, p
    if with_team:
        for r in api["teamPerformance"]["topPerformers"]:
            assert f"{r['name']} {r['score']:.3f}" in flat, r
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(resp.content)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 1000 for p in pages)


def _percent_aware(cell: Any, api_value: float, unit: str) -> None:
    expected = api_value / 100.0 if unit == "percent" else api_value
    assert cell == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("slug", "with_team"), SLUGS)
def test_xlsx_cells_are_the_api_numbers(
    slug: str,
    with_team: bool,
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    team: str,
) -> None:
    token = make_token("manager")
    scope = team if with_team else None
    api = _api(graphql, token, scope, GRANULARITY[slug])
    resp = download(gateway_url, run_report(graphql, token, slug, "XLSX", scope), token)
    assert resp.status_code == 200, resp.text
    book = xlsx_book(resp.content)
    assert {"Report", "KPIs", "Trends", "Alerts", "Raw data"} <= set(book.sheetnames)
    kpis = book["KPIs"]
    assert kpis.freeze_panes == "A3"
    rows = sheet_rows(book, "KPIs")
    for k in _measured(api["dashboard"]["kpis"]):
        row = find_row(rows, k["name"])
        _percent_aware(row[1], k["value"], k["unit"])
        assert row[2] == k["unit"] and row[7] == k["n"]
        if k["unit"] == "percent":
            assert "%" in kpis.cell(rows.index(row) + 1, 2).number_format
    trends = sheet_rows(book, "Trends")
    for p in api["volume"]:
        row = find_row(trends, p["localLabel"], after_header="Bucket")
        assert row[1] == p["value"] and row[2] == p["n"]
    if with_team:
        team_rows = sheet_rows(book, "Team")
        for a in api["teamPerformance"]["agents"]:
            row = find_row(team_rows, a["name"], after_header="Agent")
            volume = next(k["value"] for k in a["kpis"] if k["name"] == "ticket_volume")
            assert row[1] == volume
    if slug == "monthly-executive":
        execs = _exec(graphql, token)
        sat = sheet_rows(book, "Satisfaction")
        overall = execs["satisfaction"]["csat"]["overall"]["value"]
        assert find_row(sat, "overall", after_header="Group")[2] == pytest.approx(overall)
        for g in execs["satisfaction"]["csat"]["groups"]:
            assert any(
                r[0] == g["label"] and r[1] == "csat" and r[2] == pytest.approx(g["value"])
                for r in sat
            ), g


def _exec(graphql: GQL, token: str) -> dict[str, Any]:
    variables = {"from": WEEK_FROM.isoformat(), "to": WEEK_TO.isoformat()}
    body = graphql(EXEC, variables, token)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@pytest.mark.parametrize(("slug", "with_team"), SLUGS)
def test_csv_round_trips_with_the_api_numbers(
    slug: str,
    with_team: bool,
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    team: str,
) -> None:
    token = make_token("manager")
    scope = team if with_team else None
    api = _api(graphql, token, scope, GRANULARITY[slug])
    resp = download(gateway_url, run_report(graphql, token, slug, "CSV", scope), token)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/zip"
    files = csv_files(resp.content)
    kpi_file = next(name for name in files if "-kpis-" in name)
    assert b"\r\n" in files[kpi_file]  # RFC 4180 record separator
    records = {r["KPI"]: r for r in csv_records(files[kpi_file])}
    frame = pd.read_csv(io.BytesIO(files[kpi_file]))
    for k in _measured(api["dashboard"]["kpis"]):
        assert float(records[k["name"]]["Value"]) == k["value"]  # exact round trip
        assert frame.loc[frame["KPI"] == k["name"], "Value"].item() == k["value"]
    assert len(frame) == len(records)


def test_csv_bom_option(graphql: GQL, gateway_url: str, make_token: Callable[..., str]) -> None:
    token = make_token("manager")
    url = run_report(
        graphql,
        token,
        None,
        "CSV",
        definition={"name": "Volume only", "kpis": ["ticket_volume"], "sections": ["KPIS"]},
        bom=True,
    )
    resp = download(gateway_url, url, token)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith("\ufeff".encode())
    records = csv_records(resp.content)
    assert records[0]["Group"] == "overall" and records[0]["KPI"] == "ticket_volume"


def test_agent_report_is_about_the_agent(
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    team: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    token = make_token("agent")
    api = _api(graphql, token, None)
    resp = download(gateway_url, run_report(graphql, token, "daily-summary", "XLSX"), token)
    rows = sheet_rows(xlsx_book(resp.content), "KPIs")
    volume = next(k for k in api["dashboard"]["kpis"] if k["name"] == "ticket_volume")
    manager = _api(graphql, make_token("manager"), None)
    everyone = next(k for k in manager["dashboard"]["kpis"] if k["name"] == "ticket_volume")
    assert find_row(rows, "ticket_volume")[1] == volume["value"] < everyone["value"]
