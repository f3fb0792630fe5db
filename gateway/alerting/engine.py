"""The alerting engine: runs the rules, stores alerts once per condition.

Schedule (per gateway process): every rule every ``config.interval_seconds``; the SLA rule also
``config.on_change_delay`` seconds after ticket changes reported by the realtime hub (changes
in between are coalesced). Each rule's query runs as the gateway (the pool's login role: alerts
concern every team), its rows go through the pure rule in :mod:`gateway.alerting.rules`, and all
drafts of a pass are stored in ONE statement (``alert_insert``: ``insert ... on conflict
(dedup_key) do nothing``), so a condition raises one alert however many passes (or gateway
processes) see it. Stored alerts reach ``alertRaised`` subscribers through the change log
trigger, like any other change.

A rule that fails (database away, bad data) is logged and skipped for that pass; the others
still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sql
from gateway.alerting.config import AlertingConfig
from gateway.alerting.errors import ErrorMeter
from gateway.alerting.rules import (
    AlertDraft,
    performance_deviations,
    satisfaction_drops,
    sla_breaches,
    system_errors,
    volume_spike,
)
from gateway.db import Database
from gateway.realtime.changes import Change

log = logging.getLogger(__name__)

RULES = ("sla", "performance", "satisfaction", "volume", "system_errors")


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


class AlertingEngine:
    """Periodic and on-change evaluation of the configured rules (see the module docstring)."""

    def __init__(self, db: Database, config: AlertingConfig, errors: ErrorMeter) -> None:
        self._db = db
        self.config = config
        self._errors = errors
        self._task: asyncio.Task[None] | None = None
        self._sla_due = asyncio.Event()
        self.counters: Counter[str] = Counter()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="alerting")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def on_changes(self, batch: Sequence[Change]) -> None:
        """Hub listener: a ticket change schedules an SLA evaluation."""
        if any(c.table == "support_tickets" for c in batch):
            self._sla_due.set()

    def stats(self) -> dict[str, int]:
        return dict(self.counters)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time()
        while True:
            timeout = max(0.0, next_full - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sla_due.wait(), timeout)
            if loop.time() >= next_full:
                self._sla_due.clear()
                await self.evaluate(RULES)
                next_full = loop.time() + self.config.interval_seconds
            elif self._sla_due.is_set():
                await asyncio.sleep(self.config.on_change_delay)
                self._sla_due.clear()
                await self.evaluate(("sla",))

    async def evaluate(self, rules: Sequence[str] = RULES) -> list[str]:
        """Run ``rules`` once as of ``config.clock()`` and store what they raise; the dedup keys
        of the alerts actually stored (conditions already raised are skipped)."""
        drafts = await self.detect(rules, self.config.clock())
        if not drafts:
            return []
        try:
            stored = await self._store(drafts)
        except Exception:
            self.counters["store_failures"] += 1
            log.exception("storing %s alerts failed", len(drafts))
            return []
        self.counters["raised"] += len(stored)
        return stored

    async def detect(self, rules: Sequence[str], now: datetime) -> list[AlertDraft]:
        """What ``rules`` raise as of ``now``, without storing anything (read-only queries)."""
        drafts: list[AlertDraft] = []
        for name in rules:
            try:
                drafts.extend(await self._run_rule(name, now))
            except Exception:
                self.counters[f"{name}_failures"] += 1
                log.exception("alert rule %s failed", name)
            else:
                self.counters[f"{name}_runs"] += 1
        return drafts

    async def _fetch(self, name: str, *args: Any) -> list[Any]:
        async with self._db.pool.acquire() as conn:
            self.counters["statements"] += 1
            return list(await conn.fetch(sql.load(name), *args))

    async def _run_rule(self, name: str, now: datetime) -> list[AlertDraft]:
        cfg = self.config
        if name == "sla" and cfg.sla.enabled:
            since = now - timedelta(hours=cfg.sla.lookback_hours)
            return sla_breaches(await self._fetch("alert_sla_breaches", now, since), cfg.sla)
        if name == "performance" and cfg.performance.enabled:
            last_day: date = (now - timedelta(days=1)).date()
            first_day = last_day - timedelta(days=cfg.performance.window_days - 1)
            rows = await self._fetch("alert_agent_kpis", first_day, last_day)
            return performance_deviations(rows, cfg.performance, last_day)
        if name == "satisfaction" and cfg.satisfaction.enabled:
            rule = cfg.satisfaction
            start = now - timedelta(hours=rule.window_hours)
            base = start - timedelta(days=rule.baseline_days)
            rows = await self._fetch("alert_csat_moments", start, now, base)
            return satisfaction_drops(rows, rule, now.date())
        if name == "volume" and cfg.volume.enabled:
            end = _hour(now)
            rows = await self._fetch(
                "alert_arrivals_hourly", end - timedelta(days=cfg.volume.history_days), end
            )
            return volume_spike(rows, cfg.volume)
        if name == "system_errors" and cfg.system_errors.enabled:
            window = self._errors.window(cfg.system_errors.window_seconds)
            return system_errors(window, cfg.system_errors, now)
        return []

    async def _store(self, drafts: Sequence[AlertDraft]) -> list[str]:
        columns: list[list[Any]] = [[] for _ in range(9)]
        for d in drafts:
            values = (
                d.alert_type,
                d.severity,
                d.dedup_key,
                d.title,
                d.message,
                d.team_id,
                d.agent_id,
                d.ticket_id,
                json.dumps(d.details, default=str),
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        rows = await self._fetch("alert_insert", *columns)
        return [r["dedup_key"] for r in rows]
