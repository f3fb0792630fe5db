"""Data exports under RLS (an agent's = the API's totalCount, an analyst's without PII, XLSX
typed), series exports, and download links: expired, foreign, tampered and anonymous ones are
refused."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import openpyxl
import pandas as pd
import pytest
from reports_support import GQL, TZ, WEEK_FROM, WEEK_TO, csv_records, download, run_report
from testkit import LiveServer, tq

from gateway.reports.links import LinkError, link_key, sign, verify
from gateway.settings import Settings

EXPORT = """mutation($format: ExportFormat!, $filter: TicketFilter, $bom: Boolean = false) {
  exportTickets(format: $format, filter: $filter, timezone: "Europe/Paris", bom: $bom) {
    url expiresAt rows } }"""
COUNT = "query($filter: TicketFilter) { tickets(first: 1, filter: $filter) { totalCount } }"


def _export(graphql: GQL, token: str, fmt: str, filt: dict[str, object] | None) -> tuple[str, int]:
    body = graphql(EXPORT, {"format": fmt, "filter": filt}, token)
    assert "errors" not in body, body
    link = body["data"]["exportTickets"]
    return link["url"], link["rows"]


def _total(graphql: GQL, token: str, filt: dict[str, object] | None) -> int:
    body = graphql(COUNT, {"filter": filt}, token)
    total: int = body["data"]["tickets"]["totalCount"]
    return total


def test_agent_export_holds_exactly_the_agents_tickets(
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:
    token = make_token("agent")
    url, rows = _export(graphql, token, "CSV", None)
    total = _total(graphql, token, None)
    resp = download(gateway_url, url, token)
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-export-rows"] == str(total) == str(rows)
    records = csv_records(resp.content)
    assert len(records) == total > 0
    agent_id = asyncio.run(_agent_of(seeded_dsn, users_by_role["agent"][0]))
    assert {r["assigned_agent_id"] for r in records} == {str(agent_id)}
    frame = pd.read_csv(io.BytesIO(resp.content))
    assert len(frame) == total and frame["id"].is_unique
    progress = httpx.get(
        gateway_url + url + "/progress", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()
    assert progress == {"started": True, "rows": total, "total": total, "done": True}


async def _agent_of(dsn: str, user: uuid.UUID) -> uuid.UUID:
    conn = await asyncpg.connect(dsn)
    try:
        agent: uuid.UUID = await conn.fetchval(
            "select id from public.agents where user_id = $1", user
        )
    finally:
        await conn.close()
    return agent


def test_analyst_export_has_no_pii_where_a_managers_has(
    graphql: GQL, gateway_url: str, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    filt = {"createdFrom": WEEK_FROM.isoformat(), "createdTo": WEEK_TO.isoformat()}
    # Other tests' downloads (flushed in batches) share the audit log: look only at this test's.
    started = datetime.now(UTC)
    exported = {}
    for role in ("manager", "analyst"):
        token = make_token(role)
        url, _ = _export(graphql, token, "CSV", filt)
        exported[role] = download(gateway_url, url, token)
        assert exported[role].status_code == 200
    manager = csv_records(exported["manager"].content)
    analyst = csv_records(exported["analyst"].content)
    assert len(manager) == len(analyst) == _total(graphql, make_token("analyst"), filt)
    emails = {r["customer_email"] for r in manager}
    assert all("@" in e for e in emails)
    assert {r["customer_email"] for r in analyst} == {""}
    assert {r["customer_name"] for r in analyst} == {""}
    assert {r["subject"] for r in analyst} == {"[masked]"} and {r["tags"] for r in analyst} == {""}
    assert len({r["subject"] for r in manager}) > 1
    text = exported["analyst"].text
    assert not any(e in text for e in emails)
    # the manager's download of contact data is in the audit log (the analyst's had none)
    events = asyncio.run(_audit_events(seeded_dsn, started))
    assert [e["actor_role"] for e in events] == ["manager"], events
    assert events[0]["subject_count"] == len(manager)


async def _audit_events(dsn: str, since: datetime) -> list[Any]:
    """Export-download audit events since ``since``, once the manager's has been flushed."""
    deadline = time.monotonic() + 10
    conn = await asyncpg.connect(dsn)
    try:
        while True:
            rows = list(await conn.fetch(tq("reports_export_audit"), since))
            if any(r["actor_role"] == "manager" for r in rows) or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def test_xlsx_export_is_typed(
    graphql: GQL, gateway_url: str, make_token: Callable[..., str]
) -> None:
    token = make_token("team_lead")
    url, rows = _export(graphql, token, "XLSX", {"status": ["CLOSED"]})
    resp = download(gateway_url, url, token)
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    assert len(body) == rows == _total(graphql, token, {"status": ["CLOSED"]})
    col = {name: i for i, name in enumerate(header)}
    assert all(isinstance(r[col["id"]], int) for r in body)
    assert all(r[col["status"]] == "closed" for r in body)
    assert all(r[col["created_at"]].year == 2026 for r in body)  # a date cell, not text


def test_row_cap_per_role(
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    gateway_settings: Settings,
    seeded_dsn: str,
) -> None:
    from gateway.app import create_app

    assert gateway_settings.reports.row_cap("manager") == 10**6
    token = make_token("agent")
    url, rows = _export(graphql, token, "CSV", None)
    small = replace(gateway_settings.reports, row_caps={"agent": rows - 1})
    server = LiveServer(
        create_app(gateway_settings.with_overrides(reports=small), seeded_dsn, realtime=False)
    )
    server.start()
    try:
        body = httpx.post(
            server.url + "/graphql",
            json={"query": EXPORT, "variables": {"format": "CSV"}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        assert f"at most {rows - 1} rows" in body["errors"][0]["message"]
        # a link signed under a larger cap is still capped at download
        resp = download(server.url, url, token)
        assert resp.status_code == 413 and "narrow the filter" in resp.json()["error"]
        manager = make_token("manager")
        assert download(server.url, _export(graphql, manager, "CSV", None)[0], manager).is_success
    finally:
        server.stop()


def test_time_series_export_matches_time_series(
    graphql: GQL, gateway_url: str, make_token: Callable[..., str]
) -> None:
    token = make_token("executive")
    args = {"from": WEEK_FROM.isoformat(), "to": WEEK_TO.isoformat(), "tz": TZ}
    body = graphql(
        """query($from: DateTime!, $to: DateTime!, $tz: String) {
      timeSeries(kpi: "fcr", granularity: DAY, from: $from, to: $to, timezone: $tz) {
        localLabel value n ciLow ciHigh } }""",
        args,
        token,
    )
    link = graphql(
        """mutation($from: DateTime!, $to: DateTime!, $tz: String) {
      exportTimeSeries(format: CSV, kpi: "fcr", granularity: DAY, from: $from, to: $to,
                       timezone: $tz) { url } }""",
        args,
        token,
    )
    resp = download(gateway_url, link["data"]["exportTimeSeries"]["url"], token)
    records = csv_records(resp.content)
    assert [r["Bucket"] for r in records] == [p["localLabel"] for p in body["data"]["timeSeries"]]
    for r, p in zip(records, body["data"]["timeSeries"], strict=True):
        assert float(r["Value"]) == p["value"] and int(r["n"]) == p["n"]
        assert float(r["CI low"]) == p["ciLow"]


def test_foreign_expired_tampered_and_anonymous_links_are_refused(
    graphql: GQL,
    gateway_url: str,
    make_token: Callable[..., str],
    gateway_settings: Settings,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    owner = make_token("manager")
    url = run_report(graphql, owner, "daily-summary", "CSV")
    foreign = download(gateway_url, url, make_token("manager", 1))
    assert foreign.status_code == 403 and "another user" in foreign.json()["error"]
    assert download(gateway_url, url, None).status_code == 401
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert download(gateway_url, tampered, owner).status_code == 403
    key = link_key(gateway_settings)
    expired = sign(key, {"k": "report"}, users_by_role["manager"][0], ttl_seconds=-5)
    resp = download(gateway_url, f"/exports/{expired}", owner)
    assert resp.status_code == 410 and "expired" in resp.json()["error"]
    assert download(gateway_url, url, owner).status_code == 200


def test_links_unit() -> None:
    key, user = b"k" * 32, uuid.uuid4()
    token = sign(key, {"k": "x", "n": 1}, user, 60)
    assert verify(key, token, user)["n"] == 1
    with pytest.raises(LinkError) as exc:
        verify(b"other" * 8, token, user)
    assert exc.value.status == 403
    with pytest.raises(LinkError) as exc:
        verify(key, token, user, now=time.time() + 61)
    assert exc.value.status == 410
