"""The retention run keeps its file and CPU work (gzip compression, SHA-256 of the files, folder
and manifest writes) off the event loop — ``serve`` runs it beside requests — and the archive it
writes is the rows' CSV exactly (compared with a COPY of the same partition taken before)."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from testkit import tq

import sql
from gateway.privacy import retention
from gateway.settings import RETENTION_DEFAULTS

#: August: a month of its own (September and October are archived by other tests)
AUGUST = datetime(2026, 8, 12, 9, 0, tzinfo=UTC)
PART = "support_interactions_p202608"
FILE_WORK = (
    "_gzip_open",
    "_gzip_write",
    "_gzip_close",
    "_file_sha256",
    "_make_folder",
    "_write_file",
)


async def _copy(owner: asyncpg.Connection, query: str) -> bytes:
    chunks: list[bytes] = []

    async def write(chunk: bytes) -> None:
        chunks.append(chunk)

    await owner.copy_from_query(
        query.strip().removesuffix(";"), output=write, format="csv", header=True
    )
    return b"".join(chunks)


async def test_archive_work_runs_off_the_loop(
    owner: asyncpg.Connection, privacy_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await owner.fetchrow(tq("privacy_pick_customer"), 30)
    assert customer is not None
    await owner.fetchval(tq("privacy_ensure_month_of"), AUGUST)
    for i in range(3):
        note = f'august note {i}, with a comma and a "quote"'
        assert await owner.fetchrow(
            tq("privacy_plant_archived_ticket"), customer["id"], AUGUST, note
        )
    expected = {
        "support_interactions.csv.gz": await _copy(
            owner, sql.render("retention_partition_rows", {"part": PART})
        ),
        "support_interaction_bodies.csv.gz": await _copy(
            owner, sql.render("retention_partition_bodies", {"part": PART})
        ),
    }
    assert expected["support_interaction_bodies.csv.gz"].count(b"august note") == 3

    loop_thread = threading.get_ident()
    calls: list[tuple[str, int]] = []
    for name in FILE_WORK:
        original = getattr(retention, name)

        def recorder(*args: Any, _original: Any = original, _name: str = name) -> Any:
            calls.append((_name, threading.get_ident()))
            return _original(*args)

        monkeypatch.setattr(retention, name, recorder)
    # small pieces: each COPY chunk handed to the compressing thread
    monkeypatch.setattr(retention, "FLUSH_BYTES", 64)

    now = datetime.now(UTC)
    days = dict.fromkeys(RETENTION_DEFAULTS, 36_500)
    days["interactions"] = (now - datetime(2026, 9, 1, tzinfo=UTC)).days  # august and before
    report = await retention.run_retention(privacy_dsn, days, tmp_path, now=now)
    assert report.skipped == [], report.as_json()

    assert {name for name, _ in calls} == set(FILE_WORK)
    assert [name for name, thread in calls if thread == loop_thread] == []
    assert sum(1 for name, _ in calls if name == "_gzip_write") >= 2  # a file's data at least

    archive = await owner.fetchrow(
        tq("privacy_archive_of"), "support_interactions", date(2026, 8, 1)
    )
    assert archive is not None
    manifest_path = Path(archive["file_path"])
    manifest_bytes = await asyncio.to_thread(manifest_path.read_bytes)
    assert hashlib.sha256(manifest_bytes).hexdigest() == archive["sha256"]
    manifest = json.loads(manifest_bytes)
    for name, data in expected.items():
        raw = await asyncio.to_thread((manifest_path.parent / name).read_bytes)
        assert gzip.decompress(raw) == data, name
        assert hashlib.sha256(raw).hexdigest() == manifest["files"][name]["sha256"]
