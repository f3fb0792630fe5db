"""Read-write transactions under a user's rights, for mutations.

Like :class:`gateway.db.RequestSession` (same ``session_setup``: the caller's Postgres role and
JWT claims, a statement timeout) but read-write, and scoped to one ``async with`` block: committed
when the block ends normally, rolled back when it raises, so a refused or invalid mutation leaves
nothing behind. Implements :class:`resolvers.port.WriteSessions`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sql
from gateway.auth import Principal
from gateway.db import Database
from resolvers.port import Row, Session


class TransactionSession:
    """The statements of one write transaction (a :class:`resolvers.port.Session`)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._statements = 0

    @property
    def statements(self) -> int:
        return self._statements

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        self._statements += 1
        rows: Sequence[Row] = await self._conn.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        self._statements += 1
        row: Row | None = await self._conn.fetchrow(query, *args)
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        self._statements += 1
        return await self._conn.fetchval(query, *args)


class PrincipalWrites:
    """Opens read-write transactions as ``principal`` (see the module docstring)."""

    def __init__(
        self, db: Database, principal: Principal, *, statement_timeout_ms: int = 15000
    ) -> None:
        self._db = db
        self._principal = principal
        self._timeout = statement_timeout_ms

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[Session]:
        async with self._db.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                sql.load("session_setup"),
                self._principal.role,
                self._principal.claims_json(),
                str(self._timeout),
            )
            yield TransactionSession(conn)
