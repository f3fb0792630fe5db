"""Connection pool and per-request database sessions under the caller's rights.

A :class:`RequestSession` implements :class:`resolvers.port.Session`: on its first statement it
takes a pooled connection, opens a READ ONLY transaction and runs ``sql/queries/session_setup.sql``
(``role`` and ``request.jwt.claims`` as PostgREST sets them). Every later statement of the
operation runs in that transaction; :meth:`RequestSession.close` ends it and returns the
connection. The pool's login role is never the role a user's statement runs as.

Statements of one session are serialised with a lock: DataLoaders of different relations may
dispatch in the same event-loop tick, and one connection runs one statement at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import asyncpg

import sql
from gateway.auth import Principal
from resolvers.port import Row


class Database:
    """An asyncpg pool for the gateway process."""

    def __init__(self, dsn: str, *, min_size: int = 2, max_size: int = 10) -> None:
        self.dsn = dsn
        self._min = min_size
        self._max = max_size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.dsn, min_size=self._min, max_size=self._max, command_timeout=60
            )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database pool is not open")
        return self._pool

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.pool.acquire(timeout=2) as conn:
                return bool(await conn.fetchval(sql.load("readiness"), timeout=2))
        except (TimeoutError, OSError, asyncpg.PostgresError, RuntimeError):
            return False

    def session(self, principal: Principal, *, statement_timeout_ms: int = 15000) -> RequestSession:
        return RequestSession(self, principal, statement_timeout_ms=statement_timeout_ms)


class RequestSession:
    """One GraphQL operation's read-only transaction under ``principal``'s rights."""

    def __init__(
        self, db: Database, principal: Principal, *, statement_timeout_ms: int = 15000
    ) -> None:
        self._db = db
        self._principal = principal
        self._timeout = statement_timeout_ms
        self._conn: Any = None
        self._tx: Any = None
        self._lock = asyncio.Lock()
        self._statements = 0

    @property
    def statements(self) -> int:
        return self._statements

    async def _connection(self) -> Any:
        if self._conn is None:
            conn = await self._db.pool.acquire()
            try:
                tx = conn.transaction(readonly=True)
                await tx.start()
                await conn.execute(
                    sql.load("session_setup"),
                    self._principal.role,
                    self._principal.claims_json(),
                    str(self._timeout),
                )
            except BaseException:
                await self._db.pool.release(conn)
                raise
            self._conn, self._tx = conn, tx
            self._statements += 2  # begin + setup
        return self._conn

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        async with self._lock:
            conn = await self._connection()
            self._statements += 1
            rows: Sequence[Row] = await conn.fetch(query, *args)
            return rows

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        async with self._lock:
            conn = await self._connection()
            self._statements += 1
            row: Row | None = await conn.fetchrow(query, *args)
            return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self._lock:
            conn = await self._connection()
            self._statements += 1
            return await conn.fetchval(query, *args)

    async def close(self) -> None:
        """End the transaction (read-only: rolling back loses nothing) and release."""
        if self._conn is None:
            return
        conn, tx = self._conn, self._tx
        self._conn = self._tx = None
        try:
            await tx.rollback()
        finally:
            await self._db.pool.release(conn)
