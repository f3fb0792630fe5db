"""k-anonymity: a grouped figure an analyst sees over fewer than k customers (default 5) is
suppressed — here a VIP tier with one customer on one day — while other roles see it, and
groups of k or more are the same for everyone. Group sizes are recounted independently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import asyncpg
from testkit import SEED_DAYS, SEED_END, tq

GQL = Callable[..., Any]

KPI = """query($from: DateTime!, $to: DateTime!) {
  kpi(name: "ticket_volume", from: $from, to: $to, groupBy: VIP_TIER) {
    overall { value n } groups { key value n ciLow suppressed } } }"""


async def _lone_tier(owner: asyncpg.Connection) -> tuple[dict[str, str], str, dict[str, int]]:
    """A day on which one VIP tier's tickets come from one customer: the day as a window, the
    tier, and each tier's distinct customers that day (recounted independently)."""
    start = SEED_END - timedelta(days=SEED_DAYS)
    found = await owner.fetchrow(tq("privacy_group_of_one"), start, SEED_END - timedelta(days=1))
    assert found is not None, "the data set has no vip tier with one customer on a day"
    day, tier = found["day_start"], found["tier"]
    window = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    sizes = {
        r["tier"]: r["customers"]
        for r in await owner.fetch(tq("privacy_tier_customers"), day, day + timedelta(days=1))
    }
    assert sizes[tier] == 1
    return window, tier, sizes


async def test_group_of_one_is_suppressed_for_analysts(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    start = SEED_END - timedelta(days=SEED_DAYS)
    found = await owner.fetchrow(tq("privacy_group_of_one"), start, SEED_END - timedelta(days=1))
    assert found is not None, "the data set has no vip tier with one customer on a day"
    day, tier = found["day_start"], found["tier"]
    window = {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}
    sizes = {
        r["tier"]: r["customers"]
        for r in await owner.fetch(tq("privacy_tier_customers"), day, day + timedelta(days=1))
    }
    assert sizes[tier] == 1

    analyst = await asyncio.to_thread(gql, KPI, window, token_of("analyst"))
    manager = await asyncio.to_thread(gql, KPI, window, token_of("manager"))
    a_groups = {g["key"]: g for g in analyst["data"]["kpi"]["groups"]}
    m_groups = {g["key"]: g for g in manager["data"]["kpi"]["groups"]}
    assert set(a_groups) == set(m_groups) == set(sizes)
    assert a_groups[tier] == {"key": tier, "value": None, "n": 0, "ciLow": None, "suppressed": True}
    assert m_groups[tier]["value"] is not None and not m_groups[tier]["suppressed"]
    for key, size in sizes.items():
        if size >= 5:
            assert a_groups[key] == m_groups[key]
        else:
            assert a_groups[key]["suppressed"] and a_groups[key]["value"] is None
    # the overall figure is over every customer, not suppressed
    assert analyst["data"]["kpi"]["overall"] == manager["data"]["kpi"]["overall"]


SERIES = """query($from: DateTime!, $to: DateTime!) {
  timeSeries(kpi: "ticket_volume", granularity: HOUR, from: $from, to: $to, groupBy: VIP_TIER) {
    bucketStart group value n ciLow suppressed } }"""


async def test_time_series_group_of_one_is_suppressed_for_analysts(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    window, tier, sizes = await _lone_tier(owner)
    analyst = (await asyncio.to_thread(gql, SERIES, window, token_of("analyst")))["data"]
    manager = (await asyncio.to_thread(gql, SERIES, window, token_of("manager")))["data"]
    a_points = {(p["group"], p["bucketStart"]): p for p in analyst["timeSeries"]}
    m_points = {(p["group"], p["bucketStart"]): p for p in manager["timeSeries"]}
    assert set(a_points) == set(m_points)
    lone = [p for (g, _), p in m_points.items() if g == tier]
    assert lone and sum(p["n"] for p in lone) >= 1 and not any(p["suppressed"] for p in lone)
    for key, a in a_points.items():
        m = m_points[key]
        if sizes.get(key[0], 0) >= 5:
            assert a == m, key
        else:
            assert a == {**m, "value": None, "n": 0, "ciLow": None, "suppressed": True}, key
    assert any(p["suppressed"] for (g, _), p in a_points.items() if g == tier)


TREND = """query($w: Window!) {
  trend(kpi: "ticket_volume", granularity: HOUR, window: $w, groupBy: VIP_TIER) {
    overall { group points } groups { group points observations } } }"""
ANOMALIES = """query($w: Window!) {
  anomalies(kpi: "ticket_volume", granularity: HOUR, window: $w, groupBy: VIP_TIER,
            threshold: 2.0) { buckets anomalies { group bucketStart } } }"""


async def test_statistics_groups_of_one_are_left_out_for_analysts(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    window, tier, sizes = await _lone_tier(owner)
    w = {"w": window}
    small = {key for key, size in sizes.items() if size < 5}
    assert tier in small

    analyst = (await asyncio.to_thread(gql, TREND, w, token_of("analyst")))["data"]["trend"]
    manager = (await asyncio.to_thread(gql, TREND, w, token_of("manager")))["data"]["trend"]
    assert tier in {g["group"] for g in manager["groups"]}
    assert analyst["groups"] == [g for g in manager["groups"] if g["group"] not in small]
    assert analyst["overall"] == manager["overall"]  # over everyone: not suppressed

    a = (await asyncio.to_thread(gql, ANOMALIES, w, token_of("analyst")))["data"]["anomalies"]
    m = (await asyncio.to_thread(gql, ANOMALIES, w, token_of("manager")))["data"]["anomalies"]
    assert a["anomalies"] == [x for x in m["anomalies"] if x["group"] not in small]
    assert not any(x["group"] in small for x in a["anomalies"])
    assert any(x["group"] in small for x in m["anomalies"])  # the others see some there
