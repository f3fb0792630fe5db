"""rootCause's one-pass survey segments (sql/queries/stats_segments_surveys_all.sql) equal the
previous design, analytics.survey_stats per grouping and window (stats_segments_surveys.sql),
row for row, under three roles (row level security applies to both)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from resolver_support import session_as
from testkit import SEED_END

import sql

DIMS = ["category", "channel", "team", "priority", "vip_tier", "agent"]


def _key(stats: Any) -> str:
    return json.dumps(json.loads(stats) if isinstance(stats, str) else stats, sort_keys=True)


@pytest.mark.parametrize("role", ["manager", "team_lead", "agent"])
def test_one_pass_segments_equal_survey_stats_per_grouping(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]], role: str
) -> None:
    end = SEED_END
    window = (end - timedelta(days=7), end)
    compare = (end - timedelta(days=16), end - timedelta(days=5))  # overlapping on purpose

    async def run() -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[tuple[str, str]]]]:
        async with session_as(seeded_dsn, users_by_role, role) as session:
            rows = await session.fetch(sql.load("stats_segments_surveys_all"), *window,
                                       *compare, DIMS, None, None)  # fmt: skip
            new: dict[str, set[tuple[str, str]]] = {d: set() for d in DIMS}
            for r in rows:
                new[r["grouping"]].add((r["period"], _key(r["stats"])))
            old: dict[str, set[tuple[str, str]]] = {}
            for d in DIMS:
                got = await session.fetch(sql.load("stats_segments_surveys"), *window, *compare,
                                          d, None, None)  # fmt: skip
                old[d] = {(r["period"], _key(r["stats"])) for r in got}
            return new, old

    new, old = asyncio.run(run())
    for d in DIMS:
        assert old[d], d
        assert new[d] == old[d], d
