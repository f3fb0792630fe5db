"""One execution per event, document and viewer class, shared by all its subscribers.

graphql-core executes a subscription's selection set once per event per subscriber. When a
hundred managers subscribe to ``ticketChanged`` with the same document, that is a hundred
identical executions per change. The hub hands one event object to every subscriber of a viewer
class (same app role, agent and team, so the same row level security), and the schema turns it
into one root object carrying a ``shared_results`` dict. :class:`SharedEventExecutor` keys
executions by (document text, operation name, variables) in that dict: the first subscriber
executes, the others reuse its result (awaiting it if it is still running).

Sharing is sound because everything an execution reads depends only on the viewer class: the
payload was decided for the class, and nested fields are read under a subscriber's rights, which
RLS derives from (app role, agent, team) alone. Root objects without ``shared_results`` (and
queries and mutations) execute as usual.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


def _key(executor: Any) -> tuple[str, str | None, str] | None:
    operation = executor.operation
    loc = getattr(operation, "loc", None)
    if loc is None:
        return None
    name = operation.name.value if operation.name is not None else None
    variables = getattr(executor.variable_values, "coerced", executor.variable_values)
    try:
        frozen = repr(sorted((variables or {}).items()))
    except TypeError:
        return None
    return loc.source.body, name, frozen


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Shares a subscription event's execution among subscribers (see the module docstring)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        memo = getattr(self.root_value, "shared_results", None)
        if not isinstance(memo, dict) or self.operation.operation != OperationType.SUBSCRIPTION:
            return super().execute_operation(serially)
        key = _key(self)
        if key is None:
            return super().execute_operation(serially)
        if key in memo:
            found = memo[key]
            return _wait(found) if isinstance(found, asyncio.Future) else found
        result = super().execute_operation(serially)
        if not self.is_awaitable(result):
            memo[key] = result
            return result
        future = asyncio.ensure_future(result)
        memo[key] = future
        future.add_done_callback(lambda done: _settle(memo, key, done))
        return _wait(future)


async def _wait(future: Awaitable[Any]) -> Any:
    return await asyncio.shield(future)


def _settle(memo: dict[Any, Any], key: Any, done: asyncio.Future[Any]) -> None:
    """Replace the finished future by its result (or forget a failed one)."""
    if done.cancelled() or done.exception() is not None:
        memo.pop(key, None)
    else:
        memo[key] = done.result()
