"""Retention: a run archives whole months past the policy (partition detached, file with manifest
and checksums, partition gone), deletes or anonymises what is past it, keeps the KPIs of an
archived month answerable (tickets stay; interaction sums from rollups) and says that the window
reaches archived detail; no step holds locks for a second (measured twice: the run's longest
transaction, and a concurrent writer's and reader's worst latency)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from testkit import tq
from typer.testing import CliRunner

import gateway.cli
from gateway.privacy.retention import run_retention
from gateway.settings import RETENTION_DEFAULTS

GQL = Callable[..., Any]

OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
DASHBOARD = """query($from: DateTime!, $to: DateTime!) {
  dashboard(from: $from, to: $to) { kpis { name value n } } }"""
MONTHS = """query($from: DateTime!, $to: DateTime!) {
  interactionMonths(from: $from, to: $to) { month fromArchive interactions handleSeconds
                                            meanSentiment } }"""
COVERAGE = """query($from: DateTime!, $to: DateTime!) {
  archivedDetail(from: $from, to: $to) { reachesArchivedDetail archived { table month rows } } }"""


def _vars(window: tuple[datetime, datetime]) -> dict[str, str]:
    return {"from": window[0].isoformat(), "to": window[1].isoformat()}


async def _probe(dsn: str, stop: asyncio.Event, worst: list[float]) -> None:
    """Write and read interactions every 20 ms; record the worst latency."""
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            for query in ("retention_test_probe", "retention_test_probe_read"):
                started = time.monotonic()
                await conn.execute(tq(query))
                worst.append(time.monotonic() - started)
            await asyncio.sleep(0.02)
    finally:
        await conn.close()


async def test_retention_run(
    gql: GQL,
    token_of: Callable[..., str],
    owner: asyncpg.Connection,
    privacy_dsn: str,
    tmp_path: Path,
) -> None:
    now = datetime.now(UTC)
    assert now > datetime(2026, 12, 1, tzinfo=UTC), "the test's months assume a clock after Nov"
    days = dict(RETENTION_DEFAULTS)
    days.update(interactions=(now - OCTOBER[1]).days, message_bodies=25, tickets=28, audit_log=1)
    bodies_cutoff, tickets_cutoff = now - timedelta(days=25), now - timedelta(days=28)
    old_ticket = await owner.fetchval(tq("retention_test_old_ticket"))
    await owner.fetchval(tq("retention_test_old_interaction"), old_ticket)
    assert await owner.fetchval(tq("retention_test_default_rows")) >= 1
    before = dict(
        await owner.fetchrow(tq("retention_test_counts"), *OCTOBER, bodies_cutoff, tickets_cutoff)
    )
    assert before["month_interactions"] > 1000 and before["old_bodies"] > 0
    kpis_before = await asyncio.to_thread(gql, DASHBOARD, _vars(OCTOBER), token_of("executive"))
    months_before = await asyncio.to_thread(gql, MONTHS, _vars(OCTOBER), token_of("manager"))
    assert months_before["data"]["interactionMonths"][0]["fromArchive"] is False

    stop, worst = asyncio.Event(), []
    probe = asyncio.create_task(_probe(privacy_dsn, stop, worst))
    try:
        report = await run_retention(privacy_dsn, days, tmp_path, now=now)
    finally:
        stop.set()
        await probe
    assert report.skipped == []
    assert report.longest_step_seconds < 1.0, report.as_json()
    assert len(worst) > 4 and max(worst) < 1.0, max(worst)

    # archived: october's interactions with their bodies, old change log and audit months
    archives = {
        (r["table_name"], r["month"].isoformat()): r
        for r in await owner.fetch(tq("retention_test_archives"))
    }
    october = archives[("support_interactions", "2026-10-01")]
    assert october["rows"] == before["month_interactions"]
    assert ("support_change_log", "2026-10-01") in archives
    assert ("privacy_audit_log", "2026-11-01") in archives
    assert not await owner.fetchval(
        tq("retention_test_partition_exists"), "support_interactions_p202610"
    )
    manifest_path = Path(october["file_path"])
    manifest_bytes = await asyncio.to_thread(manifest_path.read_bytes)
    assert hashlib.sha256(manifest_bytes).hexdigest() == october["sha256"]
    manifest = json.loads(manifest_bytes)
    for name, meta in manifest["files"].items():
        data = await asyncio.to_thread((manifest_path.parent / name).read_bytes)
        assert hashlib.sha256(data).hexdigest() == meta["sha256"]
        lines = gzip.decompress(data).decode().splitlines()
        assert len(lines) == meta["rows"] + 1  # header
    assert manifest["files"]["support_interactions.csv.gz"]["rows"] == october["rows"]
    assert manifest["files"]["support_interaction_bodies.csv.gz"]["rows"] > 0

    # past the policy: gone or anonymised
    after = dict(
        await owner.fetchrow(tq("retention_test_counts"), *OCTOBER, bodies_cutoff, tickets_cutoff)
    )
    assert after["month_interactions"] == 0
    assert after["old_bodies"] == 0 and after["bodies"] < before["bodies"]
    assert after["old_tickets"] == 0 and after["named_old_tickets"] == 0
    assert after["tickets"] == before["tickets"]
    assert await owner.fetchval(tq("retention_test_default_rows")) == 0

    # the archived month stays answerable, and the api says its detail is archived
    kpis_after = await asyncio.to_thread(gql, DASHBOARD, _vars(OCTOBER), token_of("executive"))
    assert kpis_after["data"] == kpis_before["data"]
    months_after = await asyncio.to_thread(gql, MONTHS, _vars(OCTOBER), token_of("manager"))
    (m_before,) = months_before["data"]["interactionMonths"]
    (m_after,) = months_after["data"]["interactionMonths"]
    assert m_after["fromArchive"] is True
    for key in ("month", "interactions", "handleSeconds"):
        assert m_after[key] == m_before[key], key
    assert abs(m_after["meanSentiment"] - m_before["meanSentiment"]) < 1e-9
    coverage = await asyncio.to_thread(gql, COVERAGE, _vars(OCTOBER), token_of("analyst"))
    assert coverage["data"]["archivedDetail"]["reachesArchivedDetail"] is True
    later = (now + timedelta(days=1), now + timedelta(days=2))
    fresh = await asyncio.to_thread(gql, COVERAGE, _vars(later), token_of("analyst"))
    assert fresh["data"]["archivedDetail"] == {"reachesArchivedDetail": False, "archived": []}
    audit = (await owner.fetch(tq("privacy_audit_rows"), "retention_run"))[0]
    assert json.loads(audit["details"])["archives"]

    # a second run has nothing left to archive (the CLI, with the same policy)
    env = ",".join(f"{k}={v}" for k, v in days.items())
    result = await asyncio.to_thread(
        CliRunner().invoke,
        gateway.cli.app,
        ["retention", "run"],
        env={"DATABASE_URL": privacy_dsn, "RETENTION": env, "ARCHIVE_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output
    assert "archived " not in result.output and "longest" in result.output
