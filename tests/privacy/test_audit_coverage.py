"""Reads of personal data outside plain queries are audited like them, by the same batched
writer: each subscription event that carried a customer's contact data, per subscriber (a
shared stream's members each get their own record; the legacy protocol's pipeline too), and
the contents of reports (a download, a scheduled delivery) that named customers' tickets. The
records carry ids and counts, never the names or e-mails that were read."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkit import LiveServer, tq
from typer.testing import CliRunner

import gateway.cli
from gateway.db import Database
from gateway.reports.scheduler import ReportScheduler
from gateway.settings import Settings

GQL = Callable[..., dict[str, Any]]

FEED = """subscription LiveTickets { ticketChanged {
  ticketId ticket { subject customer { name email } } } }"""
RUN = """mutation($from: DateTime!, $to: DateTime!) {
  runReport(slug: "daily-summary", format: CSV, from: $from, to: $to) { url } }"""
SCHEDULE = """mutation($report: ID!, $hook: String!) {
  createReportSchedule(reportId: $report, cron: "0 * * * *", timezone: "Europe/Paris",
    format: CSV, webhookUrl: $hook) { id } }"""
#: What a read record's details may hold: ids, counts and how it was delivered.
DETAIL_KEYS = {"customers", "message_bodies_of_tickets", "delivery", "subscription_id", "report"}


async def _records(owner: asyncpg.Connection, request_id: str, n: int) -> list[asyncpg.Record]:
    """The request's read records once ``n`` arrived (the writer flushes every 0.2 s)."""
    deadline = time.monotonic() + 15
    while len(rows := await owner.fetch(tq("privacy_audit_of_request"), request_id)) < n:
        assert time.monotonic() < deadline, f"{len(rows)} of {n} audit records"
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # and no more than n
    return list(await owner.fetch(tq("privacy_audit_of_request"), request_id))


def _report_text(content: bytes) -> str:
    """A CSV report's text (a zip of one CSV per table)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())


def _carries_nothing_personal(row: asyncpg.Record, *terms: str | None) -> None:
    details = json.loads(row["details"])
    assert set(details) <= DETAIL_KEYS, details
    text = json.dumps({k: str(v) for k, v in dict(row).items()})
    assert [t for t in terms if t and t in text] == []


async def _socket(url: str, token: str, request_id: str, protocol: str) -> Any:
    ws = await websockets.connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers={"X-Request-Id": request_id},
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    start = "subscribe" if protocol == "graphql-transport-ws" else "start"
    await ws.send(json.dumps({"id": "s1", "type": start, "payload": {"query": FEED}}))
    return ws


async def _payload_naming(ws: Any, ticket: int) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if message["type"] in ("next", "data"):
            change = message["payload"]["data"]["ticketChanged"]
            if change["ticketId"] == str(ticket):
                return dict(change)


async def _subscribers(url: str) -> int:
    async with httpx.AsyncClient() as client:
        stats = (await client.get(url + "/realtime/stats")).json()
        return int(stats["subscriptions"])


async def test_subscription_events_carrying_contacts_are_audited_per_subscriber(
    privacy_live_url: str,
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), 9))[0]
    ticket = (await owner.fetch(tq("privacy_customer_tickets"), customer["id"]))[0]["id"]
    rid = uuid.uuid4().hex[:12]
    sockets = [
        await _socket(privacy_live_url, token_of("manager", 0), f"{rid}-a", "graphql-transport-ws"),
        await _socket(privacy_live_url, token_of("manager", 1), f"{rid}-b", "graphql-transport-ws"),
    ]
    try:
        deadline = time.monotonic() + 15
        while await _subscribers(privacy_live_url) < 2:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await owner.execute(tq("privacy_set_subject"), ticket, "audited subscription")
        seen = [await _payload_naming(ws, ticket) for ws in sockets]
    finally:
        for ws in sockets:
            await ws.close()
    assert all(s["ticket"]["customer"]["email"] == customer["email"] for s in seen)

    for suffix, role, index in (("a", "manager", 0), ("b", "manager", 1)):
        (row,) = await _records(owner, f"{rid}-{suffix}", 1)
        assert row["actor_user_id"] == role_users[role][index] and row["actor_role"] == role
        assert row["operation"] == "LiveTickets"
        assert row["customer_id"] == customer["id"] and row["subject_count"] == 1
        assert json.loads(row["details"]) == {
            "customers": [str(customer["id"])],
            "delivery": "subscription",
            "subscription_id": "s1",
        }
        _carries_nothing_personal(row, customer["full_name"], customer["email"], customer["phone"])


async def test_legacy_protocol_subscription_is_audited(
    privacy_live_url: str,
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), 10))[0]
    ticket = (await owner.fetch(tq("privacy_customer_tickets"), customer["id"]))[0]["id"]
    rid = uuid.uuid4().hex[:12]
    ws = await _socket(privacy_live_url, token_of("executive"), rid, "graphql-ws")
    try:
        deadline = time.monotonic() + 15
        while await _subscribers(privacy_live_url) < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await owner.execute(tq("privacy_set_subject"), ticket, "audited legacy subscription")
        seen = await _payload_naming(ws, ticket)
    finally:
        await ws.close()
    assert seen["ticket"]["customer"]["name"] == customer["full_name"]
    (row,) = await _records(owner, rid, 1)
    assert row["actor_user_id"] == role_users["executive"][0]
    assert row["customer_id"] == customer["id"] and row["operation"] == "LiveTickets"
    assert json.loads(row["details"]) == {
        "customers": [str(customer["id"])],
        "delivery": "subscription",
    }
    _carries_nothing_personal(row, customer["full_name"], customer["email"], customer["phone"])


async def test_report_download_naming_customers_tickets_is_audited(
    privacy_url: str,
    gql: GQL,
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), 11))[0]
    ticket = (await owner.fetch(tq("privacy_customer_tickets"), customer["id"]))[0]["id"]
    now = datetime.now(UTC)
    await owner.execute(tq("privacy_plant_alert_at"), ticket, now - timedelta(hours=2))
    token, rid = token_of("manager"), uuid.uuid4().hex[:12]
    window = {"from": (now - timedelta(days=1)).isoformat(), "to": now.isoformat()}
    body = await asyncio.to_thread(gql, RUN, window, token)
    assert "errors" not in body, body
    async with httpx.AsyncClient(base_url=privacy_url, timeout=120) as http:
        resp = await http.get(
            body["data"]["runReport"]["url"],
            headers={"Authorization": f"Bearer {token}", "X-Request-Id": rid},
        )
    assert resp.status_code == 200
    assert f"SLA breached: ticket {ticket}" in _report_text(resp.content)
    (row,) = await _records(owner, rid, 1)
    assert row["actor_user_id"] == role_users["manager"][0]
    assert row["operation"] == "runReport download"
    details = json.loads(row["details"])
    assert str(customer["id"]) in details["customers"]
    assert details["report"] == "daily_summary csv"
    assert row["subject_count"] == len(details["customers"])
    _carries_nothing_personal(row, customer["full_name"], customer["email"], customer["phone"])


class _Hook:
    """A webhook receiver on loopback (what a scheduled report is posted to)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

        async def hook(request: Request) -> Response:
            self.bodies.append(await request.body())
            return Response("ok")

        async def healthz(request: Request) -> Response:
            return Response("ok")

        routes = [Route("/hook", hook, methods=["POST"]), Route("/healthz", healthz)]
        self.server = LiveServer(Starlette(routes=routes))
        self.url = self.server.url + "/hook"


async def test_scheduled_report_delivery_is_audited(
    gql: GQL,
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
    privacy_dsn: str,
    privacy_settings: Settings,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), 12))[0]
    ticket = (await owner.fetch(tq("privacy_customer_tickets"), customer["id"]))[0]["id"]
    paris = ZoneInfo("Europe/Paris")
    run = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    yesterday = run.astimezone(paris).date() - timedelta(days=1)
    noon = datetime(yesterday.year, yesterday.month, yesterday.day, 12, tzinfo=paris)
    await owner.execute(tq("privacy_plant_alert_at"), ticket, noon)
    token = token_of("manager")
    reports = (await asyncio.to_thread(gql, "{ reports { id slug } }", None, token))["data"]
    daily = next(r["id"] for r in reports["reports"] if r["slug"] == "daily-summary")
    hook = _Hook()
    hook.server.start()
    db = Database(privacy_dsn, min_size=1, max_size=2)
    await db.open()
    scheduler = ReportScheduler(db, privacy_settings)
    try:
        made = await asyncio.to_thread(gql, SCHEDULE, {"report": daily, "hook": hook.url}, token)
        assert "errors" not in made, made
        schedule = uuid.UUID(made["data"]["createReportSchedule"]["id"])
        await owner.execute(tq("privacy_make_schedule_due"), schedule, run)
        assert await scheduler.tick() == 1
    finally:
        await scheduler.stop()
        await db.close()
        hook.server.stop()
    assert len(hook.bodies) == 1 and f"SLA breached: ticket {ticket}" in _report_text(
        hook.bodies[0]
    )
    rows = [
        r
        for r in await owner.fetch(tq("privacy_audit_rows"), "personal_data_read")
        if r["operation"] == "scheduled report"
        and str(customer["id"]) in json.loads(r["details"]).get("customers", [])
    ]
    (row,) = rows
    assert row["actor_user_id"] == role_users["manager"][0] and row["actor_role"] == "manager"
    assert row["request_id"].startswith("report_delivery:")
    assert json.loads(row["details"])["report"] == "Daily Performance Summary csv"
    _carries_nothing_personal(row, customer["full_name"], customer["email"], customer["phone"])


async def test_report_command_is_audited(
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
    privacy_dsn: str,
    tmp_path: Path,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), 15))[0]
    ticket = (await owner.fetch(tq("privacy_customer_tickets"), customer["id"]))[0]["id"]
    now = datetime.now(UTC)
    await owner.execute(tq("privacy_plant_alert_at"), ticket, now - timedelta(hours=3))
    out = tmp_path / "daily.csv"
    args = ["report", "--name", "daily-summary", "--format", "csv", "--out", str(out)]
    args += ["--from", (now - timedelta(days=1)).isoformat(), "--to", now.isoformat()]
    result = await asyncio.to_thread(
        CliRunner().invoke,
        gateway.cli.app,
        [*args, "--role", "manager"],
        env={"DATABASE_URL": privacy_dsn},
    )
    assert result.exit_code == 0, result.output
    assert f"SLA breached: ticket {ticket}" in _report_text(out.read_bytes())
    rows = [
        r
        for r in await owner.fetch(tq("privacy_audit_rows"), "personal_data_read")
        if r["operation"] == "report command"
        and str(customer["id"]) in json.loads(r["details"]).get("customers", [])
    ]
    (row,) = rows
    assert row["actor_role"] == "manager" and row["actor_user_id"] in role_users["manager"]
    assert json.loads(row["details"])["report"] == "daily_summary csv"
    _carries_nothing_personal(row, customer["full_name"], customer["email"], customer["phone"])
