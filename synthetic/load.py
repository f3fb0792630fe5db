"""Bulk loading of frames with binary ``COPY``, in one transaction, with an optional progress bar.

Inside the transaction: foreign-key triggers are skipped (``session_replication_role = replica``,
when the role may set it: the generator builds valid data and the tests check every foreign key
by query), secondary indexes are dropped and rebuilt after the load (sorting once beats millions
of incremental inserts), each frame is streamed as one binary COPY in chunks encoded just ahead of
the socket, identity sequences are moved past the explicit ids. ``analyze`` runs after commit.
Frames are copied in the order given (callers pass foreign-key order, which matters when the
replica mode is not allowed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence

import asyncpg

import sql
from synthetic.pgbinary import Frame, encode

#: Rows per COPY chunk: big enough to amortise numpy calls, small enough to bound memory.
CHUNK_ROWS = 200_000

#: Steps reported by ``load_frames(finished=…)`` after the copies.
FINISH_STEPS = 2

Advance = Callable[[int], None]


def qualified(frame: Frame) -> str:
    return f"{frame.schema}.{frame.table}"


async def _chunks(frame: Frame, advance: Advance) -> AsyncIterator[bytes]:
    """Encoded chunks of ``frame``; the next chunk is encoded in a thread while one is sent."""
    bounds = list(range(0, max(frame.rows, 1), CHUNK_ROWS))
    last = len(bounds) - 1

    def job(i: int) -> bytes:
        lo = bounds[i]
        return encode(frame, lo, lo + CHUNK_ROWS, header=i == 0, trailer=i == last)

    pending = asyncio.create_task(asyncio.to_thread(job, 0))
    for i in range(len(bounds)):
        data = await pending
        if i < last:
            pending = asyncio.create_task(asyncio.to_thread(job, i + 1))
        yield data
        advance(min(CHUNK_ROWS, frame.rows - bounds[i]))


async def _try(conn: asyncpg.Connection, statement: str) -> bool:
    """Run ``statement`` in a savepoint; False when the role lacks the privilege."""
    try:
        async with conn.transaction():
            await conn.execute(statement)
    except asyncpg.InsufficientPrivilegeError:
        return False
    return True


async def load_frames(
    conn: asyncpg.Connection,
    frames: Sequence[Frame],
    advance: Advance | None = None,
    finished: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Copy ``frames`` in one transaction; rows loaded per qualified table name.

    ``advance(rows)`` is called as rows are sent; ``finished(name)`` after each of the
    :data:`FINISH_STEPS` that follow the copies (index rebuild, statistics).
    """
    step: Advance = advance or (lambda _rows: None)
    done = finished or (lambda _name: None)
    counts: dict[str, int] = {}
    async with conn.transaction():
        await conn.execute(sql.load("seed_load_settings"))
        replica = await _try(conn, sql.load("seed_replica_mode"))
        await conn.execute(sql.load("seed_drop_indexes"))
        for frame in frames:
            if frame.table == "support_ticket_status_history" and not replica:
                # triggers ran on the tickets just copied: their rows give way to the history
                await conn.execute(sql.load("seed_status_history_clear"))
            await conn.copy_to_table(
                frame.table,
                source=_chunks(frame, step),
                columns=frame.names,
                schema_name=frame.schema,
                format="binary",
            )
            counts[qualified(frame)] = counts.get(qualified(frame), 0) + frame.rows
        await conn.execute(sql.load("seed_restore_indexes"))
        await conn.execute(sql.load("seed_reset_sequences"))
    done("indexes")
    await conn.execute(sql.load("seed_analyze"))
    await conn.execute(sql.load("seed_vacuum"))
    done("statistics")
    return counts
