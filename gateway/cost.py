"""The static cost of an operation, computed before it runs (over the schema's types, with the
request's variables):

``weight(field) + multiplier(field) × cost(children)``, where a connection's multiplier is its
``first``/``last`` (literal, variable or default page size, at most :data:`MAX_PAGE`), other lists
count :data:`LIST_SIZE` (a connection's ``edges``/``nodes`` count 1), and analytics fields carry
their weights (:data:`WEIGHTS`). A **series** field (:data:`SERIES`) also costs one per point it
returns: buckets (its window ÷ its granularity) × groups (:data:`GROUP_SIZES` for ``groupBy``),
so an hourly series over months grouped by agent costs what it takes to compute and complete,
and is refused to callers whose ``cost`` limit is below it (:mod:`gateway.series_cost`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from gateway.documents import Operation, Prepared, expanded_fields
from gateway.series_cost import SERIES, series_points

Fielded = GraphQLObjectType | GraphQLInterfaceType

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
        for field, condition in expanded_fields(selections, self._fragments):
            owner = self._type(condition) if condition else parent
            name = field.name.value
            definition = owner.fields.get(name) if owner is not None else None
            if definition is None:
                continue
            child_type = get_named_type(definition.type)
            key = f"{owner.name}.{name}" if owner is not None else ""
            weight = WEIGHTS.get(key, 0)
            if key in SERIES:
                weight += series_points(SERIES[key], field, definition, self._variables)
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
