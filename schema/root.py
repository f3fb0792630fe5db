"""The root Query (and, as they arrive, Subscription and Mutation), assembled once.

Each domain module defines its own ``*Query`` part; this module merges them and builds the
schema with the gateway-wide extensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.errors import UserInputError
from schema.agents import AgentsQuery
from schema.alerts import AlertsQuery
from schema.categories import CategoriesQuery
from schema.customers import CustomersQuery
from schema.operations import OperationsQuery
from schema.predictions import PredictionsQuery
from schema.quality import QualityQuery
from schema.sla import SlaQuery
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
    ),
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
    """Logs only unexpected errors: a caller's bad input is their answer, not our incident."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        unexpected = [e for e in errors if _should_mask(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(extra_extensions: Sequence[Any] = ()) -> strawberry.Schema:
    """The gateway's GraphQL schema (``extra_extensions``: gateway-level instrumentation)."""
    extensions: list[Any] = [
        lambda: MaskErrors(should_mask_error=_should_mask),
        *extra_extensions,
    ]
    return GatewaySchema(query=Query, extensions=extensions)
