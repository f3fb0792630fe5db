"""The Starlette application: GraphQL over HTTP (and WebSocket), GraphiQL, health probes.

Each HTTP GraphQL request:

1. verifies the bearer token (:mod:`gateway.auth`); a bad token is answered with HTTP 401 and a
   JSON body saying why, before any GraphQL work; no token means the ``anon`` role;
2. gets a lazily opened :class:`gateway.db.RequestSession` (one read-only transaction under the
   caller's role and claims) and fresh DataLoaders in its context;
3. closes the session when the operation is done.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension

from gateway.auth import AuthError, Principal, TokenVerifier
from gateway.db import Database, RequestSession
from gateway.graphiql import graphiql_asset_routes, graphiql_response, wants_graphiql
from gateway.settings import Settings
from resolvers.context import RequestContext, Viewer
from schema.root import build_schema

log = logging.getLogger(__name__)


@dataclass
class GatewayState:
    settings: Settings
    db: Database
    verifier: TokenVerifier


def _viewer(principal: Principal) -> Viewer:
    return Viewer(user_id=principal.user_id, role=principal.role, app_role=principal.app_role)


def unauthorized(error: AuthError) -> JSONResponse:
    """HTTP 401 with a GraphQL-shaped JSON body and an RFC 6750 challenge."""
    description = error.reason.replace('"', "'")
    return JSONResponse(
        {"errors": [{"message": error.reason, "extensions": {"code": error.code}}]},
        status_code=401,
        headers={
            "WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'
        },
    )


class SqlStatements(SchemaExtension):
    """Reports how many SQL statements the operation sent, in ``extensions.sqlStatements``."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        session = getattr(context, "session", None)
        return {"sqlStatements": session.statements} if session is not None else {}


class GatewayGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with our context, our GraphiQL page, and auth in front."""

    def __init__(self, schema: strawberry.Schema, state: GatewayState) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.state = state

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_response(endpoint="/graphql")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        principal: Principal = request.scope["gateway.principal"]
        session: RequestSession = request.scope["gateway.session"]
        return RequestContext(
            viewer=_viewer(principal),
            session=session,
            org_timezone=self.state.settings.org_timezone,
            request=request,
            response=response,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if wants_graphiql(request):
            # before auth and before strawberry: a browser gets the page even with ?query=...
            await graphiql_response(endpoint="/graphql")(scope, receive, send)
            return
        try:
            principal = await self.state.verifier.principal_from_authorization(
                request.headers.get("authorization")
            )
        except AuthError as exc:
            if exc.code == "jwks_unavailable":
                await JSONResponse(
                    {"errors": [{"message": exc.reason, "extensions": {"code": exc.code}}]},
                    status_code=503,
                )(scope, receive, send)
                return
            await unauthorized(exc)(scope, receive, send)
            return
        session = self.state.db.session(
            principal, statement_timeout_ms=self.state.settings.statement_timeout_ms
        )
        scope["gateway.principal"] = principal
        scope["gateway.session"] = session
        try:
            await super().__call__(scope, receive, send)
        finally:
            await session.close()


def create_app(settings: Settings, dsn: str) -> Starlette:
    """The gateway ASGI app for the database at ``dsn``."""
    db = Database(dsn, min_size=settings.pool_min, max_size=settings.pool_max)
    verifier = TokenVerifier(settings)
    state = GatewayState(settings=settings, db=db, verifier=verifier)
    schema = build_schema(extra_extensions=[SqlStatements])
    graphql_app = GatewayGraphQL(schema, state)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        ok = await db.ping()
        return JSONResponse(
            {"status": "ready" if ok else "database unreachable"}, status_code=200 if ok else 503
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.open()
        try:
            yield
        finally:
            await verifier.aclose()
            await db.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *graphiql_asset_routes(),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = state
    return app
