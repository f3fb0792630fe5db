"""The shared KPI populations of migrations 20261203004000/004100 stay inlined: the SLA KPI's
function reads ``analytics.sla_outcomes`` and the plan is a scan of the compliance table, with
no function call left (an un-inlined set-returning function would be a "Function Scan")."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import asyncpg
from testkit import tq


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def test_the_sla_kpi_reads_its_outcomes_inlined(seeded_dsn: str) -> None:
    async def run() -> Any:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            return await conn.fetchval(tq("kpi_sla_stats_plan"))
        finally:
            await conn.close()

    (root,) = json.loads(asyncio.run(run()))
    kinds = [n["Node Type"] for n in nodes(root["Plan"])]
    relations = {n.get("Relation Name") for n in nodes(root["Plan"])}
    assert "Function Scan" not in kinds, kinds
    assert "support_sla_compliance" in relations, relations
