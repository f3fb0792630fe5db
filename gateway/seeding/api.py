"""Public entry points: :func:`seed_database`, :func:`database_is_empty`, presets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

import asyncpg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import sql
from gateway.seeding.build import STEPS, Plan, generate
from gateway.seeding.load import load_frames


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
        with bar or _Null():
            gen_task = bar.add_task("generating", total=STEPS) if bar else None

            def step(_name: str) -> None:
                if bar is not None and gen_task is not None:
                    bar.advance(gen_task)

            frames = await asyncio.to_thread(generate, plan, step)
            generated = time.perf_counter()
            total = sum(f.rows for f in frames)
            load_task = bar.add_task("loading", total=total) if bar else None

            def advance(rows: int) -> None:
                if bar is not None and load_task is not None:
                    bar.advance(load_task, rows)

            counts = await load_frames(conn, frames, advance)
    finally:
        await conn.close()
    finished = time.perf_counter()
    return SeedSummary(
        counts=MappingProxyType(counts),
        elapsed_seconds=finished - started,
        generate_seconds=generated - started,
        load_seconds=finished - generated,
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )


class _Null:
    """A do-nothing context manager standing in for the progress bar."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
