"""Parsed and measured GraphQL documents: each distinct document text is parsed once (stopping
at the caller's token limit), measured (per operation: depth with fragments expanded, root
fields, introspection; per document: aliases) and validated once its first caller's limits
passed (:class:`DocumentCache`). :mod:`gateway.limits` compares the measures with a caller's
limits; :mod:`gateway.cost` computes the static cost (it depends on the variables).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    specified_rules,
)
from strawberry.schema.schema import validate_document

from resolvers.errors import LimitExceededError

_INTROSPECTION = frozenset({"__schema", "__type"})


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
            measure(d, fragments)
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        )
        return Prepared(document, (), operations, count_aliases(document), fragments)

    def validate(self, prepared: Prepared) -> tuple[GraphQLError, ...]:
        """The document's validation errors (validated once, after the limits passed)."""
        if not prepared.validated and prepared.document is not None:
            prepared.errors = tuple(validate_document(self._schema, prepared.document, self._rules))
            prepared.validated = True
        return prepared.errors


def expanded_fields(
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
            out += [
                (f, c or cond) for f, c in expanded_fields(selection.selection_set, fragments, seen)
            ]
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                cond = fragment.type_condition.name.value
                inner = expanded_fields(fragment.selection_set, fragments, seen | {name})
                out += [(f, c or cond) for f, c in inner]
    return out


def _depth(
    selections: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> int:
    deepest = 0
    stack: list[tuple[SelectionSetNode | None, int]] = [(selections, 0)]
    while stack:
        node, level = stack.pop()
        for field, _ in expanded_fields(node, fragments):
            deepest = max(deepest, level + 1)
            if field.selection_set is not None and level < 1000:
                stack.append((field.selection_set, level + 1))
    return deepest


def measure(
    node: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Operation:
    """An operation's measures (fragments expanded, each spread once per path)."""
    roots = tuple(f.name.value for f, _ in expanded_fields(node.selection_set, fragments))
    return Operation(
        name=node.name.value if node.name else None,
        kind=node.operation,
        node=node,
        depth=_depth(node.selection_set, fragments),
        root_fields=roots,
        introspection=any(r in _INTROSPECTION for r in roots),
    )


def _written_fields(document: DocumentNode) -> Iterator[FieldNode]:
    """Every field node as written in the document (fragment definitions once, spreads not
    followed): what the document's text costs to hold, whatever is spread where."""
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
            if isinstance(selection, FieldNode):
                yield selection
            if isinstance(selection, FieldNode | InlineFragmentNode):
                stack.append(selection.selection_set)


def count_aliases(document: DocumentNode) -> int:
    """Aliased fields in the whole document, as written."""
    return sum(1 for field in _written_fields(document) if field.alias is not None)


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
