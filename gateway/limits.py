"""Operation limits, checked before execution: tokens, depth, aliases, root fields, static cost,
introspection and the fields anonymous callers may ask for.

Strawberry's ``MaxTokensLimiter``, ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` are schema-wide
validation rules whose failures are ordinary GraphQL validation errors (HTTP 200). The gateway
needs the limits per caller (:class:`gateway.role_limits.RoleLimits`), a static cost model, and a
4xx naming the limit and the value, so it measures documents itself, once per distinct
document text (:class:`gateway.documents.DocumentCache`), and compares the measures with the
caller's limits (:func:`check_limits`):

- **tokens**: graphql-core's parser stops after ``tokens`` tokens (``max_tokens``), so a huge
  document costs at most that much parsing;
- **depth**: nesting of field selections (fragments expanded);
- **aliases**: aliased fields in the whole document;
- **root fields**: fields selected at the root of the operation;
- **cost**: the static cost model of :mod:`gateway.cost` (connections × page size, analytics
  weights, series points);
- **anonymous callers** may use only :data:`ANON_ROOT_FIELDS` (everything else is FORBIDDEN,
  before any SQL runs: their role has no access to the analytics schema), and no mutations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLSchema, OperationType

from gateway.cost import WEIGHTS, StaticCost
from gateway.documents import DocumentCache, Operation, Prepared, select_operation
from gateway.role_limits import RoleLimits
from resolvers.errors import ForbiddenError, LimitExceededError

#: Root fields an anonymous caller may ask for (plain reads: row level security shows them
#: nothing). Every other field, including those added later, is FORBIDDEN to them.
ANON_ROOT_FIELDS = frozenset(
    {
        "__typename",
        "__schema",
        "__type",
        "viewer",
        "ticket",
        "tickets",
        "agent",
        "agents",
        "team",
        "teams",
        "customer",
        "customers",
        "categories",
        "category",
        "slaPolicies",
        "alerts",
        "alert",
        "incidents",
        "kpiDefinitions",
    }
)


def _exceeded(limit: str, value: int, maximum: int, what: str) -> LimitExceededError:
    return LimitExceededError(
        f"{what} {value} exceeds the limit '{limit}' of {maximum}",
        extra={"limit": limit, "value": value, "max": maximum},
    )


def check_limits(
    prepared: Prepared,
    op: Operation,
    limits: RoleLimits,
    *,
    anonymous: bool,
    variables: Mapping[str, Any] | None,
    schema: GraphQLSchema,
) -> int:
    """Raise the first limit ``op`` exceeds for this caller; return its static cost."""
    if anonymous:
        if op.kind is not OperationType.QUERY:
            raise ForbiddenError(f"anonymous callers may not run a {op.kind.value}")
        denied = sorted({r for r in op.root_fields if r not in ANON_ROOT_FIELDS})
        if denied:
            raise ForbiddenError(
                f"sign in to ask for {', '.join(denied)[:200]}: not available to anonymous callers"
            )
    if op.introspection and not limits.introspection:
        raise ForbiddenError("introspection is disabled for your role")
    if op.depth > limits.depth:
        raise _exceeded("depth", op.depth, limits.depth, "the selection depth")
    if prepared.aliases > limits.aliases:
        raise _exceeded("aliases", prepared.aliases, limits.aliases, "the number of aliases")
    if len(op.root_fields) > limits.root_fields:
        raise _exceeded(
            "root_fields", len(op.root_fields), limits.root_fields, "the number of root fields"
        )
    cost = StaticCost(prepared, variables or {}, schema).operation(op)
    if cost > limits.cost:
        raise _exceeded("cost", cost, limits.cost, "the operation's static cost")
    return cost


__all__ = [
    "ANON_ROOT_FIELDS",
    "WEIGHTS",
    "DocumentCache",
    "Operation",
    "Prepared",
    "check_limits",
    "select_operation",
]
