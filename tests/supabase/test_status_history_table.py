"""The status history table in the migrated, seeded test database: the trigger on
support_tickets records a new ticket and every status change, reassigning a ticket moves its
rows, and row level security shows an agent only their own tickets' rows. Writes happen in
transactions that are rolled back."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
from testkit import tq


def test_the_trigger_records_new_tickets_and_status_changes(seeded_dsn: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            t = await conn.fetchrow(tq("stats_test_open_ticket"))
            assert t is not None
            tx = conn.transaction()
            await tx.start()
            try:
                before = await conn.fetch(tq("stats_test_history_of"), t["id"])
                await conn.execute(tq("stats_test_set_status"), t["id"], "pending")
                await conn.execute(tq("stats_test_set_status"), t["id"], "pending")  # no change
                after = await conn.fetch(tq("stats_test_history_of"), t["id"])
                assert len(after) == len(before) + 1
                row = after[-1]
                assert (row["from_status"], row["to_status"]) == ("open", "pending")
                assert row["changed_at"] == row["now"]
                assert (row["ticket_team_id"], row["ticket_agent_id"]) == (
                    t["team_id"], t["assigned_agent_id"],
                )  # fmt: skip
                await conn.execute(
                    tq("stats_test_reassign"), t["id"], t["other_team"], t["other_agent"]
                )
                moved = await conn.fetch(tq("stats_test_history_of"), t["id"])
                assert {(r["ticket_team_id"], r["ticket_agent_id"]) for r in moved} == {
                    (t["other_team"], t["other_agent"])
                }
                new_id = await conn.fetchval(tq("stats_test_ticket_copy"), t["id"])
                (first,) = await conn.fetch(tq("stats_test_history_of"), new_id)
                assert (first["from_status"], first["to_status"]) == (None, "new")
                assert first["changed_at"] == first["now"]
            finally:
                await tx.rollback()
        finally:
            await conn.close()

    asyncio.run(run())


def test_an_agent_reads_only_their_tickets_rows(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    user = users_by_role["agent"][0]

    async def run() -> None:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            agent = await conn.fetchval(tq("owner_viewer_identity"), user)
            everything = await conn.fetchrow(tq("stats_test_history_counts"), agent)
            assert everything is not None and 0 < everything["of_agent"] < everything["visible"]
            claims = {"sub": str(user), "role": "authenticated", "app_role": "agent"}
            async with conn.transaction():
                await conn.execute(tq("privacy_as_role"), "authenticated", json.dumps(claims))
                mine = await conn.fetchrow(tq("stats_test_history_counts"), agent)
            assert mine is not None
            assert mine["visible"] == mine["of_agent"] == everything["of_agent"]
        finally:
            await conn.close()

    asyncio.run(run())
