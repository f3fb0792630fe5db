"""Plans for completing a list of objects in one tight loop instead of graphql-core's generic
path (per item: a ``Path``, the collected fields, ``execute_field`` per field, ``complete_value``
per level, awaitable checks).

A plan exists for a list field whose items are objects and whose selection, at every level, is
only fields without arguments, directives or fragments, each one of:

- ``__typename``;
- an **attribute leaf** (:data:`gateway.fast_execution.LEAF`): the attribute, coerced;
- a **synchronous direct resolver** (:mod:`gateway.fast_execution`; ``def``, not ``async def``)
  returning a leaf or an object, called with the resolve info graphql-core would build;
- an attribute holding an object (a plan of its own for that object's selection).

Running a plan builds exactly the dicts graphql-core builds. Anything irregular gives up
(:data:`GIVE_UP`) and graphql-core completes the list as usual, so values and errors are its
own: a resolver returning an awaitable (it is closed, never awaited), raising, a null where the
type says non-null, a failed coercion. Resolvers the plan called before giving up are called
again by graphql-core: only synchronous resolvers of plain fields are planned, which read, they
do not write. Lists of at least :data:`OFF_LOOP_ITEMS` items whose plan calls no resolver run on
the CPU pool (:func:`run_off_loop`).
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined

#: ``GraphQLField.extensions`` key of an attribute leaf: (python name, leaf type, non-null).
LEAF = "gateway.attribute_leaf"
#: Attribute of a direct resolver function that is synchronous (set by fast_execution).
SYNC_DIRECT = "_gateway_sync_direct"
#: Lists at least this long, whose plan calls no resolver, are completed on the CPU pool.
OFF_LOOP_ITEMS = 2_000
#: What running a plan returns when graphql-core must complete the list instead.
GIVE_UP: Any = object()
#: Plans kept, by the list field's node (documents are cached, so their nodes live on).
PLAN_CACHE_SIZE = 1024

_TYPENAME, _LEAF, _RESOLVE, _OBJECT = range(4)


@dataclass(frozen=True, slots=True)
class Step:
    """One selected field of a planned object."""

    response: str
    kind: int
    attribute: str | None
    resolve: Callable[..., Any] | None
    field_def: GraphQLField | None
    node: FieldNode
    leaf_type: Any
    non_null: bool
    sub: ObjectPlan | None


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    """How to complete one object: its type and its steps."""

    type_: GraphQLObjectType
    steps: tuple[Step, ...]
    calls_resolvers: bool


@dataclass(frozen=True, slots=True)
class ListPlan:
    item: ObjectPlan
    item_non_null: bool


_plans: OrderedDict[int, tuple[FieldNode, GraphQLObjectType, ListPlan | None]] = OrderedDict()


def list_plan(return_type: GraphQLList[Any], field_details_list: Any) -> ListPlan | None:
    """The plan of a list field, or None (graphql-core's path)."""
    item_type = return_type.of_type
    item_non_null = isinstance(item_type, GraphQLNonNull)
    if item_non_null:
        item_type = item_type.of_type
    if not isinstance(item_type, GraphQLObjectType) or len(field_details_list) != 1:
        return None
    node = field_details_list[0].node
    hit = _plans.get(id(node))
    if hit is not None and hit[0] is node and hit[1] is item_type:
        _plans.move_to_end(id(node))
        return hit[2]
    plan = None
    if not node.directives:
        obj = _object_plan(item_type, node)
        plan = ListPlan(obj, item_non_null) if obj is not None else None
    _plans[id(node)] = (node, item_type, plan)
    if len(_plans) > PLAN_CACHE_SIZE:
        _plans.popitem(last=False)
    return plan


def _object_plan(type_: GraphQLObjectType, node: FieldNode) -> ObjectPlan | None:
    if node.selection_set is None or type_.is_type_of is not None:
        return None
    steps: list[Step] = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        step = _step(type_, selection)
        if step is None:
            return None
        steps.append(step)
    if len({s.response for s in steps}) != len(steps):
        return None
    calls = any(s.kind == _RESOLVE or (s.sub is not None and s.sub.calls_resolvers) for s in steps)
    return ObjectPlan(type_, tuple(steps), calls)


def _step(type_: GraphQLObjectType, node: FieldNode) -> Step | None:
    name = node.name.value
    response = node.alias.value if node.alias else name
    if name == "__typename":
        return Step(response, _TYPENAME, None, None, None, node, type_.name, True, None)
    field = type_.fields.get(name)
    if field is None:
        return None
    leaf = (field.extensions or {}).get(LEAF)
    if leaf is not None:
        return Step(response, _LEAF, leaf[0], None, field, node, leaf[1], leaf[2], None)
    gql_type: Any = field.type
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if non_null else gql_type
    resolve = field.resolve
    direct = resolve is not None and getattr(resolve, SYNC_DIRECT, False)
    basic = resolve is not None and getattr(resolve, "_is_default", False)
    if not (direct or basic) or field.args:
        return None
    if is_leaf_type(inner):
        if not direct:
            return None
        return Step(response, _RESOLVE, None, resolve, field, node, inner, non_null, None)
    if not isinstance(inner, GraphQLObjectType):
        return None
    sub = _object_plan(inner, node)
    if sub is None:
        return None
    if direct:
        return Step(response, _RESOLVE, None, resolve, field, node, None, non_null, sub)
    python_name = _python_name(field)
    if python_name is None:
        return None
    return Step(response, _OBJECT, python_name, None, field, node, None, non_null, sub)


def _python_name(field: GraphQLField) -> str | None:
    definition = (field.extensions or {}).get("strawberry-definition")
    name = getattr(definition, "python_name", None)
    return name if isinstance(name, str) else None


def run_plan(
    plan: ListPlan, items: Sequence[Any], executor: Any, path: Path, resolve_info: Any
) -> Any:
    """The completed list, or :data:`GIVE_UP` (``resolve_info(field_def, nodes, parent, path)``
    builds a resolver's info, as the executor does)."""
    out: list[Any] = []
    try:
        for index, item in enumerate(items):
            if item is None:
                if plan.item_non_null:
                    return GIVE_UP
                out.append(None)
                continue
            done = _complete(plan.item, item, executor, path.add_key(index, None), resolve_info)
            if done is GIVE_UP:
                return GIVE_UP
            out.append(done)
    except Exception:
        return GIVE_UP
    return out


def _complete(plan: ObjectPlan, obj: Any, executor: Any, path: Path, resolve_info: Any) -> Any:
    row: dict[str, Any] = {}
    type_ = plan.type_
    for step in plan.steps:
        kind = step.kind
        if kind == _TYPENAME:
            row[step.response] = step.leaf_type
            continue
        if kind == _RESOLVE:
            assert step.resolve is not None and step.field_def is not None
            field_path = Path(path, step.response, type_.name)
            info = resolve_info(step.field_def, [step.node], type_, field_path)
            value = step.resolve(obj, info)
            if inspect.isawaitable(value):
                close = getattr(value, "close", None)
                if close is not None:
                    close()
                return GIVE_UP
        else:
            assert step.attribute is not None
            value = getattr(obj, step.attribute)
            field_path = path
        if value is None or value is Undefined:
            if step.non_null:
                return GIVE_UP
            row[step.response] = None
            continue
        if step.sub is not None:
            if kind == _OBJECT:
                field_path = Path(path, step.response, type_.name)
            done = _complete(step.sub, value, executor, field_path, resolve_info)
            if done is GIVE_UP:
                return GIVE_UP
            row[step.response] = done
            continue
        coerced = step.leaf_type.coerce_output_value(value)
        if coerced is None or coerced is Undefined:
            return GIVE_UP
        row[step.response] = coerced
    return row


def run_off_loop(plan: ListPlan, items: list[Any]) -> Any:
    """:func:`run_plan` for a plan that calls no resolver (safe in a worker thread)."""
    assert not plan.item.calls_resolvers
    return run_plan(plan, items, None, Path(None, 0, None), None)
