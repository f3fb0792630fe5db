"""Plumbing shared by the resolver tests: hand-built databases over the reference rows of
``tests/queries/time_reference.sql``, gateway sessions as a user of a role, who the seeded users
are (their agent and team, read as the owner), and the KPI comparisons (tolerance, labels)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import AsyncIterator, Iterable

import asyncpg
from kpi_reference import Raw, Viewer
from testkit import create_database, tq

from gateway.auth import Principal
from gateway.db import Database, RequestSession
from gateway.migrate import migrate

#: Relative (and, near zero, absolute) tolerance of every non-count figure.
REL = 1e-9


def close(got: float | None, want: float | None) -> bool:
    """``got`` equals ``want`` within :data:`REL` (both None counts as equal)."""
    if want is None:
        return got is None
    return got is not None and math.isclose(got, want, rel_tol=REL, abs_tol=REL)


async def reference_database(pg_server: str, prefix: str, query: str, *args: object) -> str:
    """A new migrated database holding the hand-built reference rows (a team with two agents,
    a manager, a customer, calendars and SLA policies: time_reference.sql) and the rows test
    query ``query`` inserts with ``args``; its URL."""
    url = await create_database(pg_server, f"{prefix}_{uuid.uuid4().hex[:12]}")
    await migrate(url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(tq("time_reference"))
        await conn.execute(tq(query), *args)
    finally:
        await conn.close()
    return url


@contextlib.asynccontextmanager
async def open_database(dsn: str, size: int = 4) -> AsyncIterator[Database]:
    """The gateway's pool over ``dsn``, closed on exit."""
    database = Database(dsn, min_size=1, max_size=size)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def principal(user: uuid.UUID, app_role: str) -> Principal:
    """A signed-in user of ``app_role``, as the gateway's auth makes it from a token."""
    claims = {"sub": str(user), "role": "authenticated", "app_role": app_role}
    return Principal(
        user_id=user, role="authenticated", app_role=app_role, claims=claims, token=None
    )


@contextlib.asynccontextmanager
async def session_as(
    dsn: str, users: dict[str, list[uuid.UUID]], role: str
) -> AsyncIterator[RequestSession]:
    """A gateway session (its own one-connection pool) as the first seeded user of ``role``."""
    async with open_database(dsn, size=1) as db:
        session = db.session(principal(users[role][0], role))
        try:
            yield session
        finally:
            await session.close()


def read_viewers(
    dsn: str, users: dict[str, list[uuid.UUID]], roles: Iterable[str]
) -> dict[str, Viewer]:
    """The first seeded user of each role as a :class:`Viewer` (agent and team as the owner)."""

    async def read() -> dict[str, Viewer]:
        conn = await asyncpg.connect(dsn)
        try:
            out = {}
            for role in roles:
                row = await conn.fetchrow(tq("owner_viewer_identity"), users[role][0])
                assert row is not None
                out[role] = Viewer(
                    role,
                    str(row["agent_id"]) if row["agent_id"] else None,
                    str(row["team_id"]) if row["team_id"] else None,
                )
            return out
        finally:
            await conn.close()

    return asyncio.run(read())


def expected_label(raw: Raw, group: str, key: str) -> str:
    """The label the API gives group ``key`` of ``group`` (names from the owner's tables)."""
    if key == "none":
        return {"team": "no team", "agent": "unassigned"}[group]
    if group in ("team", "agent", "category", "policy"):
        return raw.labels[(group, key)]
    return key
