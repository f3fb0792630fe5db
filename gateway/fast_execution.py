"""Per-field work cut from execution: direct resolvers and plain attribute leaves.

A page of 100 tickets executes several hundred fields; graphql-core and strawberry do a fixed
amount of work for each (profiled with py-spy on ``tickets(first: 100) { nodes { id subject
agent { displayName } } }``: most of a request's CPU). Two cuts, neither changing a value or an
error:

**Direct resolvers.** For every field, strawberry's resolver converts arguments, builds the
extension chain (``functools.reduce`` over ``partial``), builds an :class:`strawberry.Info`,
and, for ``async`` resolvers, wraps the call in one more coroutine. For a field that takes no
arguments and has no field extensions (permissions are extensions) none of that changes the
call: it comes down to
``method(source)`` or ``method(source, Info(...))``. On a page of 100 tickets that is several
hundred calls per request (profiled: ~10% of the request's CPU), so :func:`install` replaces
those fields' graphql-core resolvers with that direct call. Fields with arguments, extensions,
``root``/``parent`` parameters, or a schema with exception handlers are left to strawberry.

The result is the same value (or the same coroutine, which graphql-core awaits); errors raised
by the resolver propagate to graphql-core exactly as before.

**Attribute leaves.** A strawberry field without a resolver whose type is a scalar or enum
(possibly non-null) is ``getattr(source, python_name)`` coerced by its type. graphql-core still
builds a ``GraphQLResolveInfo`` for it, calls strawberry's default resolver through two
wrappers and completes the value through the generic path (non-null, then leaf). When no
middleware is installed (no schema extension with a ``resolve`` hook),
:class:`GatewayExecutor` does the same steps directly for such fields: the same value, the same
"Cannot return null for non-nullable field" error, the same error location and propagation
(:meth:`handle_field_error`).

**Lists of objects, completed by plan** (:mod:`gateway.list_plans`): a list whose items'
selection is only attribute leaves, synchronous direct resolvers and objects made of those
(a ticket page's ``nodes { id subject agent { displayName } }``) is completed in one loop into
the dicts graphql-core builds, or handed back to graphql-core when anything is irregular. A
long one (an hourly series over months, grouped by agent: 160,000 points) whose plan calls no
resolver is completed on the CPU pool (a thread: the interpreter still hands the event loop
the GIL every few milliseconds) instead of holding the loop for a second.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from gateway import list_plans
from gateway.list_plans import LEAF, SYNC_DIRECT
from gateway.realtime.sharing import SharedEventExecutor
from resolvers.offload import pool_info, run_cpu

Resolve = Callable[..., Any]


def _direct(field: StrawberryField, info_class: type[strawberry.Info[Any, Any]]) -> Resolve | None:
    """The direct resolver of ``field``, or None when strawberry's wrapping is needed."""
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.arguments or field.is_subscription:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    if resolver.self_parameter is None:
        return None
    func = resolver.wrapped_func
    if not inspect.isfunction(func):  # staticmethod, classmethod: strawberry binds those
        return None
    params = list(inspect.signature(func).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind not in positional for p in params):
        return None
    if len(params) == 1:

        def resolve_self(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
            return func(source)

        setattr(resolve_self, SYNC_DIRECT, not inspect.iscoroutinefunction(func))
        return resolve_self
    info_param = resolver.info_parameter
    if len(params) == 2 and info_param is not None and params[1].name == info_param.name:

        def resolve_self_info(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
            return func(source, info_class(_raw_info=info, _field=field))

        setattr(resolve_self_info, SYNC_DIRECT, not inspect.iscoroutinefunction(func))
        return resolve_self_info
    return None


def _leaf(field: StrawberryField, gql_field: GraphQLField) -> tuple[str, Any, bool] | None:
    """(python name, leaf type, non-null) of an attribute leaf, else None."""
    if not getattr(gql_field.resolve, "_is_default", False) or not field.is_basic_field:
        return None
    if gql_field.args:
        return None
    gql_type: Any = gql_field.type
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if non_null else gql_type
    if not is_leaf_type(inner):
        return None
    return field.python_name, inner, non_null


def install(schema: strawberry.Schema) -> int:
    """Give eligible fields of ``schema`` their direct resolver and mark its attribute leaves
    (for :class:`GatewayExecutor`); returns how many fields were changed."""
    converter = schema.schema_converter
    if getattr(converter, "_exception_handler_specs", ()):
        return 0
    if schema.config.default_resolver is not getattr:
        return 0
    info_class = schema.config.info_class
    count = 0
    for gql_type in schema._schema.type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        if gql_type is schema._schema.subscription_type:
            continue
        for gql_field in gql_type.fields.values():
            definition = (gql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            leaf = _leaf(definition, gql_field)
            if leaf is not None:
                gql_field.extensions = {**(gql_field.extensions or {}), LEAF: leaf}
                count += 1
                continue
            direct = _direct(definition, info_class)
            if direct is not None:
                gql_field.resolve = direct
                count += 1
    return count


class GatewayExecutor(SharedEventExecutor):
    """graphql-core's executor (with subscription sharing) that completes attribute leaves
    directly (see the module docstring)."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        details = field_details_list[0]
        node = details.node
        field_def = self.schema.get_field(parent_type, node.name.value)
        leaf = field_def.extensions.get(LEAF) if field_def is not None else None
        middleware = self.middleware_manager
        if leaf is None or node.arguments or (middleware and middleware.middlewares):
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        name, leaf_type, non_null = leaf
        try:
            result = getattr(source, name)
            if isinstance(result, Exception):
                raise result
            if result is None or result is Undefined:
                if non_null:
                    raise TypeError(
                        "Cannot return null for non-nullable field"
                        f" {parent_type}.{node.name.value}."
                    )
                return None
            return self.complete_leaf_value(_as_leaf(leaf_type), result)
        except Exception as raw_error:
            assert field_def is not None
            self.handle_field_error(raw_error, field_def.type, field_details_list, path)
            return None

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        plan = None
        if isinstance(result, list | tuple) and not (middleware and middleware.middlewares):
            plan = list_plans.list_plan(return_type, field_details_list)
        if plan is not None:
            if len(result) >= list_plans.OFF_LOOP_ITEMS and not plan.item.calls_resolvers:
                return self._complete_off_loop(
                    plan, return_type, field_details_list, info, path, result, position_context
                )
            done = list_plans.run_plan(plan, result, self, path, self.build_resolve_info)
            if done is not list_plans.GIVE_UP:
                return done
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    async def _complete_off_loop(
        self,
        plan: list_plans.ListPlan,
        return_type: GraphQLList[Any],
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        items = list(result)
        if pool_info()["kind"] == "thread":
            done = await run_cpu(list_plans.run_off_loop, plan, items)
        else:  # a process pool cannot take the objects: a thread of its own
            done = await asyncio.to_thread(list_plans.run_off_loop, plan, items)
        if done is not list_plans.GIVE_UP:
            return done
        completed = super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )
        return await completed if self.is_awaitable(completed) else completed


def _as_leaf(leaf_type: Any) -> GraphQLLeafType:
    return leaf_type  # type: ignore[no-any-return]
