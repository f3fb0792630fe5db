"""The GraphQL view the Starlette app mounts at ``/graphql``: per-request state and context,
token checks, the HTTP endpoint and the WebSocket handlers (:class:`GatewayGraphQL`).

:mod:`gateway.app` builds one :class:`GatewayState` and wires this view with the other routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import strawberry
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.types.unset import UNSET, UnsetType

from gateway.alerting.errors import ErrorMeter
from gateway.auth import CLOCK_SKEW_LEEWAY_SECONDS, AuthError, Principal, TokenVerifier, anonymous
from gateway.db import Database, RequestSession
from gateway.endpoint import GraphQLEndpoint, Outcome
from gateway.graphiql import graphiql_response, wants_graphiql
from gateway.observability import Metrics, log_request
from gateway.privacy.audit import (
    AuditedSession,
    AuditWriter,
    RequestAudit,
    request_id_of,
)
from gateway.realtime.feeds import ConnectionFeeds, EventSession
from gateway.realtime.hub import Hub
from gateway.realtime.transport_ws import SharingTransportWSHandler
from gateway.realtime.ws import (
    FORBIDDEN,
    REASON_KEY,
    GatewayWebSocketAdapter,
    authorization_from_params,
    reject,
)
from gateway.reports.links import LinkSigner
from gateway.settings import Settings
from gateway.token_cache import VerifiedTokens
from gateway.transactions import PrincipalWrites
from gateway.ws_guard import GuardedGraphQLWSHandler, SocketCounter, document_problem
from resolvers.context import Caller, RequestContext
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from gateway.alerting.engine import AlertingEngine

log = logging.getLogger(__name__)


@dataclass
class GatewayState:
    settings: Settings
    db: Database
    verifier: TokenVerifier
    audit: AuditWriter
    hub: Hub | None = None
    errors: ErrorMeter = field(default_factory=ErrorMeter)
    alerting: AlertingEngine | None = None
    metrics: Metrics = field(default_factory=Metrics)


@dataclass
class GatewayContext(RequestContext):
    """The request context plus the gateway's extras.

    ``writes``: read-write transactions under the caller's rights (mutations); ``live``: the
    connection's live feeds (websockets, once authenticated); ``principal``: the verified caller.
    """

    writes: Any = None
    live: Any = None
    principal: Principal | None = None
    connection_params: Any = None
    audit: RequestAudit | None = None
    exports: Any = None
    #: the document the HTTP endpoint already parsed and validated (gateway.http)
    prepared_document: Any = None


def _viewer(principal: Principal) -> Caller:
    return Caller(user_id=principal.user_id, role=principal.role, app_role=principal.app_role)


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


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """Strawberry's ASGI app with our context, our GraphiQL page, and auth in front."""

    websocket_adapter_class = GatewayWebSocketAdapter
    graphql_transport_ws_handler_class = SharingTransportWSHandler
    graphql_ws_handler_class = GuardedGraphQLWSHandler

    def __init__(self, schema: strawberry.Schema, state: GatewayState) -> None:
        settings = state.settings
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
        )
        self.state = state
        self.endpoint = GraphQLEndpoint(
            settings, state.db, schema, self.http_context, on_outcome=self._observe
        )
        self.sockets = SocketCounter()
        self.tokens = VerifiedTokens(state.verifier.principal_from_authorization)

    def _observe(self, outcome: Outcome, seconds: float) -> None:
        metrics = self.state.metrics
        metrics.observe(outcome.operation, outcome.result, seconds, outcome.statements)
        if outcome.limit is not None:
            metrics.reject(outcome.limit)
        log_request(
            method=outcome.method,
            path=outcome.path,
            status=outcome.status,
            seconds=seconds,
            operation=outcome.operation,
            outcome=outcome.result,
            statements=outcome.statements,
            cost=outcome.cost,
        )

    def subscription_problem(
        self, context: GatewayContext, payload: dict[str, Any]
    ) -> list[dict[str, Any]] | None:
        """Why a subscription document is refused before it runs (gateway.ws_guard)."""
        return document_problem(
            self.endpoint.cache, self.state.settings, context.principal, payload
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_response(endpoint="/graphql")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GatewayContext:
        """A websocket's context (HTTP requests are served by :attr:`endpoint`)."""
        # Anonymous until connection_init carries a verified token (on_ws_connect).
        nobody = anonymous()
        return self._context(
            nobody, EventSession(self.state.db, nobody), request=request, response=response
        )

    def _context(self, principal: Principal, session: Any, **extra: Any) -> GatewayContext:
        settings = self.state.settings
        rid = extra.pop("request_id", None) or request_id_of(extra.get("request"))
        return GatewayContext(
            viewer=_viewer(principal),
            session=session,
            org_timezone=settings.org_timezone,
            kpi_targets=settings.kpi_targets,
            k_anonymity=settings.k_anonymity,
            export_ttl_seconds=settings.export_ttl_seconds,
            principal=principal,
            audit=RequestAudit(self.state.audit, principal, rid),
            **extra,
        )

    def stream_context(self, feeds: ConnectionFeeds, session: EventSession) -> GatewayContext:
        """The context of a shared subscription stream (``session`` reads its nested fields)."""
        return self._context(feeds.principal, session, live=feeds)

    async def on_ws_connect(self, context: GatewayContext) -> UnsetType | dict[str, object] | None:
        """Verify the connection_init token; refuse the connection (4403 + reason) if bad."""
        websocket = cast(WebSocket, context.request)
        try:
            header = authorization_from_params(context.connection_params)
            principal = await self.state.verifier.principal_from_authorization(header)
        except AuthError as exc:
            self.state.audit.auth_failure(exc, path="/graphql (ws)", client=_client(websocket))
            raise ConnectionRejectionError(reject(websocket, exc)) from exc
        db, settings = self.state.db, self.state.settings
        context.principal = principal
        context.audit = RequestAudit(self.state.audit, principal, request_id_of(websocket))
        context.viewer = _viewer(principal)
        context.session = EventSession(db, principal)
        context.loaders = Loaders(context.session)
        context.writes = PrincipalWrites(
            db, principal, statement_timeout_ms=settings.statement_timeout_ms
        )
        if self.state.hub is not None:
            context.live = ConnectionFeeds(self.state.hub, db, principal)
        _close_at_expiry(websocket, principal)
        if not principal.is_anonymous and websocket.scope.pop("gateway.counted", False):
            self.sockets.release()
        return cast(UnsetType, UNSET)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if not self.sockets.admit(self.state.settings.ws_max_unauthenticated):
                # refused at the handshake (HTTP 403): too many sockets without a token yet
                await send({"type": "websocket.close", "code": 1013})
                return
            scope["gateway.timers"] = []
            scope["gateway.counted"] = True
            try:
                await super().__call__(scope, receive, send)
            finally:
                for timer in scope["gateway.timers"]:
                    timer.cancel()
                if scope.pop("gateway.counted", False):
                    self.sockets.release()
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        if wants_graphiql(request):
            # before auth and before strawberry: a browser gets the page even with ?query=...
            await graphiql_response(endpoint="/graphql")(scope, receive, send)
            return
        try:
            principal = await self.tokens.principal(request.headers.get("authorization"))
        except AuthError as exc:
            self.state.audit.auth_failure(exc, path=request.url.path, client=_client(request))
            if exc.code == "jwks_unavailable":
                await JSONResponse(
                    {"errors": [{"message": exc.reason, "extensions": {"code": exc.code}}]},
                    status_code=503,
                )(scope, receive, send)
                return
            await unauthorized(exc)(scope, receive, send)
            return
        errors = self.state.errors

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 500:
                errors.record_error()
            await send(message)

        await self.endpoint(scope, receive, observed_send, principal)

    def http_context(
        self, principal: Principal, session: RequestSession, request: Request, rid: str
    ) -> GatewayContext:
        """The context of one HTTP operation (``rid``: its request id)."""
        self.state.errors.record_request()
        return self._context(
            principal,
            AuditedSession(session),
            request=request,
            request_id=rid,
            exports=LinkSigner(self.state.settings, principal.user_id, principal.app_role),
            writes=PrincipalWrites(
                self.state.db,
                principal,
                statement_timeout_ms=self.state.settings.statement_timeout_ms,
            ),
        )


def _client(connection: Request | WebSocket) -> str | None:
    return connection.client.host if connection.client else None


def _close_at_expiry(websocket: WebSocket, principal: Principal) -> None:
    """Close the socket with ``4403 token expired`` when the connection's token expires."""
    exp = principal.claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        return

    async def expire() -> None:
        websocket.scope[REASON_KEY] = "token expired"
        with contextlib.suppress(Exception):
            await websocket.close(code=FORBIDDEN, reason="token expired")

    delay = max(0.0, float(exp) + CLOCK_SKEW_LEEWAY_SECONDS - time.time())
    loop = asyncio.get_running_loop()
    timer = loop.call_later(delay, lambda: loop.create_task(expire()))
    websocket.scope.setdefault("gateway.timers", []).append(timer)
