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

from resolvers.errors import GatewayError
from schema.agents import AgentsQuery
from schema.alerts import AlertsQuery
from schema.alerts_mutations import AlertsMutation
from schema.categories import CategoriesQuery
from schema.customers import CustomersQuery
from schema.dashboards import DashboardsQuery
from schema.insights import InsightsQuery
from schema.insights_ops import InsightsOpsQuery
from schema.operations import OperationsQuery
from schema.planning import PlanningQuery
from schema.predictions import PredictionsQuery
from schema.privacy import ConsentMutation, PrivacyMutation, PrivacyQuery
from schema.quality import QualityQuery
from schema.reports import ReportsMutation, ReportsQuery
from schema.retention import RetentionQuery
from schema.sla import SlaQuery
from schema.statistics import StatisticsQuery
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
        RetentionQuery,
        ReportsQuery,
        StatisticsQuery,
        InsightsQuery,
        InsightsOpsQuery,
    ),
)

Mutation = merge_types(
    "Mutation", (AlertsMutation, PrivacyMutation, ConsentMutation, ReportsMutation)
)


def _should_mask(error: GraphQLError) -> bool:
    """Mask only unexpected failures while executing a field.

    Errors without a path (parse, validation, variable coercion such as an unknown enum value)
    and :class:`resolvers.errors.GatewayError` (user input, forbidden, timeout, ...) keep their
    message; anything else becomes "Unexpected error." and is logged with its stack trace.
    """
    original = error.original_error
    if error.path is None or original is None:
        return False
    return not isinstance(original, GatewayError) and not _out_of_range(original)


def _out_of_range(error: Exception) -> bool:
    """A date or time argument beyond what Python's datetime can represent (year 1 minus an
    offset, year 9999 plus a bucket): the caller's input, not a fault."""
    return isinstance(error, OverflowError) and "out of range" in str(error)


def request_error_code(error: GraphQLError) -> str:
    """The ``extensions.code`` of an error raised before execution (no path)."""
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class ClassifiedMaskErrors(MaskErrors):
    """Strawberry's MaskErrors, with a stable ``extensions.code`` on every error.

    Masked errors become ``INTERNAL_SERVER_ERROR``; a GatewayError brings its own code;
    parse, validation and variable errors get GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED
    or BAD_USER_INPUT.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        out = super()._process_errors(errors)
        for error in out:
            original = error.original_error
            if original is not None and _out_of_range(original):
                error.message = (
                    f"a date or time argument is out of the supported range ({original})"
                )
                error.extensions = {"code": "BAD_USER_INPUT"}
            if not (error.extensions or {}).get("code"):
                code = "INTERNAL_SERVER_ERROR" if error.path else request_error_code(error)
                error.extensions = {**(error.extensions or {}), "code": code}
        return out


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
        ClassifiedMaskErrors,
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
