"""Partition lookups: a ticket's latest interactions are read by one generically planned
statement (app.latest_interactions) from the months from the ticket's creation on (the other
monthly partitions are pruned at run time), months are kept one ahead, and the bound the lookup
relies on (no interaction precedes its ticket) is enforced."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from testkit import tq


def _scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if plan.get("Relation Name", "").startswith("support_interactions"):
        out.append(plan)
    for child in plan.get("Plans", ()):
        out.extend(_scans(child))
    return out


async def test_lookup_reads_only_the_months_from_the_ticket_on(owner: asyncpg.Connection) -> None:
    ticket = await owner.fetchrow(tq("privacy_latest_ticket"))
    assert ticket is not None
    await owner.fetchval(tq("privacy_ensure_month_before"), ticket["created_at"])
    fn = await owner.fetchrow(tq("privacy_function_body"), "latest_interactions")
    assert fn is not None and "plan_cache_mode=force_generic_plan" in fn["proconfig"]
    body = fn["prosrc"].replace("p_ticket_ids", "$1::bigint[]").replace("p_limit", "$2::int")
    explain = "explain (analyze, costs off, timing off, summary off, format json) "
    raw = await owner.fetchval(explain + body, [ticket["id"]], 3)
    scans = _scans(json.loads(raw)[0]["Plan"])
    month = ticket["created_at"].strftime("%Y%m")
    earlier = [
        s for s in scans if s["Relation Name"][-6:].isdigit() and s["Relation Name"][-6:] < month
    ]
    later = [s for s in scans if s not in earlier]
    assert earlier, "the data set should have months before the ticket"
    assert all(s["Actual Loops"] == 0 for s in earlier), "months before the ticket were read"
    assert any(s["Actual Loops"] == 1 for s in later)


async def test_months_are_kept_one_ahead(owner: asyncpg.Connection) -> None:
    now = datetime.now(UTC)
    ahead = datetime(now.year + (now.month == 12), now.month % 12 + 1, 1).date()
    for table in ("support_interactions", "support_change_log", "privacy_audit_log"):
        assert await owner.fetch(tq("privacy_partitions_after"), table, ahead) == [], table


async def test_the_seeded_data_keeps_the_bound(owner: asyncpg.Connection) -> None:
    """The generator loads without triggers: its interactions must not precede their tickets."""
    assert await owner.fetchval(tq("privacy_interactions_before_tickets")) == 0


async def test_an_interaction_cannot_precede_its_ticket(owner: asyncpg.Connection) -> None:
    ticket = await owner.fetchrow(tq("privacy_latest_ticket"))
    assert ticket is not None
    with pytest.raises(asyncpg.CheckViolationError, match="cannot precede its ticket"):
        await owner.execute(tq("privacy_interaction_before_ticket"), ticket["id"])
