"""Test support for the operational insights tests: request contexts with a manager's and an
analyst's rights on the insights database, and owner reads as data frames."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pandas as pd  # type: ignore[import-untyped]
import pytest
from insights_support import InsightsDb

import sql
from gateway.auth import Principal
from gateway.db import Database
from gateway.insights_jobs import TRAINER
from resolvers.context import Caller, RequestContext


async def owner_frame(dsn: str, query: str, *args: object) -> pd.DataFrame:
    conn = await asyncpg.connect(dsn)
    try:
        return pd.DataFrame([dict(r) for r in await conn.fetch(query, *args)])
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def sessions(insights_db: InsightsDb) -> AsyncIterator[dict[str, RequestContext]]:
    db = Database(insights_db.dsn, min_size=1, max_size=3)
    await db.open()
    conn = await asyncpg.connect(insights_db.dsn)
    try:
        manager = (await conn.fetchrow(sql.load("first_user_of_role"), "manager"))["id"]
    finally:
        await conn.close()
    claims = {"role": "authenticated", "sub": str(manager), "app_role": "manager"}
    principal = Principal(uuid.UUID(str(manager)), "authenticated", "manager", claims, None)
    found = {
        "manager": db.session(principal, statement_timeout_ms=300_000),
        "analyst": db.session(TRAINER, statement_timeout_ms=300_000),
    }
    try:
        yield {
            "manager": RequestContext(Caller(principal.user_id, "authenticated", "manager"),
                                      found["manager"]),
            "analyst": RequestContext(Caller(TRAINER.user_id, "authenticated", "analyst"),
                                      found["analyst"]),
        }  # fmt: skip
    finally:
        for s in found.values():
            await s.close()
        await db.close()
