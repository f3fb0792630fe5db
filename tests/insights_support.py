"""Test support for the insights tests: one larger seeded database (the demo's seed and
180-day period at 200,000 tickets, so that churn labels 90 days out and held-out figures have
enough clients), with the day's models trained and predictions stored once by ``predict``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from testkit import create_database

from gateway.db import Database
from gateway.insights_jobs import TRAINER, run_predict
from gateway.migrate import migrate
from resolvers.insights_predict import PredictSummary
from resolvers.port import Session
from synthetic import seed_database

INSIGHTS_TICKETS = 200_000
INSIGHTS_DAYS = 180
INSIGHTS_SEED = 42
INSIGHTS_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class InsightsDb:
    dsn: str
    first: PredictSummary
    second: PredictSummary


async def build_insights_database(pg_server: str) -> InsightsDb:
    dsn = await create_database(pg_server, f"support_insights_{os.getpid()}")
    await migrate(dsn)
    await seed_database(
        dsn, tickets=INSIGHTS_TICKETS, days=INSIGHTS_DAYS, seed=INSIGHTS_SEED, end=INSIGHTS_END
    )
    db = Database(dsn, min_size=1, max_size=2)
    await db.open()
    try:
        first = await run_predict(db, INSIGHTS_END, TIMEZONE)
        second = await run_predict(db, INSIGHTS_END, TIMEZONE)
    finally:
        await db.close()
    return InsightsDb(dsn, first, second)


async def owner_rows(dsn: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """``query``'s rows read as the database owner (no row level security)."""
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


@asynccontextmanager
async def trainer_session(dsn: str) -> AsyncIterator[Session]:
    """A session with the trainer's rights (an analyst: every row, no personal data)."""
    db = Database(dsn, min_size=1, max_size=2)
    await db.open()
    s = db.session(TRAINER, statement_timeout_ms=600_000)
    try:
        yield s
    finally:
        await s.close()
        await db.close()
