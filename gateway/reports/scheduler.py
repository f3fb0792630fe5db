"""The report scheduler: plans each schedule's runs and delivers each run exactly once.

Every ``REPORTS_POLL_SECONDS`` (and at start) a scheduler, in each gateway process that runs one
(``serve`` unless ``REPORTS_SCHEDULER=off``, or ``support-gateway worker``):

1. **plans**: for every active schedule, the latest cron occurrence (local time of the
   schedule's zone, :mod:`resolvers.report_cron`) after its ``planned_until`` and not after now
   becomes a ``report_deliveries`` row, unique per (schedule, instant): two schedulers planning
   the same run insert it once. A run missed while no scheduler ran is planned on start if it is
   within ``REPORTS_GRACE_SECONDS``; older ones are skipped, and several missed occurrences
   give one run, not a burst.
2. **delivers**: it takes one due run at a time with ``FOR UPDATE SKIP LOCKED`` and a lease
   (``REPORTS_LEASE_SECONDS``), so concurrent schedulers never take the same run; a run whose
   process died is taken over once its lease expires. The report is built under the rights the
   schedule's **owner** has now (their current ``user_roles`` row; none, or no longer being
   able to read the report, fails the run for good and pauses the schedule), rendered off the
   event loop and sent to each channel (``mail``, ``webhook``). Each channel is recorded as
   delivered as soon as it succeeds, so a retry only resends what failed. Failures are
   recorded (``errors``) and retried with exponential backoff (``REPORTS_RETRY_SECONDS``
   doubled per attempt) up to ``REPORTS_MAX_ATTEMPTS``, then the run is ``failed``.

The scheduler's own statements use the gateway's login role (like the realtime hub and the
alerting engine); no figure is read that way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

import sql
from gateway.auth import Principal
from gateway.db import Database
from gateway.privacy.audit import AuditWriter, ReadNotes, report_read
from gateway.reports.delivery import DeliveryError, Outgoing, post_webhook, send_mail
from gateway.reports.routes import attachment_name, render_report
from gateway.settings import Settings
from resolvers.errors import UserInputError
from resolvers.report_cron import due_runs
from resolvers.reports import report_definition, report_request, request_payload

log = logging.getLogger(__name__)


class OwnerLostRights(Exception):
    """The schedule's owner may no longer run it."""


def owner_principal(ctx: Any) -> Principal:
    """The owner as a request principal with their *current* role (from ``user_roles``)."""
    if ctx["owner_role"] is None:
        raise OwnerLostRights("the schedule's owner has no role any more")
    claims: dict[str, Any] = {
        "sub": str(ctx["owner_id"]),
        "role": "authenticated",
        "aud": "authenticated",
        "app_role": ctx["owner_role"],
    }
    if ctx["owner_email"]:
        claims["email"] = ctx["owner_email"]
    return Principal(
        user_id=ctx["owner_id"],
        role="authenticated",
        app_role=ctx["owner_role"],
        claims=claims,
        token=None,
    )


class ReportScheduler:
    """Plans and delivers scheduled reports (see the module docstring)."""

    def __init__(self, db: Database, settings: Settings, *, name: str | None = None) -> None:
        self.db, self.settings, self.cfg = db, settings, settings.reports
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.sent = 0
        #: reads of personal data in sent reports (flushed after each tick)
        self.audit = AuditWriter(db)

    async def start(self) -> None:
        self._client = httpx.AsyncClient()
        self._task = asyncio.create_task(self._run(), name="report-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive a bad moment of the database
                log.exception("report scheduler tick failed")
            await asyncio.sleep(self.cfg.poll_seconds)

    async def tick(self) -> int:
        """Plan due runs, then deliver every run that is due; return how many were handled."""
        await self.plan(datetime.now(UTC))
        handled = 0
        try:
            while await self.deliver_one():
                handled += 1
        finally:
            if self.audit.pending:
                await self.audit.flush()
        return handled

    async def plan(self, now: datetime) -> int:
        grace = timedelta(seconds=self.cfg.grace_seconds)
        planned = 0
        async with self.db.pool.acquire() as conn:
            for s in await conn.fetch(sql.load("report_sched_active")):
                try:
                    run, until = due_runs(s["cron"], s["timezone"], s["planned_until"], now, grace)
                except (UserInputError, ValueError) as exc:
                    log.warning("schedule %s: %s", s["id"], exc)
                    continue
                if run is None:
                    await conn.execute(sql.load("report_sched_advance"), s["id"], until)
                else:
                    planned += int(
                        await conn.fetchval(sql.load("report_sched_plan"), s["id"], run, until)
                    )
        return planned

    async def deliver_one(self) -> bool:
        """Take one due run and deliver it; False when none is due."""
        async with self.db.pool.acquire() as conn:
            run = await conn.fetchrow(
                sql.load("report_sched_claim"), self.name, self.cfg.lease_seconds
            )
            if run is None:
                return False
            ctx = await conn.fetchrow(sql.load("report_sched_context"), run["id"])
        assert ctx is not None
        try:
            out = await self._render(run, ctx)
            await self._send(run, ctx, out)
        except OwnerLostRights as exc:
            await self._finish(run, "failed", str(exc), None)
            async with self.db.pool.acquire() as conn:
                await conn.execute(sql.load("report_sched_pause"), ctx["schedule_id"])
            return True
        except (DeliveryError, UserInputError) as exc:
            await self._retry(run, str(exc))
            return True
        await self._finish(run, "sent", None, len(out.rendered.content))
        self.sent += 1
        report_read(
            self.audit,
            out.reads,
            owner_principal(ctx),
            operation="scheduled report",
            request_id=f"report_delivery:{run['id']}",
            report=f"{out.title} {ctx['format']}",
        )
        return True

    async def _render(self, run: Any, ctx: Any) -> Outgoing:
        principal = owner_principal(ctx)
        session = self.db.session(
            principal, statement_timeout_ms=self.settings.statement_timeout_ms
        )
        try:
            try:
                definition = await report_definition(
                    session, principal.user_id, id=ctx["report_id"]
                )
            except UserInputError as exc:
                raise OwnerLostRights("the schedule's owner may no longer read the report") from exc
            req = report_request(
                definition,
                None,
                start=None,
                end=None,
                period=None,
                timezone=ctx["timezone"],
                now=run["scheduled_for"],
                team_id=ctx["team_id"],
            )
        finally:
            await session.close()
        payload = request_payload(req, ctx["format"], bom=False)
        notes = ReadNotes()
        doc, rendered = await render_report(self.db, self.settings, principal, payload, notes)
        period = (
            f"{req.start.astimezone(_zone(req.timezone)):%Y-%m-%d} to "
            f"{req.end.astimezone(_zone(req.timezone)):%Y-%m-%d} ({req.timezone})"
        )
        return Outgoing(
            run["id"],
            str(ctx["schedule_id"]),
            run["scheduled_for"],
            doc.title,
            period,
            attachment_name(doc.title, rendered.extension),
            rendered,
            notes,
        )

    async def _send(self, run: Any, ctx: Any, out: Outgoing) -> None:
        done: set[str] = set(run["delivered_to"])
        errors: list[str] = []
        channels: list[tuple[str, Any]] = []
        if ctx["recipients"]:
            channels.append(("mail", lambda: send_mail(self.settings, out, ctx["recipients"])))
        if ctx["webhook_url"]:
            channels.append(
                (
                    "webhook",
                    lambda: post_webhook(self.settings, out, ctx["webhook_url"], self._http()),
                )
            )
        for channel, send in channels:
            if channel in done:
                continue
            try:
                await send()
            except DeliveryError as exc:
                errors.append(str(exc))
                continue
            async with self.db.pool.acquire() as conn:
                await conn.fetchval(
                    sql.load("report_sched_channel_done"), run["id"], channel, self.name
                )
        if errors:
            raise DeliveryError("; ".join(errors))

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient()
        return self._client

    async def _retry(self, run: Any, error: str) -> None:
        attempts = int(run["attempts"])
        if attempts >= self.cfg.max_attempts:
            await self._finish(run, "failed", error, None)
            return
        delay = self.cfg.retry_seconds * 2 ** (attempts - 1)
        await self._finish(
            run, "retrying", error, None, next_at=datetime.now(UTC) + timedelta(seconds=delay)
        )

    async def _finish(
        self,
        run: Any,
        status: str,
        error: str | None,
        size: int | None,
        *,
        next_at: datetime | None = None,
    ) -> None:
        entry = None
        if error is not None:
            entry = json.dumps(
                [{"at": datetime.now(UTC).isoformat(), "attempt": run["attempts"], "error": error}]
            )
        async with self.db.pool.acquire() as conn:
            await conn.fetchval(
                sql.load("report_sched_finish"),
                run["id"],
                status,
                error,
                entry,
                next_at,
                size,
                self.name,
            )
        log.info("report delivery %s: %s%s", run["id"], status, f" ({error})" if error else "")


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def run_worker(dsn: str, settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run a scheduler until ``stop`` is set (``support-gateway worker``)."""
    db = Database(dsn, min_size=1, max_size=4)
    await db.open()
    scheduler = ReportScheduler(db, settings)
    await scheduler.start()
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await scheduler.stop()
        await db.close()
