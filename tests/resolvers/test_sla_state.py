"""Live SLA state on hand-built tickets at a fixed "now": due times through the Paris calendar
(weekend, Armistice, closing time), pending / achieved / breached-now, business minutes
remaining and elapsed; checked by hand, against the minute walk, under RLS, and as a DataLoader.

Calendar 1: Paris Mon-Fri 09:00-18:00, closed Wed 2026-11-11; Paris is UTC+1 in November.
Policy 1: 120 / 1080 business minutes on calendar 1; policy 2: 30 / 240 calendar minutes.
The tickets are described in tests/queries/time_sla_tickets.sql.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import astuple
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg
import pytest
from aiodataloader import DataLoader
from business_time_reference import BusinessHours, business_minutes_walk
from resolver_support import open_database, principal, reference_database
from testkit import tq

from gateway.db import Database
from resolvers.errors import UserInputError
from resolvers.sla_state import SlaTargetState, sla_state_batch, sla_states

#: Thursday 2026-11-12 10:00 in Paris.
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
TICKETS = [101, 102, 103, 104, 105, 106, 107, 108]
MANAGER = uuid.UUID("00000000-0000-0000-0000-0000000000c1")
USER_A = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
PARIS_HOURS = BusinessHours(
    "Europe/Paris",
    frozenset({1, 2, 3, 4, 5}),
    time(9),
    time(18),
    frozenset({date(2026, 11, 11), date(2026, 5, 1)}),
)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (ticket, target) → (due_at, achieved_at, state, remaining, elapsed), worked out by hand:
EXPECTED: dict[tuple[int, str], tuple[datetime, datetime | None, str, float | None, float]] = {
    # Fri 17:30 → 30 min Friday + 90 Monday: due Mon 10:30; replied Mon 09:15 (30 + 15 elapsed)
    (101, "first_response"): (z("2026-11-09T09:30"), z("2026-11-09T08:15"), "achieved", None, 45),
    # 1080 = 30 (Fri) + 540 (Mon) + 510 (Tue): due Tue 17:30; solved on the holiday: late.
    (101, "resolution"): (z("2026-11-10T16:30"), z("2026-11-11T11:00"), "breached", None, 1110),
    # Tue 17:00 → 60 Tuesday, holiday, 60 Thursday: due Thu 10:00 = now: still pending, 0 left
    (102, "first_response"): (z("2026-11-12T09:00"), None, "pending", 0, 120),
    # 60 + 540 (Thu) + 480 (Fri): due Fri 17:00; left: 480 Thu + 480 Fri
    (102, "resolution"): (z("2026-11-13T16:00"), None, "pending", 960, 120),
    # Mon 16:00 + 120 runs out at closing: due Mon 18:00; overdue by Tue 540 + Thu 60
    (103, "first_response"): (z("2026-11-09T17:00"), None, "breached", -600, 720),
    # 120 + 540 (Tue) + 420 (Thu): due Thu 16:00; 360 left
    (103, "resolution"): (z("2026-11-12T15:00"), None, "pending", 360, 720),
    # calendar time
    (104, "first_response"): (z("2026-11-12T08:30"), z("2026-11-12T08:20"), "achieved", None, 20),
    (104, "resolution"): (z("2026-11-12T12:00"), None, "pending", 180, 60),
    # the reply at 10:00Z has not happened yet at 09:00Z: breached now, 12.5 h overdue
    (105, "first_response"): (z("2026-11-11T20:30"), None, "breached", -750, 780),
    (105, "resolution"): (z("2026-11-12T00:00"), None, "breached", -540, 780),
    # its first response row says 240 minutes (the target when the ticket was opened)
    (106, "first_response"): (z("2026-11-09T12:00"), z("2026-11-09T11:00"), "achieved", None, 180),
    # Mon 09:00 + 1080 = Mon 540 + Tue 540: due Tue 18:00; overdue by Thursday's first hour
    (106, "resolution"): (z("2026-11-10T17:00"), None, "breached", -60, 1140),
    (108, "first_response"): (z("2026-11-09T10:00"), z("2026-11-09T08:30"), "achieved", None, 30),
    # solved on Tuesday, then reopened: the resolution target is open again and overdue
    (108, "resolution"): (z("2026-11-10T17:00"), None, "breached", -60, 1140),
}


@pytest.fixture(scope="module")
async def dsn(pg_server: str) -> str:
    return await reference_database(pg_server, "time_sla", "time_sla_tickets")


@pytest.fixture(scope="module")
async def db(dsn: str) -> AsyncIterator[Database]:
    async with open_database(dsn) as database:
        yield database


async def states(
    db: Database,
    ids: Sequence[int],
    now: datetime | None,
    *,
    user: uuid.UUID = MANAGER,
    role: str = "manager",
) -> list[list[SlaTargetState]]:
    session = db.session(principal(user, role))
    try:
        return await sla_states(session, ids, now)
    finally:
        await session.close()


async def test_sla_state_by_hand(db: Database) -> None:
    result = await states(db, TICKETS, NOW)
    assert len(result) == len(TICKETS)
    got = {
        (t.ticket_id, t.target_type): (
            t.due_at,
            t.achieved_at,
            t.state,
            t.business_minutes_remaining,
            t.business_minutes_elapsed,
        )
        for targets in result
        for t in targets
    }
    assert got == EXPECTED
    for ticket, targets in zip(TICKETS, result, strict=True):
        assert all(t.ticket_id == ticket for t in targets)
        assert [t.target_type for t in targets] == (
            [] if ticket == 107 else ["first_response", "resolution"]
        )
        for t in targets:
            assert t.breached == (t.state == "breached")
            assert t.business_time == (t.policy_id == 1)
            assert (
                t.target_minutes
                == {
                    (1, "first_response"): 240 if ticket == 106 else 120,
                    (1, "resolution"): 1080,
                    (2, "first_response"): 30,
                    (2, "resolution"): 240,
                }[(t.policy_id, t.target_type)]
            )


async def test_business_minutes_agree_with_the_minute_walk(db: Database) -> None:
    targets = [t for ts in await states(db, TICKETS, NOW) for t in ts]
    created = {
        101: z("2026-11-06T16:30"), 102: z("2026-11-10T16:00"), 103: z("2026-11-09T15:00"),
        104: z("2026-11-12T08:00"), 105: z("2026-11-11T20:00"), 106: z("2026-11-09T08:00"),
        108: z("2026-11-09T08:00"),
    }  # fmt: skip
    for t in targets:
        hours = PARIS_HOURS if t.business_time else None
        assert t.due_at is not None
        stop = t.achieved_at or NOW
        assert t.business_minutes_elapsed == business_minutes_walk(
            hours, created[t.ticket_id], stop
        )
        assert business_minutes_walk(hours, created[t.ticket_id], t.due_at) == t.target_minutes
        if t.business_minutes_remaining is not None:
            if t.due_at >= NOW:
                assert t.business_minutes_remaining == business_minutes_walk(hours, NOW, t.due_at)
            else:
                assert t.business_minutes_remaining == -business_minutes_walk(hours, t.due_at, NOW)


async def test_an_earlier_now_reads_the_past(db: Database) -> None:
    """Monday 10:00: 101 answered, its resolution pending; 103 not yet created (read as new)."""
    monday = z("2026-11-09T09:00")
    first, third = await states(db, [101, 103], monday)
    assert [astuple(t)[4:] for t in first] == [
        (120, z("2026-11-09T09:30"), z("2026-11-09T08:15"), "achieved", None, 45),
        # 480 left on Monday (10:00-18:00) and 510 on Tuesday; 30 + 60 elapsed
        (1080, z("2026-11-10T16:30"), None, "pending", 990, 90),
    ]
    assert [(t.state, t.business_minutes_remaining, t.business_minutes_elapsed) for t in third] == [
        ("pending", 120, 0),
        ("pending", 1080, 0),
    ]


async def test_default_now_is_the_transactions_now(db: Database) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        implicit = await sla_states(session, TICKETS)
        now = await session.fetchval(tq("time_now"))
        explicit = await sla_states(session, TICKETS, now)
    finally:
        await session.close()
    assert implicit == explicit
    # today (after 2026-11-12) the late reply to 105 has happened: achieved, but late
    [fr_105, _] = implicit[TICKETS.index(105)]
    assert (fr_105.state, fr_105.achieved_at, fr_105.business_minutes_remaining) == (
        "breached",
        z("2026-11-12T10:00"),
        None,
    )
    assert fr_105.business_minutes_elapsed == 14 * 60


async def test_rls_an_agent_sees_only_their_tickets(db: Database) -> None:
    result = await states(db, TICKETS, NOW, user=USER_A, role="agent")
    # agent a has 101-104; 105-108 belong to agent b
    assert [len(targets) for targets in result] == [2, 2, 2, 2, 0, 0, 0, 0]
    assert {(t.ticket_id, t.target_type): t.state for ts in result for t in ts} == {
        k: v[2] for k, v in EXPECTED.items() if k[0] <= 104
    }


async def test_unknown_and_empty_batches(db: Database) -> None:
    assert await states(db, [], NOW) == []
    assert await states(db, [999_999, 107], NOW) == [[], []]


async def test_naive_now_is_refused(db: Database) -> None:
    with pytest.raises(UserInputError, match="'now' needs a timezone"):
        await states(db, TICKETS, datetime(2026, 11, 12, 9))


async def test_dataloader_batches_into_one_statement(db: Database) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        loader: DataLoader[Any, Any] = DataLoader(batch_load_fn=sla_state_batch(session, NOW))
        results = await loader.load_many(TICKETS)
        # begin + setup, then one statement for all eight tickets
        assert session.statements == 3
    finally:
        await session.close()
    assert [[t.state for t in ts] for ts in results] == [
        [EXPECTED[(k, target)][2] for target in ("first_response", "resolution")]
        if k != 107
        else []
        for k in TICKETS
    ]


async def test_due_times_match_the_seed_generators_calendar(seeded_dsn: str) -> None:
    """An independent implementation: the seed generator computes every compliance row's due_at
    with its own (numpy) calendar walk; the SQL function must land on the same instants."""
    conn = await asyncpg.connect(seeded_dsn)
    try:
        row = await conn.fetchrow(tq("time_seed_due_check"))
    finally:
        await conn.close()
    assert row is not None and row["targets"] > 1000
    assert row["business_time_targets"] > 1000
    assert (row["same_due"], row["same_minutes"]) == (row["targets"], row["targets"])
