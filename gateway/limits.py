"""Operation limits, checked before execution: tokens, depth, aliases, root fields, static cost,
introspection and the fields anonymous callers may ask for.

Strawberry's ``MaxTokensLimiter``, ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` are schema-wide
validation rules whose failures are ordinary GraphQL validation errors (HTTP 200). The gateway
needs the limits per caller (:class:`gateway.role_limits.RoleLimits`), a static cost model, and a
4xx naming the limit and the value, so it measures documents itself, once per distinct
document text (:class:`DocumentCache`), and compares the measures with the caller's limits:

- **tokens**: graphql-core's parser stops after ``tokens`` tokens (``max_tokens``), so a huge
  document costs at most that much parsing;
- **depth**: nesting of field selections (fragments expanded);
- **aliases**: aliased fields in the whole document;
- **root fields**: fields selected at the root of the operation;
- **cost**: ``weight(field) + multiplier(field) × cost(children)``, where a connection's
  multiplier is its ``first``/``last`` (literal, variable or default page size), other lists
  count :data:`LIST_SIZE` (a connection's ``edges``/``nodes`` count 1), and analytics fields
  carry their weights (:data:`WEIGHTS`);
- **anonymous callers** may use only :data:`ANON_ROOT_FIELDS` (everything else is FORBIDDEN,
  before any SQL runs: their role has no access to the analytics schema), and no mutations.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
    specified_rules,
)
from strawberry.schema.schema import validate_document

from gateway.role_limits import RoleLimits
from resolvers.errors import ForbiddenError, LimitExceededError

#: Multiplier of a list field that is not a connection (no ``first``/``last``).
LIST_SIZE = 10
#: Page size of a connection when neither ``first`` nor ``last`` is given, and the largest
#: (a larger one is refused by the resolver anyway).
DEFAULT_PAGE = 50
MAX_PAGE = 500
#: Extra weight of fields that compute analytics (SQL aggregates, models), ``Type.field``.
WEIGHTS: Mapping[str, int] = {
    "Query.dashboard": 100,
    "Query.kpi": 10,
    "Query.kpis": 30,
    "Query.timeSeries": 50,
    "Query.satisfaction": 40,
    "Query.operations": 40,
    "Query.teamPerformance": 60,
    "Query.vipAnalytics": 40,
    "Query.volumeForecast": 100,
    "Query.staffingPlan": 100,
    "Agent.performance": 10,
    "Team.performance": 20,
    "Category.stats": 10,
    "Customer.supportSummary": 5,
    # insights (issue 11)
    "Query.satisfactionDrivers": 150,
    "Query.satisfactionForecast": 50,
    "Query.churnRisk": 60,
    "Query.upsellCandidates": 60,
    "Query.predictionAccuracy": 50,
    "Ticket.satisfactionRisk": 2,
    "Customer.churnRisk": 2,
    "Query.skillGaps": 60,
    "Query.automationOpportunities": 100,
    "Query.capacity": 60,
    # reports (issue 12): the link costs a check (a count for ticket exports); the download is
    # its own request
    "Mutation.exportTickets": 10,
    "Mutation.runReport": 5,
    # statistics (issue 10)
    "Query.trend": 50,
    "Query.seasonality": 80,
    "Query.anomalies": 80,
    "Query.correlations": 100,
    "Query.benchmark": 60,
    "Query.rootCause": 150,
    "Query.kpiForecast": 100,
}
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
_INTROSPECTION = frozenset({"__schema", "__type"})
Fielded = GraphQLObjectType | GraphQLInterfaceType


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a document and its measures (cost is per request: variables)."""

    name: str | None
    kind: OperationType
    node: OperationDefinitionNode
    depth: int
    root_fields: tuple[str, ...]
    introspection: bool


@dataclass(slots=True)
class Prepared:
    """A parsed and measured document (``errors``: parse errors, then, once
    :meth:`DocumentCache.validate` ran, validation errors)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    operations: tuple[Operation, ...] = ()
    aliases: int = 0
    fragments: Mapping[str, FragmentDefinitionNode] | None = None
    validated: bool = False


class DocumentCache:
    """Parsed and measured documents by text (LRU, at most ``size`` entries), validated once
    their first caller's limits passed (validating is the expensive step).

    Keyed by (text, token limit): the parser stops at the caller's token limit.
    """

    def __init__(self, schema: GraphQLSchema, size: int = 512) -> None:
        self._schema = schema
        self._rules = tuple(specified_rules)
        self._size = size
        self._entries: OrderedDict[tuple[str, int], Prepared] = OrderedDict()

    @property
    def schema(self) -> GraphQLSchema:
        return self._schema

    def get(self, query: str, max_tokens: int) -> Prepared:
        key = (query, max_tokens)
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            return hit
        prepared = self._prepare(query, max_tokens)
        self._entries[key] = prepared
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return prepared

    def _prepare(self, query: str, max_tokens: int) -> Prepared:
        try:
            document = parse(query, max_tokens=max_tokens, no_location=False)
        except GraphQLError as error:
            if "tokens" in error.message and "Parsing aborted" in error.message:
                raise LimitExceededError(
                    f"the document has more than {max_tokens} tokens (limit 'tokens')",
                    extra={"limit": "tokens", "max": max_tokens},
                ) from error
            return Prepared(None, (error,))
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        operations = tuple(
            _measure(d, fragments)
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        )
        return Prepared(document, (), operations, _count_aliases(document), fragments)

    def validate(self, prepared: Prepared) -> tuple[GraphQLError, ...]:
        """The document's validation errors (validated once, after the limits passed)."""
        if not prepared.validated and prepared.document is not None:
            prepared.errors = tuple(validate_document(self._schema, prepared.document, self._rules))
            prepared.validated = True
        return prepared.errors


def _fields(
    selections: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[tuple[FieldNode, str | None]]:
    """Fields of a selection set with fragments expanded (with their type condition)."""
    out: list[tuple[FieldNode, str | None]] = []
    if selections is None:
        return out
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            out.append((selection, None))
        elif isinstance(selection, InlineFragmentNode):
            cond = selection.type_condition.name.value if selection.type_condition else None
            out += [(f, c or cond) for f, c in _fields(selection.selection_set, fragments, seen)]
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                cond = fragment.type_condition.name.value
                inner = _fields(fragment.selection_set, fragments, seen | {name})
                out += [(f, c or cond) for f, c in inner]
    return out


def _depth(
    selections: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> int:
    deepest = 0
    stack: list[tuple[SelectionSetNode | None, int]] = [(selections, 0)]
    while stack:
        node, level = stack.pop()
        for field, _ in _fields(node, fragments):
            deepest = max(deepest, level + 1)
            if field.selection_set is not None and level < 1000:
                stack.append((field.selection_set, level + 1))
    return deepest


def _measure(
    node: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Operation:
    roots = tuple(f.name.value for f, _ in _fields(node.selection_set, fragments))
    return Operation(
        name=node.name.value if node.name else None,
        kind=node.operation,
        node=node,
        depth=_depth(node.selection_set, fragments),
        root_fields=roots,
        introspection=any(r in _INTROSPECTION for r in roots),
    )


def _count_aliases(document: DocumentNode) -> int:
    count = 0
    stack: list[SelectionSetNode | None] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        for selection in node.selections:
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode):
                stack.append(selection.selection_set)
    return count


def select_operation(prepared: Prepared, operation_name: str | None) -> Operation:
    """The operation to run; several operations need ``operationName`` (a request error)."""
    ops = prepared.operations
    if operation_name is None:
        if len(ops) != 1:
            raise LimitExceededError(
                "operationName is required when the document has several operations"
                if ops
                else "the document has no operation",
                extra={"limit": "operationName"},
            )
        return ops[0]
    for op in ops:
        if op.name == operation_name:
            return op
    raise LimitExceededError(
        f"no operation named {operation_name[:200]!r} in the document",
        extra={"limit": "operationName"},
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


class StaticCost:
    """The static cost model over the schema's types (see the module docstring)."""

    def __init__(
        self, prepared: Prepared, variables: Mapping[str, Any], schema: GraphQLSchema
    ) -> None:
        self._fragments = prepared.fragments or {}
        self._variables = variables
        self._schema = schema

    def operation(self, op: Operation) -> int:
        root = self._schema.get_root_type(op.kind)
        return self._selection(op.node.selection_set, root, 0)

    def _type(self, name: str) -> Fielded | None:
        found = self._schema.get_type(name)
        return found if isinstance(found, GraphQLObjectType | GraphQLInterfaceType) else None

    def _selection(
        self, selections: SelectionSetNode | None, parent: Fielded | None, level: int
    ) -> int:
        total = 0
        for field, condition in _fields(selections, self._fragments):
            owner = self._type(condition) if condition else parent
            name = field.name.value
            definition = owner.fields.get(name) if owner is not None else None
            if definition is None:
                continue
            child_type = get_named_type(definition.type)
            weight = WEIGHTS.get(f"{owner.name}.{name}", 0) if owner is not None else 0
            if field.selection_set is None or level > 64:
                total += weight
                continue
            child = (
                child_type
                if isinstance(child_type, GraphQLObjectType | GraphQLInterfaceType)
                else None
            )
            inner = self._selection(field.selection_set, child, level + 1)
            if owner is not None and owner.name.endswith("Connection"):
                multiplier = 1  # edges/nodes: the connection's first/last counted them
            else:
                multiplier = self._multiplier(field, definition)
            total += weight + 1 + multiplier * inner
        return total

    def _multiplier(self, field: FieldNode, definition: Any) -> int:
        args = {a.name.value: a.value for a in field.arguments or ()}
        for name in ("first", "last"):
            if name in definition.args:
                value = self._int(args.get(name))
                if value is None:
                    default = definition.args[name].default_value
                    value = default if isinstance(default, int) else None
                if value is not None:
                    return min(max(value, 1), MAX_PAGE)
        if "first" in definition.args or "last" in definition.args:
            return DEFAULT_PAGE
        kind = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else None
        is_list = isinstance(definition.type, GraphQLList) or isinstance(kind, GraphQLList)
        return LIST_SIZE if is_list else 1

    def _int(self, node: Any) -> int | None:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            value = self._variables.get(node.name.value)
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        return None
