"""satisfactionDrivers(groupBy) over HTTP (an analyst: every survey): each group's survey count
against the raw surveys of that channel, VIP tier or team (read as the database owner; groups
of fewer than 100 surveys left out), and each group's figures against the ungrouped analysis
(``analytics.drivers``) run on that group's feature rows alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import insights_roles_support as roles
import pytest
from insights_roles_support import Ask
from insights_support import INSIGHTS_END, InsightsDb, owner_rows, trainer_session
from testkit import tq

import sql
from analytics.drivers import driver_frame, satisfaction_drivers
from resolvers.insights import MIN_GROUP_SURVEYS

server, users, ask = roles.server, roles.users, roles.ask  # fixtures
FROM, TO = INSIGHTS_END - timedelta(days=60), INSIGHTS_END
QUERY = """query($f: DateTime!, $t: DateTime!, $g: DriverGroupBy!) {
  satisfactionDrivers(window: {from: $f, to: $t}, groupBy: $g) { overall { n }
    groups { key result { n meanCsat rSquared drivers { factor level effect ciLow ciHigh
      pValue pAdjusted significant n permutationImportance } } } } }"""
COLUMN = {"CHANNEL": "channel", "VIP_TIER": "vip_tier", "TEAM": "team_id"}


async def _feature_rows(dsn: str) -> list[Any]:
    async with trainer_session(dsn) as s:
        return list(await s.fetch(sql.load("insights_survey_features"), FROM, TO))


@pytest.mark.parametrize("group_by", ["CHANNEL", "VIP_TIER", "TEAM"])
def test_each_group_against_its_own_rows(group_by: str, ask: Ask, insights_db: InsightsDb) -> None:
    body = ask("analyst", QUERY, {"f": FROM.isoformat(), "t": TO.isoformat(), "g": group_by})
    assert "errors" not in body, body
    found = body["data"]["satisfactionDrivers"]
    counts = {
        r["key"]: r["n"]
        for r in asyncio.run(
            owner_rows(
                insights_db.dsn,
                tq("insights_survey_group_counts", column=COLUMN[group_by]),
                FROM,
                TO,
            )
        )
    }
    big = {k: n for k, n in counts.items() if n >= MIN_GROUP_SURVEYS}
    assert len(big) >= 2
    assert {g["key"]: g["result"]["n"] for g in found["groups"]} == big
    assert found["overall"]["n"] == sum(counts.values())
    rows = asyncio.run(_feature_rows(insights_db.dsn))
    key_of = (lambda r: str(r["team_id"])) if group_by == "TEAM" else None
    frame = driver_frame(rows)
    for g in found["groups"]:
        if key_of is not None:
            part = frame[[key_of(r) == g["key"] for r in rows]]
        else:
            part = frame[frame[COLUMN[group_by]] == g["key"]]
        alone = satisfaction_drivers(part)
        result = g["result"]
        assert result["n"] == alone.n == len(part)
        assert result["meanCsat"] == pytest.approx(alone.mean_csat, rel=1e-12)
        assert result["rSquared"] == pytest.approx(alone.r_squared, rel=1e-9)
        by_term = {(e.factor, e.level): e for e in alone.effects}
        assert len(result["drivers"]) == len(by_term)
        for d in result["drivers"]:
            e = by_term[(d["factor"], d["level"])]
            assert (d["effect"], d["ciLow"], d["ciHigh"]) == pytest.approx(
                (e.effect, e.ci_low, e.ci_high), rel=1e-9, abs=1e-12
            )
            assert (d["pValue"], d["pAdjusted"]) == pytest.approx(
                (e.p_value, e.p_adjusted), rel=1e-6, abs=1e-15
            )
            assert d["significant"] is e.significant and d["n"] == e.n
            assert d["permutationImportance"] == pytest.approx(e.importance, rel=1e-9, abs=1e-12)
