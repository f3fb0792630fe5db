"""Shared pieces of the statistics API tests: the 28 local Paris days before the fixture's end,
owner reads of the raw rows (no row level security) and the seeded agent of a user."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pandas as pd
from testkit import SEED_END, tq

GQL = Callable[..., dict[str, Any]]
PARIS = ZoneInfo("Europe/Paris")
END_LOCAL = SEED_END.astimezone(PARIS).replace(hour=0, minute=0, second=0, microsecond=0)
TO = END_LOCAL
FROM = (END_LOCAL.replace(tzinfo=None) - timedelta(days=28)).replace(tzinfo=PARIS)
WINDOW = {"from": FROM.isoformat(), "to": TO.isoformat()}


def owner_rows(dsn: str, query: str, *args: Any) -> pd.DataFrame:
    """A test query (tests/queries) as the database owner, as a DataFrame."""

    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query), *args))
        finally:
            await conn.close()

    return pd.DataFrame([dict(r) for r in asyncio.run(run())])


def ok(out: dict[str, Any]) -> dict[str, Any]:
    """The data of a GraphQL answer that must have no errors."""
    assert "errors" not in out, out
    data: dict[str, Any] = out["data"]
    return data


def agent_of(dsn: str, user: uuid.UUID) -> tuple[str, str]:
    """(agent id, team id) of a seeded user."""
    row = owner_rows(dsn, "owner_viewer_identity", user).iloc[0]
    return str(row["agent_id"]), str(row["team_id"])
