"""The retention run: each data class kept for its ``RETENTION`` days, in short steps.

Steps (each its own transaction, with ``lock_timeout`` so that a step waiting for a lock gives up
and is retried on the next run rather than queueing other sessions behind it):

* partitions ahead: the next months of every partitioned table are created;
* ``interactions``, ``change_log``, ``audit_log``: whole months past retention are archived —
  interaction sums rolled up (``app.rollup_interactions``), the partition detached (a catalog
  change), its rows (and, for interactions, their message bodies) written as gzip CSV with a
  ``manifest.json`` (rows, columns, SHA-256 of each file) to ``ARCHIVE_DIR/<table>/<YYYY-MM>/``,
  recorded in ``public.privacy_archives``, then the detached table dropped and the bodies deleted
  in batches; rows of the default partition past retention are deleted in batches;
* ``message_bodies``: bodies of older interactions deleted in batches;
* ``tickets``: older tickets anonymised in batches (subject, tags), figures kept;
* ``change_log``: rows older than a day (by default) pruned in batches;
* subject-access archives (``privacy_exports``) whose link expired deleted in batches.

Every step's duration is measured: locks are held at most for the step's transaction, so the
report's ``longest_step_seconds`` bounds the longest lock hold of the run (the slowest steps are
named in ``slowest``). A month's rollup is computed one day per step, tickets are anonymised 200
per step (their updates also feed the realtime change log), other batches are 2,000 rows. A
Postgres advisory lock keeps two gateways from running retention at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

import sql

log = logging.getLogger(__name__)

BATCH = 2_000
#: Tickets are anonymised in smaller batches: each update also writes the realtime change log
#: (~0.25 ms a ticket at 1M tickets).
TICKET_BATCH = 200
LOCK_TIMEOUT = "500ms"
#: Partitioned tables and the data class whose retention applies to them.
PARTITIONED = {
    "support_interactions": "interactions",
    "support_change_log": "change_log",
    "privacy_audit_log": "audit_log",
}


@dataclass
class RetentionReport:
    """What a run did, per step, and how long its longest transaction took."""

    started_at: datetime
    done: dict[str, int] = field(default_factory=dict)
    archives: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    longest_step_seconds: float = 0.0
    steps: int = 0
    #: the slowest steps: (seconds, what)
    slowest: list[tuple[float, str]] = field(default_factory=list)
    #: every step's duration, in order (the benchmark's distribution)
    step_seconds: list[float] = field(default_factory=list)

    def add(self, key: str, n: int) -> None:
        self.done[key] = self.done.get(key, 0) + n

    def as_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "done": self.done,
            "archives": self.archives,
            "skipped": self.skipped,
            "longest_step_seconds": round(self.longest_step_seconds, 4),
            "steps": self.steps,
            "slowest_steps": [[round(t, 4), what] for t, what in self.slowest],
        }


class _Steps:
    """Runs each step in its own short transaction and times it."""

    def __init__(self, conn: asyncpg.Connection, report: RetentionReport) -> None:
        self.conn = conn
        self.report = report

    @contextlib.asynccontextmanager
    async def step(self, what: str) -> Any:
        started = time.monotonic()
        async with self.conn.transaction():
            await self.conn.execute(sql.load("retention_step_setup"), LOCK_TIMEOUT)
            yield self.conn
        took = time.monotonic() - started
        report = self.report
        report.steps += 1
        report.step_seconds.append(took)
        report.longest_step_seconds = max(report.longest_step_seconds, took)
        report.slowest = sorted([*report.slowest, (took, what)], reverse=True)[:5]

    async def batches(self, what: str, query: str, *args: Any, size: int = BATCH) -> int:
        """Run ``query`` (text; its last parameter the batch size) until a batch is short."""
        total = 0
        while True:
            async with self.step(what) as conn:
                n = int(await conn.fetchval(query, *args, size))
            total += n
            if n < size:
                return total


def _cutoff(now: datetime, days: Mapping[str, int], data_class: str) -> datetime:
    return now - timedelta(days=days[data_class])


#: COPY chunks are handed to the compressing thread in pieces of about this many bytes.
FLUSH_BYTES = 1 << 20


# File and CPU work of an archive (compression, hashing, writes): each called through
# ``asyncio.to_thread``, never on the event loop (``serve`` runs retention beside requests).
def _gzip_open(path: Path) -> gzip.GzipFile:
    return gzip.GzipFile(path, "wb", mtime=0)


def _gzip_write(out: gzip.GzipFile, data: bytes) -> None:
    out.write(data)


def _gzip_close(out: gzip.GzipFile) -> None:
    out.close()


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB pieces (never the whole file in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)


def _write_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)


async def _copy_to_gzip(conn: asyncpg.Connection, query: str, path: Path) -> int:
    """Stream the rows of ``query`` as gzip CSV with a header into ``path``; how many rows. The
    rows arrive on the event loop; compressing and writing them happen in a thread."""
    out = await asyncio.to_thread(_gzip_open, path)
    pending: list[bytes] = []
    size = 0

    async def write(chunk: bytes) -> None:
        nonlocal size
        pending.append(chunk)
        size += len(chunk)
        if size >= FLUSH_BYTES:
            data = b"".join(pending)
            pending.clear()
            size = 0
            await asyncio.to_thread(_gzip_write, out, data)

    try:
        select = query.strip().removesuffix(";")  # COPY (select ...) takes no semicolon
        status = await conn.copy_from_query(select, output=write, format="csv", header=True)
        if pending:
            await asyncio.to_thread(_gzip_write, out, b"".join(pending))
    finally:
        await asyncio.to_thread(_gzip_close, out)
    return int(str(status).split()[-1])


async def _delete_archived_bodies(steps: _Steps, partition: str) -> int:
    """Delete the bodies of a detached month of interactions, in id-ordered batches."""
    query = sql.render("retention_delete_partition_bodies_batch", {"part": partition})
    last, total = 0, 0
    while True:
        async with steps.step(f"delete archived bodies of {partition}") as conn:
            row = await conn.fetchrow(query, last, BATCH)
        if row is None or row["last_id"] is None:
            return total
        last, total = int(row["last_id"]), total + int(row["deleted"])


async def _anonymise_tickets(steps: _Steps, before: datetime) -> int:
    """Anonymise tickets created before ``before``, in (created_at, id) keyset batches."""
    query = sql.load("retention_anonymise_tickets")
    last_at, last_id, total = datetime.min.replace(tzinfo=UTC), 0, 0
    while True:
        async with steps.step("anonymise tickets") as conn:
            row = await conn.fetchrow(query, before, last_at, last_id, TICKET_BATCH)
        if row is None or row["last_id"] is None:
            return total
        last_at, last_id = row["last_at"], int(row["last_id"])
        total += int(row["changed"])


async def _archive_partition(
    steps: _Steps, table: str, partition: str, month: Any, archive_dir: Path
) -> None:
    report = steps.report
    folder = archive_dir / table / f"{month:%Y-%m}"
    await asyncio.to_thread(_make_folder, folder)
    if table == "support_interactions":
        async with steps.step(f"reset rollup {month}") as conn:
            await conn.execute(sql.load("retention_rollup_reset"), month)
        day = datetime(month.year, month.month, 1, tzinfo=UTC)
        while day.month == month.month:
            async with steps.step(f"rollup {day:%Y-%m-%d}") as conn:
                await conn.execute(sql.load("retention_rollup_day"), month, day)
            day += timedelta(days=1)
    async with steps.step(f"detach {partition}") as conn:
        await conn.execute(sql.render("retention_detach", {"parent": table, "part": partition}))
    # the partition is now a table of its own, invisible to the api: read it without hurry
    files: dict[str, dict[str, Any]] = {}
    conn = steps.conn
    part_query = sql.render("retention_partition_rows", {"part": partition})
    rows = await _copy_to_gzip(conn, part_query, folder / f"{table}.csv.gz")
    files[f"{table}.csv.gz"] = {"rows": rows}
    if table == "support_interactions":
        bodies_query = sql.render("retention_partition_bodies", {"part": partition})
        n = await _copy_to_gzip(conn, bodies_query, folder / "support_interaction_bodies.csv.gz")
        files["support_interaction_bodies.csv.gz"] = {"rows": n}
    for name, meta in files.items():
        meta["sha256"] = await asyncio.to_thread(_file_sha256, folder / name)
    manifest = {
        "table": table,
        "partition": f"partitions.{partition}",
        "month": f"{month:%Y-%m}",
        "range": [f"{month:%Y-%m-%d}", "one month"],
        "files": files,
        "written_at": datetime.now(UTC).isoformat(),
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode()
    await asyncio.to_thread(_write_file, folder / "manifest.json", manifest_bytes)
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    if table == "support_interactions":
        report.add(
            "support_interaction_bodies archived and deleted",
            await _delete_archived_bodies(steps, partition),
        )
    async with steps.step(f"record and drop {partition}") as c:
        await c.execute(
            sql.load("retention_record_archive"),
            table,
            month,
            rows,
            str(folder / "manifest.json"),
            digest,
        )
        await c.execute(sql.render("retention_drop_partition", {"part": partition}))
    report.add(f"{table} rows archived", rows)
    report.archives.append(
        {"table": table, "month": f"{month:%Y-%m}", "rows": rows, "manifest": str(folder)}
    )


async def run_retention(
    dsn: str,
    days: Mapping[str, int],
    archive_dir: Path,
    *,
    now: datetime | None = None,
) -> RetentionReport:
    """One retention run over the database at ``dsn`` (see the module docstring)."""
    now = now or datetime.now(UTC)
    report = RetentionReport(started_at=now)
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval(sql.load("retention_try_lock")):
            report.skipped.append("another retention run holds the lock")
            return report
        try:
            await _run(_Steps(conn, report), days, archive_dir, now)
        finally:
            await conn.execute(sql.load("retention_unlock"))
        async with _Steps(conn, report).step("audit") as c:
            await c.execute(sql.load("retention_audit"), json.dumps(report.as_json()))
    finally:
        await conn.close()
    return report


async def _run(steps: _Steps, days: Mapping[str, int], archive_dir: Path, now: datetime) -> None:
    report = steps.report
    for table in PARTITIONED:
        async with steps.step(f"partitions of {table}") as conn:
            report.add(
                f"{table} partitions created",
                int(await conn.fetchval(sql.load("retention_ensure_partitions"), table, now)),
            )
    for table, data_class in PARTITIONED.items():
        cutoff = _cutoff(now, days, data_class)
        for part in await steps.conn.fetch(sql.load("retention_partitions_before"), table, cutoff):
            try:
                await _archive_partition(
                    steps, table, part["partition_name"], part["month"], archive_dir
                )
            except asyncpg.LockNotAvailableError:
                report.skipped.append(f"{part['partition_name']}: busy, retried next run")
        if table != "privacy_audit_log":
            report.add(
                f"{table} default-partition rows deleted",
                await steps.batches(
                    f"default rows of {table}",
                    sql.load("retention_delete_default_rows"),
                    table,
                    cutoff,
                ),
            )
    report.add(
        "support_interaction_bodies deleted",
        await steps.batches(
            "delete bodies",
            sql.load("retention_delete_bodies"),
            _cutoff(now, days, "message_bodies"),
        ),
    )
    report.add(
        "support_tickets anonymised",
        await _anonymise_tickets(steps, _cutoff(now, days, "tickets")),
    )
    report.add(
        "privacy_exports expired deleted",
        await steps.batches("delete expired exports", sql.load("retention_delete_expired_exports")),
    )
    report.add(
        "support_change_log rows pruned",
        await steps.batches(
            "prune change log",
            sql.load("retention_prune_change_log"),
            timedelta(days=days["change_log"]),
        ),
    )
    report.add(
        "analytics.stats_source_changes rows pruned",
        await steps.batches(
            "prune statistics version notes",
            sql.load("retention_prune_stats_notes"),
            timedelta(days=days["change_log"]),
        ),
    )


class RetentionScheduler:
    """Runs retention every ``interval_seconds`` in the gateway (off when 0); the first run comes
    one interval after start."""

    def __init__(
        self, dsn: str, days: Mapping[str, int], archive_dir: Path, interval_seconds: float
    ) -> None:
        self._dsn = dsn
        self._days = dict(days)
        self._archive_dir = archive_dir
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self.last: RetentionReport | None = None

    async def start(self) -> None:
        if self._interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                self.last = await run_retention(self._dsn, self._days, self._archive_dir)
            except Exception:
                log.exception("retention run failed; retrying in %.0f s", self._interval)
