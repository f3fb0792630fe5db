"""The ticket scope copied onto interactions, SLA rows and surveys (``ticket_team_id``,
``ticket_agent_id``, read by their row level security policies) follows the ticket: an insert
takes the ticket's team and agent, whatever it claims, and reassigning a ticket moves its rows.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from testkit import create_database, tq

from gateway.migrate import migrate
from synthetic import seed_database

END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def dsn(pg_server: str) -> str:
    url: str = await create_database(pg_server, f"scope_sync_{os.getpid()}")
    await migrate(url)
    await seed_database(url, tickets=400, days=7, seed=5, end=END)
    return url


def _scopes(rows: list[asyncpg.Record]) -> dict[str, tuple[object, object, int]]:
    assert len({r["source"] for r in rows}) == len(rows), "one scope per table"
    return {r["source"]: (r["ticket_team_id"], r["ticket_agent_id"], r["n"]) for r in rows}


async def test_reassigning_a_ticket_moves_its_rows(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        pick = await conn.fetchrow(tq("scope_pick"))
        assert pick is not None
        ticket = pick["ticket_id"]
        before = _scopes(await conn.fetch(tq("scope_of_ticket"), ticket))
        assert set(before) == {"interactions", "sla", "surveys"}
        assert {v[:2] for v in before.values()} == {(pick["team_id"], pick["assigned_agent_id"])}

        await conn.execute(tq("scope_reassign"), ticket, pick["other_team"], pick["other_agent"])
        moved = _scopes(await conn.fetch(tq("scope_of_ticket"), ticket))
        assert moved == {
            k: (pick["other_team"], pick["other_agent"], n) for k, (_, _, n) in before.items()
        }

        # unassigning keeps the team and clears the agent
        await conn.execute(tq("scope_reassign"), ticket, pick["other_team"], None)
        cleared = _scopes(await conn.fetch(tq("scope_of_ticket"), ticket))
        assert {v[:2] for v in cleared.values()} == {(pick["other_team"], None)}
    finally:
        await conn.close()


async def test_an_insert_takes_the_ticket_scope(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        pick = await conn.fetchrow(tq("scope_pick"))
        assert pick is not None
        async with conn.transaction():
            ticket = await conn.fetchval(
                tq("scope_insert_ticket"),
                pick["ticket_id"],
                pick["other_team"],
                pick["other_agent"],
                "scope sync",
                datetime.now(UTC) + timedelta(hours=1),
            )
            await conn.fetchval(tq("scope_insert_interaction"), ticket)
            # claims the original ticket's scope: the trigger overrides it
            await conn.fetchval(
                tq("scope_insert_rows"), ticket, pick["team_id"], pick["assigned_agent_id"]
            )
            rows = _scopes(await conn.fetch(tq("scope_of_ticket"), ticket))
            assert rows == {
                "interactions": (pick["other_team"], pick["other_agent"], 1),
                "sla": (pick["other_team"], pick["other_agent"], 1),
                "surveys": (pick["other_team"], pick["other_agent"], 1),
            }
        with pytest.raises(asyncpg.ForeignKeyViolationError, match="does not exist"):
            await conn.execute(tq("scope_insert_orphan"), -1)
    finally:
        await conn.close()


async def test_moving_a_row_or_writing_its_copies_keeps_the_ticket_scope(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        pick = await conn.fetchrow(tq("scope_pick"))
        assert pick is not None
        target = await conn.fetchrow(tq("scope_unsurveyed_ticket"), pick["other_team"])
        assert target is not None
        await conn.execute(tq("scope_move_survey"), pick["ticket_id"], target["id"])
        moved = _scopes(await conn.fetch(tq("scope_of_ticket"), target["id"]))
        assert moved["surveys"][:2] == (target["team_id"], target["assigned_agent_id"])

        # writing the copies directly does not stick: they are the ticket's again
        await conn.execute(
            tq("scope_forge_copies"), pick["ticket_id"], pick["other_team"], pick["other_agent"]
        )
        sla = _scopes(await conn.fetch(tq("scope_of_ticket"), pick["ticket_id"]))["sla"]
        assert sla[:2] == (pick["team_id"], pick["assigned_agent_id"])
    finally:
        await conn.close()
