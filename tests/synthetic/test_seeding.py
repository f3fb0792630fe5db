"""The synthetic data generator against a real (embedded) Postgres, migrated.

One module database is seeded once; the determinism test seeds a second one with the same
parameters and compares content checksums. Statistical checks (seasonality, incidents, churn)
read rows back and compute with pandas, independently of the generator's code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from testkit import create_database, tq

from gateway.migrate import migrate
from synthetic import SeedError, SeedSummary, database_is_empty, seed_database
from synthetic.calendar import BusinessClock, easter, french_holidays

TICKETS = 6_000
DAYS = 42
SEED = 11
END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Seeded:
    dsn: str
    summary: SeedSummary


async def _fresh(pg_server: str, suffix: str) -> str:
    dsn: str = await create_database(pg_server, f"seed_{suffix}_{os.getpid()}")
    await migrate(dsn)
    return dsn


@pytest.fixture(scope="module")
async def seeded(pg_server: str) -> Seeded:
    dsn = await _fresh(pg_server, "main")
    assert await database_is_empty(dsn)
    summary = await seed_database(dsn, tickets=TICKETS, days=DAYS, seed=SEED, end=END)
    return Seeded(dsn, summary)


async def _fetch(dsn: str, name: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(tq("seed_count_function"))
        rows: list[asyncpg.Record] = await conn.fetch(tq(name), *args)
        return rows
    finally:
        await conn.close()


# --- business calendar helper -------------------------------------------------------------------


def _paris_hours(holidays: frozenset[date] = frozenset()) -> BusinessClock:
    return BusinessClock(
        "paris",
        "Europe/Paris",
        (1, 2, 3, 4, 5),
        time(9),
        time(18),
        holidays,
        date(2026, 1, 1),
        date(2027, 12, 31),
    )


def _at(y: int, m: int, d: int, hh: int, mm: int = 0) -> int:
    return int(datetime(y, m, d, hh, mm, tzinfo=PARIS).timestamp())


def _add(cal: BusinessClock, ts: int, minutes: int) -> datetime:
    due = int(cal.add(np.array([ts]), np.array([minutes * 60]))[0])
    return datetime.fromtimestamp(due, PARIS)


def test_business_minutes_roll_over_nights_weekends_and_holidays() -> None:
    cal = _paris_hours(frozenset({date(2026, 12, 25)}))
    # Friday 17:30 + 60 min → Monday 09:30
    assert _add(cal, _at(2026, 11, 20, 17, 30), 60) == datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)
    # before opening: starts counting at 09:00
    assert _add(cal, _at(2026, 11, 24, 7, 0), 30) == datetime(2026, 11, 24, 9, 30, tzinfo=PARIS)
    # Thursday 24 Dec 17:00 + 120 min, Friday 25 Dec closed → Monday 28 Dec 10:00
    assert _add(cal, _at(2026, 12, 24, 17, 0), 120) == datetime(2026, 12, 28, 10, 0, tzinfo=PARIS)
    # a target ending exactly at closing time is due at closing time, not the next morning
    assert _add(cal, _at(2026, 11, 24, 17, 0), 60) == datetime(2026, 11, 24, 18, 0, tzinfo=PARIS)
    # across the end of summer time (25 Oct 2026): local hours are kept
    assert _add(cal, _at(2026, 10, 23, 17, 0), 120) == datetime(2026, 10, 26, 10, 0, tzinfo=PARIS)


def test_business_time_add_and_between_are_inverse() -> None:
    cal = _paris_hours()
    rng = np.random.default_rng(3)
    start = rng.integers(_at(2026, 2, 1, 0), _at(2026, 11, 1, 0), 500)
    seconds = rng.integers(1, 20 * 9 * 3600, 500)
    assert (cal.between(start, cal.add(start, seconds)) == seconds).all()


def test_french_holidays() -> None:
    assert easter(2026) == date(2026, 4, 5)
    names = dict(french_holidays(2026))
    assert names[date(2026, 4, 6)] == "Lundi de Pâques"
    assert names[date(2026, 5, 14)] == "Ascension"
    assert len(names) == 11


# --- the seeded database ------------------------------------------------------------------------


async def test_summary_and_refuses_a_database_with_tickets(seeded: Seeded) -> None:
    assert seeded.summary.counts["public.support_tickets"] == TICKETS
    assert seeded.summary.counts["public.support_interactions"] > 3 * TICKETS
    assert not await database_is_empty(seeded.dsn)
    with pytest.raises(SeedError, match="already has support tickets"):
        await seed_database(seeded.dsn, tickets=10, days=2, seed=1, end=END)


async def test_same_parameters_give_identical_rows(seeded: Seeded, pg_server: str) -> None:
    again = await _fresh(pg_server, "again")
    await seed_database(again, tickets=TICKETS, days=DAYS, seed=SEED, end=END)
    first = dict((await _fetch(seeded.dsn, "seed_checksums"))[0])
    second = dict((await _fetch(again, "seed_checksums"))[0])
    assert first == second
    assert all(first.values())


async def test_every_foreign_key_and_check_holds(seeded: Seeded) -> None:
    orphans = await _fetch(seeded.dsn, "seed_orphans")
    assert len(orphans) > 30
    assert [dict(r) for r in orphans if r["orphans"]] == []
    checks = await _fetch(seeded.dsn, "seed_check_violations")
    assert len(checks) > 50
    assert [dict(r) for r in checks if r["violations"]] == []


async def test_counters_match_interactions(seeded: Seeded) -> None:
    row = (await _fetch(seeded.dsn, "seed_counter_mismatches"))[0]
    assert dict(row) == {
        "reply_count": 0,
        "message_count": 0,
        "first_response": 0,
        "first_message": 0,
        "reopen_order": 0,
    }


async def test_sla_rows_agree_with_tickets_and_end(seeded: Seeded) -> None:
    row = (await _fetch(seeded.dsn, "seed_sla_mismatches", END))[0]
    assert dict(row) == {"status": 0, "due": 0, "rows": 0}


async def test_denormalised_ticket_scope_matches_tickets(seeded: Seeded) -> None:
    # the load runs with triggers off: the generator itself must copy each ticket's team and
    # agent onto its interactions, sla rows and survey (row level security reads them)
    row = dict((await _fetch(seeded.dsn, "seed_scope_mismatches"))[0])
    assert row["with_agent"] > 0 and row["without_agent"] > 0
    assert {k: row[k] for k in ("interactions", "sla", "surveys")} == {
        "interactions": 0,
        "sla": 0,
        "surveys": 0,
    }


async def test_roles_and_teams(seeded: Seeded) -> None:
    roles = {r["app_role"]: dict(r) for r in await _fetch(seeded.dsn, "seed_roles")}
    assert roles["team_lead"] == {"app_role": "team_lead", "users": 5, "teams": 5, "agent_rows": 5}
    assert roles["agent"]["agent_rows"] == roles["agent"]["users"] >= 15
    for role, count in (("manager", 2), ("executive", 2), ("analyst", 2), ("admin", 1)):
        assert roles[role]["users"] == count and roles[role]["agent_rows"] == 0


async def _arrivals(dsn: str) -> pd.Series:
    rows = await _fetch(dsn, "seed_arrivals")
    created = pd.to_datetime([r["created_at"] for r in rows], utc=True)
    return pd.Series(1, index=created.tz_convert("Europe/Paris"))


async def test_weekly_seasonality(seeded: Seeded) -> None:
    arrivals = await _arrivals(seeded.dsn)
    daily = arrivals.resample("D").sum().iloc[1:-1]  # complete local days only
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    assert by_weekday[0] > 1.5 * by_weekday[6]  # Monday vs Sunday


async def test_volume_spike_is_visible_in_arrivals(seeded: Seeded) -> None:
    incidents = {r["kind"]: r for r in await _fetch(seeded.dsn, "seed_incidents")}
    spike = incidents["volume_spike"]
    arrivals = await _arrivals(seeded.dsn)
    start = spike["starts_at"].astimezone(PARIS)
    inside = arrivals[start : spike["ends_at"].astimezone(PARIS) - timedelta(seconds=1)].sum()
    others = []
    for weeks in (-3, -2, -1, 1, 2):
        s = start + timedelta(weeks=weeks)
        others.append(arrivals[s : s + (spike["ends_at"] - spike["starts_at"])].sum())
    assert inside > 2.0 * np.mean(others)


async def test_csat_drops_in_the_satisfaction_window(seeded: Seeded) -> None:
    incidents = {r["kind"]: r for r in await _fetch(seeded.dsn, "seed_incidents")}
    drop = incidents["satisfaction_drop"]
    team = json.loads(drop["scope"])["team_id"]
    rows = await _fetch(seeded.dsn, "seed_survey_scores")
    frame = pd.DataFrame([dict(r) for r in rows])
    frame = frame[frame["team_id"].astype(str) == team]
    inside = frame["responded_at"].between(drop["starts_at"], drop["ends_at"], inclusive="left")
    assert inside.sum() > 20
    gap = frame.loc[~inside, "csat_rating"].mean() - frame.loc[inside, "csat_rating"].mean()
    assert gap > 0.5


async def test_vip_churn_is_higher_after_a_breach(seeded: Seeded) -> None:
    frame = pd.DataFrame([dict(r) for r in await _fetch(seeded.dsn, "seed_vip_churn")])
    rate = frame.groupby("breached")["churned"].mean()
    assert frame["breached"].sum() > 20 and (~frame["breached"]).sum() > 20
    assert rate[True] > rate[False]


async def test_backlog_at_end(seeded: Seeded) -> None:
    backlog = {r["status"]: dict(r) for r in await _fetch(seeded.dsn, "seed_backlog")}
    assert set(backlog) <= {"new", "open", "pending", "on_hold"}
    assert sum(b["n"] for b in backlog.values()) > TICKETS / DAYS / 2
    assert backlog["new"]["unassigned"] == backlog["new"]["n"] > 0
