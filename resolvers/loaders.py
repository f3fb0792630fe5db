"""Per-request DataLoaders: every relation of the graph is fetched in batches.

A :class:`Loaders` instance is created for each GraphQL operation (never shared between
requests, since rows depend on the caller's rights). Each loader turns the keys requested in one
event-loop tick into one SQL statement, so a page of 100 tickets with their agents, teams,
customers, categories, surveys and latest interactions costs the same handful of statements as a
page of 10.

Loaders are named for what they return (``agent_by_id``, ``sla_targets_by_ticket``); each names
the query it runs in ``sql/queries/`` in its docstring. Loaders that take parameters besides the
key (a window, a limit) are methods: one loader, hence one batch, per distinct parameter set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Coroutine, Hashable, Sequence
from datetime import date, datetime
from typing import Any

from aiodataloader import DataLoader as _DataLoader

import sql
from resolvers.port import Row, Session

DataLoader = _DataLoader[Any, Any]
Batch = Callable[[list[Any]], Coroutine[Any, Any, list[Any]]]


def _one_per_key(session: Session, query: str, key_column: str, *extra: Any) -> Batch:
    async def batch(keys: list[Any]) -> list[Row | None]:
        rows = await session.fetch(query, list(keys), *extra)
        by_key = {r[key_column]: r for r in rows}
        return [by_key.get(k) for k in keys]

    return batch


def _many_per_key(session: Session, query: str, key_column: str, *extra: Any) -> Batch:
    async def batch(keys: list[Any]) -> list[list[Row]]:
        rows = await session.fetch(query, list(keys), *extra)
        grouped: dict[Hashable, list[Row]] = defaultdict(list)
        for r in rows:
            grouped[r[key_column]].append(r)
        return [grouped.get(k, []) for k in keys]

    return batch


class Loaders:
    """The request's DataLoaders, created lazily (one per name and parameter set)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[Hashable, DataLoader] = {}

    def _get(self, key: Hashable, factory: Callable[[], Batch]) -> DataLoader:
        loader = self._cache.get(key)
        if loader is None:
            loader = _DataLoader(batch_load_fn=factory(), max_batch_size=1000)
            self._cache[key] = loader
        return loader

    def keyed(self, key: Hashable, factory: Callable[[], Callable[..., Any]]) -> DataLoader:
        """The request's loader for ``key``, created from ``factory`` (a batch function maker)
        on first use: for domain modules batching their own fields."""
        return self._get(key, factory)

    def _one(self, query: str, key_column: str = "id", *extra: Any) -> DataLoader:
        return self._get(
            (query, key_column, *extra),
            lambda: _one_per_key(self._session, sql.load(query), key_column, *extra),
        )

    def _many(self, query: str, key_column: str, *extra: Any) -> DataLoader:
        return self._get(
            (query, key_column, *extra),
            lambda: _many_per_key(self._session, sql.load(query), key_column, *extra),
        )

    @property
    def ticket_by_id(self) -> DataLoader:
        """Ticket row by id, or None (``tickets_by_ids``)."""
        return self._one("tickets_by_ids")

    @property
    def agent_by_id(self) -> DataLoader:
        """Agent row by id, or None (``agents_by_ids``)."""
        return self._one("agents_by_ids")

    @property
    def team_by_id(self) -> DataLoader:
        """Team row by id, or None (``teams_by_ids``)."""
        return self._one("teams_by_ids")

    @property
    def customer_by_id(self) -> DataLoader:
        """Customer row (with contact fields when visible) by id, or None (``customers_by_ids``)."""
        return self._one("customers_by_ids")

    @property
    def category_by_id(self) -> DataLoader:
        """Category row by id, or None (``categories_by_ids``)."""
        return self._one("categories_by_ids")

    @property
    def sla_policy_by_id(self) -> DataLoader:
        """SLA policy row by id, or None (``sla_policies_by_ids``)."""
        return self._one("sla_policies_by_ids")

    @property
    def alert_by_id(self) -> DataLoader:
        """Alert row by id, or None (``alerts_by_ids``)."""
        return self._one("alerts_by_ids")

    @property
    def survey_by_ticket(self) -> DataLoader:
        """A ticket's survey row, or None (``surveys_by_tickets``)."""
        return self._one("surveys_by_tickets", "ticket_id")

    @property
    def sla_targets_by_ticket(self) -> DataLoader:
        """A ticket's SLA target rows (``sla_by_tickets``)."""
        return self._many("sla_by_tickets", "ticket_id")

    @property
    def sla_state_by_ticket(self) -> DataLoader:
        """Live SLA state of a ticket's targets (``sla_ticket_state``, see
        :mod:`resolvers.sla_state`)."""
        from resolvers.sla_state import sla_state_batch

        return self._get("sla_ticket_state", lambda: sla_state_batch(self._session))

    @property
    def children_by_category(self) -> DataLoader:
        """A category's direct sub-category rows (``categories_children``)."""
        return self._many("categories_children", "parent_id")

    @property
    def agents_by_team(self) -> DataLoader:
        """A team's agent rows (``team_agents``)."""
        return self._many("team_agents", "team_id")

    @property
    def lead_by_team(self) -> DataLoader:
        """A team's lead agent row, or None (``team_leads``)."""
        return self._one("team_leads", "team_id")

    @property
    def training_by_agent(self) -> DataLoader:
        """An agent's training record rows, newest first (``agent_training``)."""
        return self._many("agent_training", "agent_id")

    @property
    def vip_history_by_customer(self) -> DataLoader:
        """A customer's VIP tier periods, oldest first (``customer_vip_history``)."""
        return self._many("customer_vip_history", "customer_id")

    def latest_interactions_by_ticket(self, limit: int) -> DataLoader:
        """A ticket's latest ``limit`` interaction rows (``interactions_latest_by_tickets``)."""
        return self._many("interactions_latest_by_tickets", "ticket_id", limit)

    def daily_metrics_by_agent(self, first: date, last: date) -> DataLoader:
        """An agent's daily metric rows of days ``first..last`` (``agent_daily_metrics``)."""
        return self._many("agent_daily_metrics", "agent_id", first, last)

    def evaluations_by_agent(self, last: int) -> DataLoader:
        """An agent's latest ``last`` QA evaluation rows (``agent_evaluations``)."""
        return self._many("agent_evaluations", "agent_id", last)

    def stats_by_category(self, start: datetime, end: datetime) -> DataLoader:
        """A category's ticket statistics row over ``[start, end)`` (``category_stats``)."""
        return self._one("category_stats", "category_id", start, end)

    def support_summary_by_customer(
        self, start: datetime, end: datetime, now: datetime
    ) -> DataLoader:
        """A customer's support summary row over ``[start, end)`` as of the request's clock
        ``now`` (``customer_support_summary``)."""
        return self._one("customer_support_summary", "customer_id", start, end, now)

    def computed(self, key: Hashable, batch: Batch) -> DataLoader:
        """A loader over a batch function of the resolvers (e.g. a KPI call), cached by ``key``."""
        return self._get(key, lambda: batch)


async def load_many(loader: DataLoader, keys: Sequence[Any]) -> list[Any]:
    """``loader.load_many`` with a precise return type."""
    result: list[Any] = await loader.load_many(list(keys))
    return result


async def load_now(loader: DataLoader, keys: Sequence[Any]) -> list[Any]:
    """What ``loader.load_many(keys)`` returns, without its machinery: the keys go to the
    loader's batch function at once (the same one statement; no future per key, no wait for the
    next loop turn) and the values are primed into its cache, so later loads of these keys reuse
    them. A failed batch caches nothing, as a failed DataLoader dispatch clears its keys. More
    keys than one batch holds go through ``load_many``."""
    if loader.max_batch_size is not None and len(keys) > loader.max_batch_size:
        return await load_many(loader, keys)
    values: list[Any] = await loader.batch_load_fn(list(keys))
    for key, value in zip(keys, values, strict=True):
        loader.prime(key, value)
    return values
