"""Skill gaps, automation and capacity on the insights database against pandas over the raw
rows (read as the database owner), under a manager's and an analyst's rights."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from insights_support import INSIGHTS_END, InsightsDb
from scipy import stats
from testkit import tq

import sql
from analytics.erlang import required_agents
from gateway.auth import Principal
from gateway.db import Database
from gateway.insights_jobs import TRAINER
from resolvers.context import Caller, RequestContext
from resolvers.insights_ops import automation_report, capacity, skill_gap_report

START = INSIGHTS_END - timedelta(days=30)


async def _owner(dsn: str, query: str, *args: object) -> pd.DataFrame:
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


async def test_capacity_against_raw_queue_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    r = await capacity(sessions["manager"], "phone", START, INSIGHTS_END)
    raw = await _owner(insights_db.dsn, tq("insights_phone_queue_rows"), START, INSIGHTS_END)
    raw["hour"] = raw["bucket_start"].dt.floor("h")
    raw["aht_w"] = raw["aht_seconds"].astype(float) * raw["answered"]
    raw["answered_aht"] = raw["answered"].where(raw["aht_seconds"].notna(), 0)
    hours = raw.groupby("hour").agg(
        offered=("offered", "sum"),
        aht_w=("aht_w", "sum"),
        answered=("answered_aht", "sum"),
        staffed=("agents_staffed", "mean"),
        threshold=("threshold_seconds", "max"),
    )
    by_start = {i.start: i for i in r.intervals}
    assert len(by_start) == 30 * 24
    checked = 0
    for hour, h in hours.iterrows():
        i = by_start[hour.to_pydatetime()]
        assert i.offered == h["offered"] and i.staffed == pytest.approx(h["staffed"])
        aht = h["aht_w"] / h["answered"] if h["answered"] > 0 else 0.0
        if h["offered"] > 0 and aht > 0:
            need = required_agents(h["offered"], 3600.0, aht, 0.8, float(h["threshold"]))
            assert i.required == need.agents
            checked += 1
    assert checked > 300
    short = sum(max(-(i.staffed - i.required), 0) for i in r.intervals)
    assert r.agent_hours_short == pytest.approx(short)
    assert r.cost_per_agent_hour is not None and r.occupancy is not None


async def test_skill_gaps_against_raw_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    team = (await _owner(insights_db.dsn, tq("insights_first_team")))["id"][0]
    r = await skill_gap_report(sessions["manager"], team, START, INSIGHTS_END)
    raw = await _owner(insights_db.dsn, tq("insights_team_skill_rows"), team, START, INSIGHTS_END)
    assert r.skills
    checked = 0
    for s in r.skills:
        kind, _, name = s.skill.partition(":")
        if kind != "category":
            continue
        csat = next((c for c in s.comparisons if c.metric == "csat"), None)
        if csat is None:
            continue
        part = raw[(raw["root"] == name) & raw["csat"].notna()]
        mine = part[part["agent"] == s.agent_id]["csat"]
        rest = part[part["agent"] != s.agent_id]["csat"]
        assert csat.agent_value == pytest.approx(mine.mean())
        assert csat.team_value == pytest.approx(rest.mean())
        assert csat.p_value == pytest.approx(stats.ttest_ind(mine, rest, equal_var=False).pvalue)
        checked += 1
    assert checked >= 5
    for s in r.skills:
        assert (s.recommended_training is not None) == any(c.gap for c in s.comparisons)


async def test_automation_against_raw_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    manager = await automation_report(sessions["manager"], START, INSIGHTS_END)
    analyst = await automation_report(sessions["analyst"], START, INSIGHTS_END)
    raw = await _owner(insights_db.dsn, tq("insights_category_counts"), START, INSIGHTS_END)
    counts = dict(zip(raw["path"], raw["n"], strict=True))
    assert {o.category: o.tickets for o in manager.opportunities} == counts
    bots = await _owner(insights_db.dsn, tq("insights_chatbot_containment"), START, INSIGHTS_END)
    assert manager.containment_rate == pytest.approx(bots["rate"][0])
    # the manager reads message text (clusters), the analyst counts only
    assert all(o.repetitive_share is not None for o in manager.opportunities)
    assert any(o.top_clusters for o in manager.opportunities)
    assert all(o.repetitive_share is None and not o.top_clusters for o in analyst.opportunities)
    hours = [o.hours_saved for o in manager.opportunities]
    assert hours == sorted(hours, reverse=True) and np.isfinite(hours).all()
