"""The scheduled insights ``predict`` job runs once per slot, whatever the number of processes:
concurrent checks from separate connection pools (as separate processes would be), and a real
``support-gateway serve --workers 3`` (each worker keeps the schedule: all three log their check,
one runs, two skip). Checked as the database owner: one ``support_insight_runs`` row for the
slot, one model version per type, and the predictions written once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from testkit import create_database, free_port, tq

from gateway.db import Database
from gateway.insights_jobs import run_predict, run_scheduled_predict
from gateway.migrate import migrate
from gateway.settings import Settings
from resolvers.insights_predict import schedule_slot
from synthetic import seed_database

HOURS = 24.0
TIMEZONE = "Europe/Paris"


async def _fresh(pg_server: str, name: str) -> str:
    """A migrated database seeded up to the current hour (30,000 tickets: a few seconds)."""
    dsn = await create_database(pg_server, f"{name}_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    await migrate(dsn)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    await seed_database(dsn, tickets=30_000, days=180, seed=7, end=end)
    return dsn


def _checks(log: Path) -> list[str]:
    """The schedule's log lines (one per check of a worker), JSON logs of ``serve``."""
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    return [x["message"] for x in lines if x["message"].startswith("insights predict, slot")]


async def _state(dsn: str, slot: datetime) -> asyncpg.Record:
    conn = await asyncpg.connect(dsn)
    try:
        row: asyncpg.Record = await conn.fetchrow(tq("insights_schedule_state"), slot)
        return row
    finally:
        await conn.close()


@pytest.fixture
async def pools(pg_server: str) -> AsyncIterator[tuple[str, list[Database]]]:
    dsn = await _fresh(pg_server, "insights_sched")
    dbs = [Database(dsn, min_size=1, max_size=2) for _ in range(3)]
    for db in dbs:
        await db.open()
    try:
        yield dsn, dbs
    finally:
        for db in dbs:
            await db.close()


async def test_concurrent_checks_run_the_slot_once(pools: tuple[str, list[Database]]) -> None:
    dsn, dbs = pools
    at = datetime.now(UTC)
    slot = schedule_slot(at, HOURS)
    runs = await asyncio.gather(*(run_scheduled_predict(db, at, HOURS, TIMEZONE) for db in dbs))
    outcomes = sorted(r.outcome for r in runs)
    assert outcomes.count("ran") == 1, outcomes
    assert set(outcomes) <= {"ran", "busy", "done"}
    (ran,) = [r for r in runs if r.summary is not None]
    assert ran.slot == slot and sum(ran.summary.written.values()) > 100
    # every check after it, from any process, finds the slot done (one at a time: checks at
    # the same moment would see each other's lock, "busy")
    later = [await run_scheduled_predict(db, at, HOURS, TIMEZONE) for db in dbs]
    assert [r.outcome for r in later] == ["done"] * 3
    state = await _state(dsn, slot)
    assert state["slot_runs"] == 1 and state["all_runs"] == 1
    assert state["rows_written"] == sum(ran.summary.written.values()) == state["predictions"]
    assert state["churn_models"] == 1 and state["risk_models"] == 1


async def test_a_run_on_demand_waits_for_a_scheduled_one(
    pools: tuple[str, list[Database]],
) -> None:
    dsn, dbs = pools
    at = datetime.now(UTC)
    slot = schedule_slot(at, HOURS)
    # at once: the scheduled check and two runs on demand (each trains unless a model of the
    # window is stored; side by side, two would both number theirs the next version)
    scheduled, *manual = await asyncio.gather(
        run_scheduled_predict(dbs[0], at, HOURS, TIMEZONE),
        run_predict(dbs[1], at, TIMEZONE),
        run_predict(dbs[2], at, TIMEZONE),
    )
    assert scheduled.outcome in ("ran", "busy")
    state = await _state(dsn, slot)
    assert state["churn_models"] == 1 and state["risk_models"] == 1
    runs = [m.written for m in manual] + ([scheduled.summary.written] if scheduled.summary else [])
    # exactly one of the three wrote the predictions; the others found them there
    assert sorted(sum(w.values()) for w in runs)[:-1] == [0] * (len(runs) - 1)
    assert sum(sum(w.values()) for w in runs) == state["predictions"] > 100


def test_serve_with_three_workers_runs_it_once(
    pg_server: str, gateway_settings: Settings, tmp_path: Path
) -> None:
    dsn = asyncio.run(_fresh(pg_server, "insights_sched_serve"))
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "SUPABASE_JWT_SECRET": gateway_settings.jwt_secret,
        "INSIGHTS_PREDICT_HOURS": str(HOURS),
        "INSIGHTS_PREDICT_DELAY_SECONDS": "0.5",
        "SUPPORT_DATA_DIR": str(tmp_path),
        "GATEWAY_LOG_FORMAT": "json",
    }
    command = str(Path(sys.executable).parent / "support-gateway")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [command, "serve", "--workers", "3", "--port", str(free_port())],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            slot = schedule_slot(datetime.now(UTC), HOURS)
            deadline = time.monotonic() + 120
            # every worker checks 0.5 s after its own start and logs what it did
            while len(checks := _checks(log)) < 3:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
            time.sleep(1)
            assert proc.poll() is None, log.read_text()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    checks = _checks(log)
    ran = [c for c in checks if c.endswith("}")]  # the run logs what it wrote
    assert len(checks) == 3 and len(ran) == 1, checks
    assert all(c.endswith(("another process is running it", "already run")) for c in checks
               if c not in ran), checks  # fmt: skip
    state = asyncio.run(_state(dsn, slot))
    assert state["slot_runs"] == 1 and state["all_runs"] == 1, log.read_text()
    assert state["rows_written"] == state["predictions"] > 100
    assert state["churn_models"] == 1 and state["risk_models"] == 1
