"""The retention run prunes the statistics cache's version notes (one row per writing statement,
``analytics.stats_source_changes``) older than the change log's retention, never the newest: the
table stays bounded and the data version does not move."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import asyncpg
from testkit import tq

import sql
from gateway.privacy.retention import run_retention
from gateway.settings import RETENTION_DEFAULTS

#: keep every data class except the change log's day (which the notes follow)
POLICY = {**dict.fromkeys(RETENTION_DEFAULTS, 36_500), "change_log": 1}
PRUNED = "analytics.stats_source_changes rows pruned"


async def _plant(owner: asyncpg.Connection, age: timedelta) -> int:
    return int(await owner.fetchval(tq("retention_plant_stats_note"), age))


async def test_old_version_notes_are_pruned_and_the_newest_kept(
    owner: asyncpg.Connection, privacy_dsn: str, tmp_path: Path
) -> None:
    old = [await _plant(owner, timedelta(days=30)), await _plant(owner, timedelta(days=2))]
    fresh = await _plant(owner, timedelta(minutes=1))
    before = await owner.fetchrow(tq("retention_stats_notes_kept"), [*old, fresh])
    assert list(before["kept"]) == [*old, fresh]

    report = await run_retention(privacy_dsn, POLICY, tmp_path)

    after = await owner.fetchrow(tq("retention_stats_notes_kept"), [*old, fresh])
    assert list(after["kept"]) == [fresh], "notes past the change log's retention go"
    assert report.done[PRUNED] >= len(old), report.as_json()
    assert after["version"] >= before["version"], "the data version never moves backwards"


async def test_the_newest_note_is_kept_even_when_old(owner: asyncpg.Connection) -> None:
    """Only max(seq) is read: pruning never removes it, so the data version stays put."""
    newest_old = await _plant(owner, timedelta(days=40))
    before = await owner.fetchrow(tq("retention_stats_notes_kept"), [newest_old])
    await owner.fetchval(sql.load("retention_prune_stats_notes"), timedelta(days=1), 500)
    after = await owner.fetchrow(tq("retention_stats_notes_kept"), [newest_old])
    assert list(after["kept"]) == [newest_old]
    assert after["version"] == before["version"]
