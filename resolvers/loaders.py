"""Per-request DataLoaders: every relation of the graph is fetched in batches.

A :class:`Loaders` instance is created for each GraphQL operation (never shared between
requests, since rows depend on the caller's rights). Each loader turns the keys requested in one
event-loop tick into one SQL statement, so a page of 100 tickets with their agents, teams,
customers, categories, surveys and latest interactions costs the same handful of statements as a
page of 10.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from aiodataloader import DataLoader as _DataLoader

import sql
from resolvers.port import Row, Session

DataLoader = _DataLoader[Any, Any]


def _one_per_key(
    session: Session, query: str, key_column: str = "id", *extra: Any
) -> Callable[[list[Any]], Awaitable[list[Row | None]]]:
    async def batch(keys: list[Any]) -> list[Row | None]:
        rows = await session.fetch(query, list(keys), *extra)
        by_key = {r[key_column]: r for r in rows}
        return [by_key.get(k) for k in keys]

    return batch


def _many_per_key(
    session: Session, query: str, key_column: str, *extra: Any
) -> Callable[[list[Any]], Awaitable[list[list[Row]]]]:
    async def batch(keys: list[Any]) -> list[list[Row]]:
        rows = await session.fetch(query, list(keys), *extra)
        grouped: dict[Hashable, list[Row]] = defaultdict(list)
        for r in rows:
            grouped[r[key_column]].append(r)
        return [grouped.get(k, []) for k in keys]

    return batch


class Loaders:
    """The request's DataLoaders, created lazily by name."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[Hashable, DataLoader] = {}

    def _get(self, key: Hashable, factory: Callable[[], Callable[..., Any]]) -> DataLoader:
        loader = self._cache.get(key)
        if loader is None:
            loader = _DataLoader(batch_load_fn=factory(), max_batch_size=1000)
            self._cache[key] = loader
        return loader

    def _by_id(self, name: str) -> DataLoader:
        return self._get(name, lambda: _one_per_key(self._session, sql.load(name)))

    @property
    def ticket(self) -> DataLoader:
        return self._by_id("tickets_by_ids")

    @property
    def agent(self) -> DataLoader:
        return self._by_id("agents_by_ids")

    @property
    def team(self) -> DataLoader:
        return self._by_id("teams_by_ids")

    @property
    def customer(self) -> DataLoader:
        return self._by_id("customers_by_ids")

    @property
    def category(self) -> DataLoader:
        return self._by_id("categories_by_ids")

    @property
    def sla_policy(self) -> DataLoader:
        return self._by_id("sla_policies_by_ids")

    @property
    def survey_by_ticket(self) -> DataLoader:
        return self._get(
            "surveys_by_tickets",
            lambda: _one_per_key(self._session, sql.load("surveys_by_tickets"), "ticket_id"),
        )

    @property
    def sla_by_ticket(self) -> DataLoader:
        return self._get(
            "sla_by_tickets",
            lambda: _many_per_key(self._session, sql.load("sla_by_tickets"), "ticket_id"),
        )

    @property
    def category_children(self) -> DataLoader:
        return self._get(
            "categories_children",
            lambda: _many_per_key(self._session, sql.load("categories_children"), "parent_id"),
        )

    @property
    def sla_state(self) -> DataLoader:
        """Live SLA state of each ticket's targets (business minutes left, breached now)."""
        from resolvers.sla_state import sla_state_batch

        return self._get("sla_ticket_state", lambda: sla_state_batch(self._session))

    def latest_interactions(self, limit: int) -> DataLoader:
        """Latest ``limit`` interactions per ticket (one loader per distinct limit)."""
        return self._get(
            ("interactions_latest_by_tickets", limit),
            lambda: _many_per_key(
                self._session, sql.load("interactions_latest_by_tickets"), "ticket_id", limit
            ),
        )

    def many(self, query_name: str, key_column: str, *extra: Any) -> DataLoader:
        """A generic one-to-many loader over a named query taking the key array as $1."""
        return self._get(
            (query_name, key_column, *extra),
            lambda: _many_per_key(self._session, sql.load(query_name), key_column, *extra),
        )

    def one(self, query_name: str, key_column: str = "id", *extra: Any) -> DataLoader:
        """A generic one-to-one loader over a named query taking the key array as $1 (and
        ``extra`` as $2...: one loader, hence one batch, per distinct ``extra``)."""
        return self._get(
            (query_name, key_column, *extra),
            lambda: _one_per_key(self._session, sql.load(query_name), key_column, *extra),
        )

    def computed(
        self, key: Hashable, batch: Callable[[list[Any]], Awaitable[list[Any]]]
    ) -> DataLoader:
        """A loader over an arbitrary batch function (e.g. a KPI engine call), cached by ``key``."""
        return self._get(key, lambda: batch)


async def load_many(loader: DataLoader, keys: Sequence[Any]) -> list[Any]:
    """``loader.load_many`` with a precise return type."""
    result: list[Any] = await loader.load_many(list(keys))
    return result
