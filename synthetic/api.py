"""Public entry points: :func:`seed_database`, :func:`database_is_empty`, presets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

import asyncpg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import sql
from synthetic.build import STEPS, Plan, generate
from synthetic.load import FINISH_STEPS, load_frames


class SeedError(RuntimeError):
    """The database cannot be seeded (it already holds tickets, or the request is invalid)."""


@dataclass(frozen=True)
class SeedSummary:
    """Rows loaded per table (``schema.table``) and where the time went (seconds)."""

    counts: Mapping[str, int]
    elapsed_seconds: float
    generate_seconds: float
    load_seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Preset:
    tickets: int
    days: int
    seed: int
    end: datetime | None = None


#: Named sizes: ``fixture`` for tests (loads in a couple of seconds, fixed end), ``demo`` for
#: ``support-gateway demo``, ``large`` for benchmarks.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        "fixture": Preset(2_000, 30, 7, datetime(2026, 11, 20, 12, 0, tzinfo=UTC)),
        "demo": Preset(50_000, 180, 42),
        "large": Preset(1_000_000, 180, 42),
    }
)


def default_end() -> datetime:
    """Now, rounded down to the minute (UTC)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


async def database_is_empty(dsn: str) -> bool:
    """True when the (migrated) database has no support tickets yet."""
    conn = await asyncpg.connect(dsn)
    try:
        return not bool(await conn.fetchval(sql.load("seed_tickets_exist")))
    finally:
        await conn.close()


async def seed_database(
    dsn: str,
    *,
    tickets: int,
    days: int,
    seed: int,
    end: datetime | None = None,
    progress: bool = False,
) -> SeedSummary:
    """Generate and load a synthetic data set into the migrated, ticket-free database at ``dsn``.

    ``tickets`` are spread over the ``days`` days ending at ``end`` (tz-aware; default now rounded
    down to the minute). The same (tickets, days, seed, end) always gives the same rows, ids
    included. Raises :class:`SeedError` if the database already has tickets or the arguments
    are invalid; nothing is written unless everything is (one transaction).
    """
    if tickets < 1 or days < 1:
        raise SeedError("tickets and days must be positive")
    stop = end or default_end()
    if stop.tzinfo is None:
        raise SeedError("end must be timezone-aware")
    plan = Plan(tickets=tickets, days=days, seed=seed, end=int(stop.timestamp()))
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval(sql.load("seed_tickets_exist")):
            raise SeedError("the database already has support tickets; seed an empty database")
        bar = _progress() if progress else None
        with bar if bar is not None else contextlib.nullcontext():
            generating = _counter(bar, "generating", STEPS)
            frames = await asyncio.to_thread(generate, plan, lambda _step: generating(1))
            generated = time.perf_counter()
            loading = _counter(bar, "loading", sum(f.rows for f in frames))
            indexing = _counter(bar, "indexing", FINISH_STEPS)
            counts = await load_frames(conn, frames, loading, lambda _step: indexing(1))
    finally:
        await conn.close()
    finished = time.perf_counter()
    return SeedSummary(
        counts=MappingProxyType(counts),
        elapsed_seconds=finished - started,
        generate_seconds=generated - started,
        load_seconds=finished - generated,
    )


def _counter(bar: Progress | None, name: str, total: int) -> Callable[[int], None]:
    """A function advancing a new task of ``bar`` (a no-op without a bar)."""
    if bar is None:
        return lambda _n: None
    task = bar.add_task(name, total=total)
    return lambda n: bar.advance(task, n)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
