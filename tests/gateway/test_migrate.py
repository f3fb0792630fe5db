"""Migrations: applied once, re-run as a no-op, every table with RLS and a comment, the Supabase
shim's auth helpers, the access-token hook, and Postgres 15 compatibility."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest
from testkit import create_database, server_dir, tq

from gateway.embedded import EmbeddedPostgres
from gateway.migrate import discover, migrate


@pytest.fixture
async def fresh_dsn(pg_server: str) -> str:
    return await create_database(pg_server, f"migrate_{uuid.uuid4().hex[:12]}")


async def test_migrations_apply_once_then_noop(fresh_dsn: str) -> None:
    first = await migrate(fresh_dsn)
    assert first.applied == tuple(m.version for m in discover())
    second = await migrate(fresh_dsn)
    assert second.applied == ()
    assert second.skipped == first.applied
    conn = await asyncpg.connect(fresh_dsn)
    try:
        assert await conn.fetchval(tq("count_migrations")) == len(first.applied)
    finally:
        await conn.close()


async def test_every_table_has_rls_and_a_comment(fresh_dsn: str) -> None:
    await migrate(fresh_dsn)
    conn = await asyncpg.connect(fresh_dsn)
    try:
        rows = await conn.fetch(tq("rls_tables"))
    finally:
        await conn.close()
    assert len(rows) >= 20
    assert [r["table_name"] for r in rows if not r["rls_enabled"]] == []
    assert [r["table_name"] for r in rows if not r["comment"]] == []


async def test_every_foreign_key_is_indexed(fresh_dsn: str) -> None:
    await migrate(fresh_dsn)
    conn = await asyncpg.connect(fresh_dsn)
    try:
        missing = [tuple(r) for r in await conn.fetch(tq("unindexed_foreign_keys"))]
    finally:
        await conn.close()
    assert missing == []


async def test_shim_auth_helpers_read_request_claims(fresh_dsn: str) -> None:
    await migrate(fresh_dsn)
    user = uuid.uuid4()
    claims = {"sub": str(user), "role": "authenticated", "app_role": "analyst"}
    conn = await asyncpg.connect(fresh_dsn)
    try:
        async with conn.transaction():
            await conn.execute(tq("set_claims"), json.dumps(claims))
            row = await conn.fetchrow(tq("auth_functions_as"))
        assert (row["uid"], row["role"], row["app_role"]) == (user, "authenticated", "analyst")
    finally:
        await conn.close()


async def test_access_token_hook_adds_app_role(fresh_dsn: str) -> None:
    await migrate(fresh_dsn)
    user = uuid.uuid4()
    conn = await asyncpg.connect(fresh_dsn)
    try:
        await conn.execute(tq("insert_user_role"), user, "hook@example.test", "analyst")
        event = {"user_id": str(user), "claims": {"sub": str(user), "role": "authenticated"}}
        with pytest.raises(asyncpg.CheckViolationError):
            # a team lead needs a team: the constraint refuses it, and nothing is written
            await conn.execute(tq("insert_user_role"), uuid.uuid4(), "x@example.test", "team_lead")
        out = json.loads(await conn.fetchval(tq("access_token_hook"), json.dumps(event)))
        stranger = {"user_id": str(uuid.uuid4()), "claims": {"role": "authenticated"}}
        none = json.loads(await conn.fetchval(tq("access_token_hook"), json.dumps(stranger)))
    finally:
        await conn.close()
    assert out["claims"]["app_role"] == "analyst"
    assert out["claims"]["sub"] == str(user)
    assert none["claims"]["app_role"] is None


PG15 = Path("/usr/lib/postgresql/15/bin")


@pytest.mark.skipif(not (PG15 / "postgres").exists(), reason="Debian's PostgreSQL 15 not present")
async def test_migrations_run_unchanged_on_postgres_15(request: pytest.FixtureRequest) -> None:
    folder = server_dir("pg15")
    pg = EmbeddedPostgres(folder, bin_dir=PG15, throwaway=True)
    request.addfinalizer(lambda: (pg.destroy(), shutil.rmtree(folder, ignore_errors=True)))
    url = pg.start()
    assert "15." in pg.server_version()
    result = await migrate(url)
    assert len(result.applied) == len(discover())
