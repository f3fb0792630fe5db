"""The root Query, Mutation and Subscription, assembled once.

Each domain module defines its own ``*Query`` part (and ``*Mutation`` part, if it has one); this
module merges them and builds the schema with the gateway-wide extensions. The Subscription root
is ``schema.subscriptions.Subscription`` (live data over websocket).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.errors import UserInputError
from schema.agents import AgentsQuery
from schema.alerts import AlertsQuery
from schema.alerts_mutations import AlertsMutation
from schema.categories import CategoriesQuery
from schema.customers import CustomersQuery
from schema.dashboards import DashboardsQuery
from schema.operations import OperationsQuery
from schema.planning import PlanningQuery
from schema.predictions import PredictionsQuery
from schema.privacy import ConsentMutation, PrivacyMutation, PrivacyQuery
from schema.quality import QualityQuery
from schema.reports import ReportsMutation, ReportsQuery
from schema.sla import SlaQuery
from schema.subscriptions import Subscription
from schema.tickets import TicketsQuery
from schema.viewer import ViewerQuery

Query = merge_types(
    "Query",
    (
        ViewerQuery,
        TicketsQuery,
        AgentsQuery,
        CustomersQuery,
        CategoriesQuery,
        SlaQuery,
        OperationsQuery,
        QualityQuery,
        AlertsQuery,
        PredictionsQuery,
        DashboardsQuery,
        PlanningQuery,
        PrivacyQuery,
        ReportsQuery,
    ),
)

Mutation = merge_types(
    "Mutation", (AlertsMutation, PrivacyMutation, ConsentMutation, ReportsMutation)
)


def _should_mask(error: GraphQLError) -> bool:
    """Mask only unexpected failures while executing a field.

    Errors without a path (parse, validation, variable coercion such as an unknown enum value)
    and UserInputError keep their message; anything else becomes "Unexpected error." and is
    logged with its stack trace.
    """
    original = error.original_error
    if error.path is None or original is None:
        return False
    return not isinstance(original, UserInputError)


class GatewaySchema(strawberry.Schema):
    """Logs only unexpected errors: a caller's bad input is their answer, not our incident.

    ``on_unexpected_error`` (when set) is called once per operation that hit unexpected errors,
    so the gateway can track its own error rate.
    """

    on_unexpected_error: Callable[[], None] | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if _should_mask(e)]
        if unexpected:
            if self.on_unexpected_error is not None:
                self.on_unexpected_error()
            super().process_errors(unexpected, execution_context)


def build_schema(
    extra_extensions: Sequence[Any] = (),
    on_unexpected_error: Callable[[], None] | None = None,
    execution_context_class: Any = None,
) -> strawberry.Schema:
    """The gateway's GraphQL schema (``extra_extensions``: gateway-level instrumentation;
    ``on_unexpected_error``: called for each operation with an unexpected error;
    ``execution_context_class``: a graphql-core executor class, e.g. the gateway's one that
    shares subscription event executions)."""
    extensions: list[Any] = [
        lambda: MaskErrors(should_mask_error=_should_mask),
        *extra_extensions,
    ]
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=execution_context_class,
    )
    schema.on_unexpected_error = on_unexpected_error
    return schema
