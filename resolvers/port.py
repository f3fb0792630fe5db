"""The database port: what resolvers need from a database session, and nothing more.

Resolvers never open connections or know which backend they talk to (direct Postgres or the
Supabase REST API); they receive a :class:`Session` through the request context, and mutations a
:class:`WriteSessions` (attribute ``writes``). Every query
text comes from :mod:`sql` (named ``.sql`` files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = Mapping[str, Any]


class Session(Protocol):
    """One request's view of the database, under the caller's rights.

    All statements of a session run in one read-only transaction in which the caller's Postgres
    role and JWT claims are set, so row level security decides every row.
    """

    @property
    def statements(self) -> int:
        """How many SQL statements this session has sent (setup included)."""
        ...

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        """All rows of ``query``."""
        ...

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        """The first row of ``query`` or None."""
        ...

    async def fetchval(self, query: str, *args: Any) -> Any:
        """The first column of the first row of ``query`` or None."""
        ...


class WriteSessions(Protocol):
    """Opens read-write transactions under the caller's rights (the gateway's implementation is
    :class:`gateway.transactions.PrincipalWrites`)."""

    def write_session(self) -> AbstractAsyncContextManager[Session]:
        """A transaction: committed on normal exit, rolled back on an exception."""
        ...
