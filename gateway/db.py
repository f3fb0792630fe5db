"""Connection pool and per-request database sessions under the caller's rights.

A :class:`RequestSession` implements :class:`resolvers.port.Session`: on its first statement it
takes a pooled connection and, in one round trip, opens a READ ONLY transaction and sets
``role`` and ``request.jwt.claims`` as PostgREST does (``sql/queries/session_begin.sql``).
Every later statement of the operation runs in that transaction; :meth:`RequestSession.close`
ends it and returns the connection. The pool's login role is never the role a user's statement
runs as.

Statements of one session are serialised with a lock: DataLoaders of different relations may
dispatch in the same event-loop tick, and one connection runs one statement at a time.

Failures are the caller's errors where they are (:mod:`resolvers.errors`): a statement timeout is
:class:`QueryTimeoutError` (``TIMEOUT``), an invalid value (SQLSTATE class 22, or an argument
asyncpg cannot encode, e.g. an id beyond int64) :class:`UserInputError`, a missing privilege
:class:`ForbiddenError`, no pooled connection within ``acquire_timeout`` seconds
:class:`UnavailableError`, more than ``max_statements`` statements :class:`LimitExceededError`.
A failed statement aborts its transaction; the session rolls it back and the next statement starts
a fresh one under the same rights, so the operation's other fields keep their data.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from typing import Any

import asyncpg

import sql
from gateway.auth import Principal
from resolvers.errors import (
    ForbiddenError,
    GatewayError,
    LimitExceededError,
    QueryTimeoutError,
    UnavailableError,
    UserInputError,
)
from resolvers.port import Row

#: Longest part of a database message quoted back to the caller.
_MESSAGE_CHARS = 200
_BEGIN = sql.load("session_begin")
_ROLLBACK = "rollback"


def begin_statement(principal: Principal, statement_timeout_ms: int) -> str:
    """``session_begin.sql`` for ``principal``: values as base64 (no quote can end a literal)."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    return (
        _BEGIN.replace("{role}", b64(principal.role))
        .replace("{claims}", b64(principal.claims_json()))
        .replace("{timeout}", str(int(statement_timeout_ms)))
    )


async def reset_connection(conn: Any) -> None:
    """What the pool does to a returned connection: end a transaction left open. Everything a
    request sets is transaction-local (``set_config(..., true)``), so asyncpg's default reset
    (advisory unlocks, CLOSE ALL, UNLISTEN, RESET ALL: one more round trip) is not needed."""
    if conn.is_in_transaction():
        await conn.execute(_ROLLBACK)


def caller_error(exc: asyncpg.PostgresError, timeout_ms: int) -> GatewayError | None:
    """The caller-facing error for a database failure that is the request's doing, else None."""
    message = str(exc)[:_MESSAGE_CHARS]
    if isinstance(exc, asyncpg.QueryCanceledError):
        return QueryTimeoutError(
            f"the statement was cancelled after the {timeout_ms} ms statement timeout"
        )
    if isinstance(exc, asyncpg.DataError):
        return UserInputError(f"invalid value: {message}")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return ForbiddenError(f"not allowed for your role: {message}")
    return None


class Database:
    """An asyncpg pool for the gateway process."""

    def __init__(self, dsn: str, *, min_size: int = 2, max_size: int = 10) -> None:
        self.dsn = dsn
        self._min = min_size
        self._max = max_size
        self._pool: asyncpg.Pool | None = None
        #: requests waiting for a pooled connection right now
        self.waiting = 0

    async def open(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=self._min,
                max_size=self._max,
                command_timeout=60,
                reset=reset_connection,
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

    @property
    def in_use(self) -> int:
        """Connections of the pool lent out now."""
        pool = self._pool
        return 0 if pool is None else pool.get_size() - pool.get_idle_size()

    @property
    def max_size(self) -> int:
        return self._max

    def pool_snapshot(self) -> tuple[int, int, int, int]:
        """(in use, idle, max, waiting) for the metrics."""
        pool = self._pool
        idle = 0 if pool is None else pool.get_idle_size()
        return self.in_use, idle, self._max, self.waiting

    def session(
        self,
        principal: Principal,
        *,
        statement_timeout_ms: int = 15000,
        acquire_timeout: float | None = None,
        max_statements: int | None = None,
    ) -> RequestSession:
        return RequestSession(
            self,
            principal,
            statement_timeout_ms=statement_timeout_ms,
            acquire_timeout=acquire_timeout,
            max_statements=max_statements,
        )


class RequestSession:
    """One GraphQL operation's read-only transaction under ``principal``'s rights."""

    def __init__(
        self,
        db: Database,
        principal: Principal,
        *,
        statement_timeout_ms: int = 15000,
        acquire_timeout: float | None = None,
        max_statements: int | None = None,
    ) -> None:
        self._db = db
        self._principal = principal
        self._timeout = statement_timeout_ms
        self._acquire_timeout = acquire_timeout
        self._max_statements = max_statements
        self._conn: Any = None
        self._tx = False  # a transaction is open on _conn
        self._lock = asyncio.Lock()
        self._statements = 0
        self._running: asyncio.Task[Any] | None = None

    @property
    def statements(self) -> int:
        return self._statements

    async def _acquire(self) -> Any:
        self._db.waiting += 1
        try:
            return await self._db.pool.acquire(timeout=self._acquire_timeout)
        except TimeoutError as exc:
            raise UnavailableError(
                f"no database connection free within {self._acquire_timeout} s; retry shortly"
            ) from exc
        finally:
            self._db.waiting -= 1

    async def _connection(self) -> Any:
        if self._conn is None:
            self._conn = await self._acquire()
        if not self._tx:
            conn = self._conn
            try:
                await conn.execute(begin_statement(self._principal, self._timeout))
            except BaseException:
                self._conn = None
                await self._db.pool.release(conn)
                raise
            self._tx = True
            self._statements += 2  # begin + setup, sent together
        return self._conn

    async def _run(self, method: str, query: str, args: tuple[Any, ...]) -> Any:
        async with self._lock:
            if self._max_statements is not None and self._statements >= self._max_statements:
                raise LimitExceededError(
                    f"the operation may send at most {self._max_statements} SQL statements",
                    extra={"limit": "statements", "max": self._max_statements},
                )
            conn = await self._connection()
            self._statements += 1
            self._running = asyncio.current_task()
            try:
                return await getattr(conn, method)(query, *args)
            except asyncpg.PostgresError as exc:
                await self._abandon_transaction()
                error = caller_error(exc, self._timeout)
                if error is None:
                    raise
                raise error from exc
            finally:
                self._running = None

    async def _abandon_transaction(self) -> None:
        """Roll back the failed transaction; the next statement opens a new one."""
        tx, self._tx = self._tx, False
        if not tx or self._conn is None:
            return
        try:
            await self._conn.execute(_ROLLBACK)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            conn, self._conn = self._conn, None
            if conn is not None:
                await self._db.pool.release(conn)  # reset (or replaced) by the pool

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        rows: Sequence[Row] = await self._run("fetch", query, args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        row: Row | None = await self._run("fetchrow", query, args)
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run("fetchval", query, args)

    async def close(self) -> None:
        """End the transaction (read-only: rolling back loses nothing) and release.

        A statement still running (a DataLoader's batch runs in a task of its own, which
        cancelling the operation does not reach) is cancelled first: asyncpg then sends the
        server a cancel request, so nothing of the operation is left running.
        """
        running = self._running
        if running is not None and running is not asyncio.current_task() and not running.done():
            running.cancel()
            await asyncio.wait({running})
        conn, tx = self._conn, self._tx
        self._conn, self._tx = None, False
        if conn is None:
            return
        try:
            if tx:
                await conn.execute(_ROLLBACK)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            # e.g. its statement was cancelled mid-flight: the pool's release waits for the
            # cancel request to reach the server, then resets the connection (ROLLBACK).
            # Terminating it instead would drop that cancel request and leave the statement
            # running on the server.
            pass
        finally:
            await self._db.pool.release(conn)
