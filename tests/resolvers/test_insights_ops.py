"""Skill gaps, automation and capacity on the insights database against pandas over the raw
rows (read as the database owner), under a manager's and an analyst's rights."""

from __future__ import annotations

from datetime import timedelta

import insights_ops_support as ops
import numpy as np
import pytest
from insights_ops_support import owner_frame
from insights_support import INSIGHTS_END, InsightsDb
from testkit import tq

from analytics.erlang import required_agents
from resolvers.context import RequestContext
from resolvers.insights_ops import automation_report, capacity

START = INSIGHTS_END - timedelta(days=30)


sessions = ops.sessions  # fixture


async def test_capacity_against_raw_queue_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    r = await capacity(sessions["manager"], "phone", START, INSIGHTS_END)
    raw = await owner_frame(insights_db.dsn, tq("insights_phone_queue_rows"), START, INSIGHTS_END)
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


async def _workforce(dsn: str) -> tuple[float, float, float, float]:
    """Agents' labour cost (team rows: the organisation row, team null, is overhead of staff who
    take no contacts), scheduled, handle and available seconds of the window's days."""
    days = await owner_frame(dsn, tq("insights_workforce_days_raw"), START, INSIGHTS_END)
    fin, agents = days[days["kind"] == "financial"], days[days["kind"] == "agent"]
    assert fin["team"].isna().any() and fin["team"].notna().any()
    labour = float(fin.loc[fin["team"].notna(), "labor_cost"].sum())
    return (
        labour,
        float(agents["scheduled_seconds"].sum()),
        float(agents["handle_seconds"].sum()),
        float(agents["available_seconds"].sum()),
    )


async def test_capacity_cost_occupancy_utilisation(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    r = await capacity(sessions["manager"], "phone", START, INSIGHTS_END)
    labour, scheduled, handle, available = await _workforce(insights_db.dsn)
    per_hour = labour / (scheduled / 3600.0)
    assert r.cost_per_agent_hour == pytest.approx(per_hour, rel=1e-9)
    short = sum(max(i.required - i.staffed, 0.0) for i in r.intervals)
    surplus = sum(max(i.staffed - i.required, 0.0) for i in r.intervals)
    assert r.cost_short == pytest.approx(short * per_hour, rel=1e-9)
    assert r.cost_surplus == pytest.approx(surplus * per_hour, rel=1e-9)
    assert r.occupancy == pytest.approx(handle / (handle + available), rel=1e-9)
    assert r.utilization == pytest.approx((handle + available) / scheduled, rel=1e-9)
    assert r.occupancy_on_target is (handle / (handle + available) <= 0.85)
    assert r.utilization_on_target is (abs((handle + available) / scheduled - 0.85) <= 0.05)


async def test_automation_against_raw_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    """Counts, median handle time, simple share, hours and cost saved from raw tickets,
    interactions, ``support_automation_analytics`` and ``support_financial_metrics`` with the
    assumptions the result states (hours = tickets × automatable share × containment × median
    handle; cost = hours × labour cost ÷ scheduled hours)."""
    manager = await automation_report(sessions["manager"], START, INSIGHTS_END)
    analyst = await automation_report(sessions["analyst"], START, INSIGHTS_END)
    tickets = await owner_frame(
        insights_db.dsn, tq("insights_automation_ticket_raw"), START, INSIGHTS_END
    )
    handle = await owner_frame(
        insights_db.dsn, tq("insights_automation_handle_raw"), START, INSIGHTS_END
    )
    tickets["handle"] = tickets["id"].map(handle.groupby("id")["handle_seconds"].sum()).fillna(0)
    tickets["simple"] = (
        tickets["resolved_at"].notna()
        & (tickets["agent_reply_count"] <= 1)
        & (tickets["reopen_count"] == 0)
    )
    per = tickets.groupby("path").agg(
        n=("id", "size"), handle=("handle", "median"), simple=("simple", "mean")
    )
    bots = await owner_frame(
        insights_db.dsn, tq("insights_chatbot_containment"), START, INSIGHTS_END
    )
    containment = float(bots["rate"][0])
    labour, scheduled, _, _ = await _workforce(insights_db.dsn)
    per_hour = labour / (scheduled / 3600.0)
    assert manager.containment_rate == pytest.approx(containment, rel=1e-12)
    assert manager.cost_per_agent_hour == pytest.approx(per_hour, rel=1e-9)
    assert analyst.cost_per_agent_hour == pytest.approx(per_hour, rel=1e-9)
    for result in (manager, analyst):
        assert {o.category for o in result.opportunities} == set(per.index)
        for o in result.opportunities:
            e = per.loc[o.category]
            assert o.tickets == e["n"]
            assert o.median_handle_minutes == pytest.approx(e["handle"] / 60.0, rel=1e-12)
            assert o.simple_share == pytest.approx(e["simple"], rel=1e-12)
            # the analyst reads no text: the automatable share is the simple share
            share = o.repetitive_share if result is manager else e["simple"]
            assert o.automatable_share == pytest.approx(share, rel=1e-12)
            hours = e["n"] * share * containment * e["handle"] / 3600.0
            assert o.hours_saved == pytest.approx(hours, rel=1e-9)
            assert o.cost_saved == pytest.approx(hours * per_hour, rel=1e-9)
        assert any(f"{containment:.3f}" in a for a in result.assumptions)
        assert any(f"{per_hour:.2f}" in a for a in result.assumptions)
    # the manager reads message text (clusters), the analyst counts only
    assert all(o.repetitive_share is not None for o in manager.opportunities)
    assert any(o.top_clusters for o in manager.opportunities)
    assert all(o.repetitive_share is None and not o.top_clusters for o in analyst.opportunities)
    hours_list = [o.hours_saved for o in manager.opportunities]
    assert hours_list == sorted(hours_list, reverse=True) and np.isfinite(hours_list).all()
