"""Scheduled delivery against a real SMTP server (aiosmtpd, STARTTLS + AUTH) and a real webhook
receiver: a run arrives once with its attachment; retries after SMTP failures are recorded; a
run whose process died is taken over once; two worker processes send a run once; a run missed
while no scheduler ran is sent once; an owner who lost their role stops the schedule."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from delivery_support import SMTP_PASSWORD, SMTP_USER, SmtpServer, WebhookReceiver
from pypdf import PdfReader
from reports_support import GQL
from testkit import free_port, tq

from gateway.auth import mint_token
from gateway.db import Database
from gateway.reports.delivery import webhook_key
from gateway.reports.scheduler import ReportScheduler
from gateway.settings import Settings
from resolvers.report_builder import default_window
from resolvers.report_cron import occurrences

CREATE = """mutation($report: ID!, $to: [String!], $hook: String, $team: ID,
  $format: ReportFormat!) {
  createReportSchedule(reportId: $report, cron: "0 8 * * 1", timezone: "Europe/Paris",
    format: $format, recipients: $to, webhookUrl: $hook, teamId: $team) { id nextRunAt } }"""
DELIVERIES = """query($id: ID!) { reportDeliveries(scheduleId: $id) {
  scheduledFor status attempts deliveredTo lastError errors bytes } }"""
RECIPIENTS = ["lead@example.com", "ceo@example.com"]


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path_factory.mktemp("smtp"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def mailbox(smtp: SmtpServer, webhook: WebhookReceiver) -> SmtpServer:
    smtp.inbox.messages.clear()
    smtp.inbox.fail_next = 0
    webhook.hook.requests.clear()
    webhook.hook.status = 200
    return smtp


def delivery_settings(base: Settings, smtp: SmtpServer, **changes: Any) -> Settings:
    reports = replace(
        base.reports,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_username=SMTP_USER,
        smtp_password=SMTP_PASSWORD,
        smtp_ca_file=str(smtp.cert),
        smtp_from="reports@example.com",
        grace_seconds=14 * 86400.0,
        retry_seconds=0.3,
        poll_seconds=0.2,
        lease_seconds=60.0,
        **changes,
    )
    return base.with_overrides(reports=reports)


@pytest.fixture
async def owner_db(seeded_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(seeded_dsn)
    yield conn
    await conn.execute("delete from public.report_schedules")  # each test starts afresh
    await conn.close()


async def _new_manager(conn: asyncpg.Connection, settings: Settings) -> tuple[uuid.UUID, str]:
    user = uuid.uuid4()
    await conn.execute(tq("insert_user_role"), user, f"{user.hex[:8]}@example.com", "manager")
    return user, mint_token(settings.jwt_secret, user_id=user, app_role="manager")


def _schedule(
    graphql: GQL, token: str, *, team: str, hook: str | None, to: list[str] | None, fmt: str = "PDF"
) -> str:
    reports = graphql("{ reports { id slug } }", token=token)["data"]["reports"]
    weekly = next(r["id"] for r in reports if r["slug"] == "weekly-team")
    body = graphql(
        CREATE, {"report": weekly, "to": to, "hook": hook, "team": team, "format": fmt}, token
    )
    assert "errors" not in body, body
    return str(body["data"]["createReportSchedule"]["id"])


def _last_monday_8(now: datetime) -> datetime:
    runs = occurrences("0 8 * * 1", "Europe/Paris", now - timedelta(days=8))
    latest = next(runs)
    while (following := next(runs)) <= now:
        latest = following
    return latest


async def _make_due(conn: asyncpg.Connection, schedule: str) -> datetime:
    """Put the schedule's planning just before its latest Monday 08:00 (a missed run)."""
    run = _last_monday_8(datetime.now(UTC))
    await conn.execute(
        "update public.report_schedules set planned_until = $2 where id = $1",
        uuid.UUID(schedule),
        run - timedelta(minutes=1),
    )
    return run


def _deliveries(graphql: GQL, token: str, schedule: str) -> list[dict[str, Any]]:
    body = graphql(DELIVERIES, {"id": schedule}, token)
    assert "errors" not in body, body
    rows: list[dict[str, Any]] = body["data"]["reportDeliveries"]
    return rows


@pytest.fixture
def team(graphql: GQL, make_token: Callable[..., str]) -> str:
    return str(graphql("{ teams { id } }", token=make_token("manager"))["data"]["teams"][0]["id"])


async def test_a_run_arrives_once_by_mail_and_webhook(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    webhook: WebhookReceiver,
    owner_db: asyncpg.Connection,
    team: str,
) -> None:
    _, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=webhook.url, to=RECIPIENTS)
    run = await _make_due(owner_db, schedule)
    settings = delivery_settings(gateway_settings, mailbox)
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    try:
        scheduler = ReportScheduler(db, settings)
        assert await scheduler.tick() == 1
        assert await scheduler.tick() == 0  # planned once, sent once
    finally:
        await scheduler.stop()
        await db.close()
    assert len(mailbox.inbox.messages) == 1 and mailbox.inbox.envelopes == [RECIPIENTS]
    msg = mailbox.inbox.messages[0]
    assert msg["Subject"].startswith("Weekly Team Performance")
    (attachment,) = [p for p in msg.walk() if p.get_filename()]
    pdf = attachment.get_payload(decode=True)
    assert attachment.get_content_type() == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Weekly Team Performance" in text and "Scope: team" in text
    # the same numbers as the dashboard for the report's window (the ISO week before the run)
    start, end = default_window("weekly_team", "Europe/Paris", run)
    dash = graphql(
        """query($t: ID!, $f: DateTime!, $to: DateTime!) {
      dashboard(teamId: $t, from: $f, to: $to) { kpis { name value } } }""",
        {"t": team, "f": start.isoformat(), "to": end.isoformat()},
        token,
    )
    flat = f" {text.replace(chr(10), ' ')} "
    measured = [k for k in dash["data"]["dashboard"]["kpis"] if k["value"] is not None]
    assert measured
    for k in measured:
        assert f" {k['name']} {k['value']:.2f} " in flat, k
    ((headers, body),) = webhook.hook.requests
    assert body == pdf and headers["content-type"] == "application/pdf"
    expected = hmac.new(
        webhook_key(settings), headers["x-report-timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["x-report-signature"] == f"sha256={expected}"
    (d,) = _deliveries(graphql, token, schedule)
    assert d["status"] == "sent" and d["attempts"] == 1 and d["bytes"] == len(pdf)
    assert sorted(d["deliveredTo"]) == ["mail", "webhook"]
    assert datetime.fromisoformat(d["scheduledFor"]) == run


async def test_smtp_failure_is_retried_and_recorded_without_resending_the_webhook(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    webhook: WebhookReceiver,
    owner_db: asyncpg.Connection,
    team: str,
) -> None:
    _, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=webhook.url, to=RECIPIENTS, fmt="XLSX")
    await _make_due(owner_db, schedule)
    mailbox.inbox.fail_next = 1
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    scheduler = ReportScheduler(db, delivery_settings(gateway_settings, mailbox))
    try:
        await scheduler.tick()
        (d,) = _deliveries(graphql, token, schedule)
        assert d["status"] == "retrying" and d["deliveredTo"] == ["webhook"]
        assert "451" in d["lastError"] and len(d["errors"]) == 1
        await asyncio.sleep(0.4)
        await scheduler.tick()
    finally:
        await scheduler.stop()
        await db.close()
    (d,) = _deliveries(graphql, token, schedule)
    assert d["status"] == "sent" and d["attempts"] == 2 and d["lastError"] is None
    assert d["errors"][0]["attempt"] == 1 and "451" in d["errors"][0]["error"]
    assert len(mailbox.inbox.messages) == 1 and len(webhook.hook.requests) == 1


async def test_a_run_whose_process_died_is_taken_over_once(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    owner_db: asyncpg.Connection,
    team: str,
) -> None:
    _, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=None, to=RECIPIENTS, fmt="CSV")
    run = await _make_due(owner_db, schedule)
    # a process took the run and died with the lease (2 s) still running
    await owner_db.execute(
        "insert into public.report_deliveries (schedule_id, scheduled_for, status, attempts,"
        " lease_owner, lease_until) values ($1, $2, 'running', 1, 'crashed', now() + '2 s')",
        uuid.UUID(schedule),
        run,
    )
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    scheduler = ReportScheduler(db, delivery_settings(gateway_settings, mailbox))
    try:
        assert await scheduler.tick() == 0 and mailbox.inbox.messages == []
        await asyncio.sleep(2.2)
        assert await scheduler.tick() == 1 and await scheduler.tick() == 0
    finally:
        await scheduler.stop()
        await db.close()
    assert len(mailbox.inbox.messages) == 1
    (d,) = _deliveries(graphql, token, schedule)
    assert d["status"] == "sent" and d["attempts"] == 2


def _worker(seeded_dsn: str, settings: Settings, smtp_port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": seeded_dsn,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_USERNAME": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "SUPABASE_JWT_SECRET": settings.jwt_secret,
        "REPORTS_POLL_SECONDS": "0.2",
        "REPORTS_GRACE_SECONDS": str(14 * 86400),
        "REPORTS_RETRY_SECONDS": "0.5",
    }
    command = str(Path(sys.executable).parent / "support-gateway")
    return subprocess.Popen(
        [command, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def _wait_status(conn: asyncpg.Connection, schedule: str, status: str, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = await conn.fetchrow(
            "select * from public.report_deliveries where schedule_id = $1", uuid.UUID(schedule)
        )
        if row is not None and row["status"] == status:
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"delivery did not reach {status!r}: {row}")


def _stop(*procs: subprocess.Popen[bytes]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(timeout=20)


async def test_two_worker_processes_send_a_run_once(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    owner_db: asyncpg.Connection,
    team: str,
    tmp_path: Path,
) -> None:
    _, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=None, to=RECIPIENTS)
    await _make_due(owner_db, schedule)
    os.environ["SMTP_CA_FILE"] = str(mailbox.cert)
    try:
        workers = [_worker(seeded_dsn, gateway_settings, mailbox.port) for _ in range(2)]
    finally:
        del os.environ["SMTP_CA_FILE"]
    try:
        await _wait_status(owner_db, schedule, "sent", 60)
        await asyncio.sleep(1.5)  # both keep polling: nothing more may arrive
    finally:
        _stop(*workers)
    assert len(mailbox.inbox.messages) == 1


async def test_restart_after_a_failed_attempt_sends_once(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    owner_db: asyncpg.Connection,
    team: str,
) -> None:
    _, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=None, to=RECIPIENTS)
    await _make_due(owner_db, schedule)
    os.environ["SMTP_CA_FILE"] = str(mailbox.cert)
    try:
        first = _worker(seeded_dsn, gateway_settings, free_port())  # nothing listens there
        row = await _wait_status(owner_db, schedule, "retrying", 60)
        _stop(first)
        assert "smtp" in row["last_error"]
        second = _worker(seeded_dsn, gateway_settings, mailbox.port)
    finally:
        del os.environ["SMTP_CA_FILE"]
    try:
        row = await _wait_status(owner_db, schedule, "sent", 60)
    finally:
        _stop(second)
    assert len(mailbox.inbox.messages) == 1 and row["attempts"] >= 2
    assert all("smtp" in e["error"] for e in _deliveries(graphql, token, schedule)[0]["errors"])


async def test_an_owner_without_a_role_stops_the_schedule(
    graphql: GQL,
    gateway_settings: Settings,
    seeded_dsn: str,
    mailbox: SmtpServer,
    owner_db: asyncpg.Connection,
    team: str,
) -> None:
    user, token = await _new_manager(owner_db, gateway_settings)
    schedule = _schedule(graphql, token, team=team, hook=None, to=RECIPIENTS)
    await _make_due(owner_db, schedule)
    await owner_db.execute("delete from public.user_roles where user_id = $1", user)
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    scheduler = ReportScheduler(db, delivery_settings(gateway_settings, mailbox))
    try:
        await scheduler.tick()
    finally:
        await scheduler.stop()
        await db.close()
    row = await owner_db.fetchrow(
        "select d.status, d.last_error, s.paused from"
        " public.report_deliveries d join public.report_schedules s"
        " on s.id = d.schedule_id where s.id = $1",
        uuid.UUID(schedule),
    )
    assert row["status"] == "failed" and "no role" in row["last_error"] and row["paused"]
    assert mailbox.inbox.messages == []
