"""Anomalies find the generator's injected incidents on the default data (``make demo``: 50,000
tickets over 180 days, seed 42), read from its ground-truth table ``support_incidents``, with
recall >= 90% and at most one false alarm per 30 days per series.

Which series shows which incident (the generator's own description, synthetic/incidents.py):
``volume_spike`` (arrivals x3 for five hours) -> hourly ticket_volume; ``sla_breach_wave`` (first
responses x6 for two days) -> daily first_response_time; ``satisfaction_drop`` (the beauty team's
CSAT -0.8 for a week) -> daily csat grouped by team, the incident's team. An incident is found when
a flagged bucket of its series overlaps its window; any other flag of that series is a false alarm
(the hourly series spans the 80 days around the spike: 2,000 buckets at most per series); the
rate is per series (each team's csat series counts once)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from resolver_support import session_as
from testkit import create_database, tq

from resolvers.context import Caller, RequestContext
from resolvers.statistics import AnomalyReport, anomalies

END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
DAYS = 180


@pytest.fixture(scope="module")
def demo_dsn(pg_server: str) -> Iterator[str]:
    from gateway.migrate import migrate
    from synthetic import seed_database

    async def build() -> str:
        dsn = await create_database(pg_server, f"stats_recall_{os.getpid()}")
        await migrate(dsn)
        await seed_database(dsn, tickets=50_000, days=DAYS, seed=42, end=END)
        return dsn

    yield asyncio.run(build())


def _owner(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query), *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _users(dsn: str) -> dict[str, list[uuid.UUID]]:
    rows = _owner(dsn, "users_by_role")
    out: dict[str, list[uuid.UUID]] = {}
    for r in rows:
        out.setdefault(r["app_role"], []).append(r["user_id"])
    return out


def _flags(report: AnomalyReport, group: str | None = None) -> list[tuple[datetime, datetime]]:
    out = []
    for s in report.series:
        if s.result is None or (group is not None and s.group != group):
            continue
        for p, a in zip(s.points, s.result.points, strict=True):
            if a.flagged:
                out.append((p.bucket_start, p.bucket_end))
    return out


def test_recall_and_false_alarms_on_the_default_data(demo_dsn: str) -> None:
    incidents = {r["kind"]: r for r in _owner(demo_dsn, "owner_ops_incidents")}
    assert set(incidents) == {"volume_spike", "sla_breach_wave", "satisfaction_drop"}
    spike = incidents["volume_spike"]
    start, end = END - timedelta(days=DAYS), END
    hourly_from = spike["starts_at"] - timedelta(days=40)
    users = _users(demo_dsn)

    async def run() -> dict[str, tuple[AnomalyReport, float]]:
        async with session_as(demo_dsn, users, "manager") as session:
            ctx = RequestContext(Caller(users["manager"][0], "authenticated", "manager"), session)
            tz = "Europe/Paris"
            return {
                "volume_spike": (await anomalies(ctx, "ticket_volume", hourly_from,
                                                 hourly_from + timedelta(days=80), "hour", tz),
                                 80.0),
                "sla_breach_wave": (await anomalies(ctx, "first_response_time", start, end,
                                                    "day", tz), DAYS),
                "satisfaction_drop": (await anomalies(ctx, "csat", start, end, "day", tz,
                                                      group_by="team"), DAYS),
            }  # fmt: skip

    reports = asyncio.run(run())
    found, false_alarms = 0, {}
    for kind, (report, days) in reports.items():
        inc = incidents[kind]
        team = json.loads(inc["scope"]).get("team_id") if kind == "satisfaction_drop" else None
        flags = _flags(report, team)
        hits = [f for f in flags if f[0] < inc["ends_at"] and f[1] > inc["starts_at"]]
        found += bool(hits)
        others = len(_flags(report)) - len(hits)  # other teams' flags are false alarms too
        series = sum(1 for s in report.series if s.result is not None)
        false_alarms[kind] = (others, others / series / (days / 30.0))
    recall = found / len(incidents)
    assert recall >= 0.9, (recall, false_alarms)
    for kind, (count, per_30_days) in false_alarms.items():
        assert per_30_days <= 1.0, (kind, count, per_30_days)
