"""The Starlette application: GraphQL over HTTP and WebSocket, GraphiQL, health probes.

Each HTTP GraphQL request:

1. verifies the bearer token (:mod:`gateway.auth`); a bad token is answered with HTTP 401 and a
   JSON body saying why, before any GraphQL work; no token means the ``anon`` role;
2. gets a lazily opened :class:`gateway.db.RequestSession` (one read-only transaction under the
   caller's role and claims) and fresh DataLoaders in its context, plus read-write transactions
   under the same rights for mutations (:class:`gateway.transactions.PrincipalWrites`);
3. closes the session when the operation is done.

Each websocket connection to ``/graphql`` (graphql-transport-ws or legacy graphql-ws) is
authenticated by the token in its ``connection_init`` payload (:mod:`gateway.realtime.ws`; a bad
token closes it with 4403 and the reason) and gets the live feeds of the process's realtime hub
(:mod:`gateway.realtime`). The lifespan starts the hub (and the alerting engine, when configured)
after the pool and stops them before it. ``/realtime/stats`` reports the hub's counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import SchemaExtension
from strawberry.types.unset import UNSET, UnsetType

from analytics import kpi_registry
from gateway.alerting.config import AlertingConfig
from gateway.alerting.errors import ErrorMeter
from gateway.auth import CLOCK_SKEW_LEEWAY_SECONDS, AuthError, Principal, TokenVerifier, anonymous
from gateway.db import Database, RequestSession
from gateway.endpoint import GraphQLEndpoint, Outcome
from gateway.graphiql import graphiql_asset_routes, graphiql_response, wants_graphiql
from gateway.http import PreparedDocument
from gateway.observability import METRICS_CONTENT_TYPE, Metrics, internal_allowed, log_request
from gateway.privacy.audit import (
    AuditedSession,
    AuditWriter,
    PersonalDataAudit,
    RequestAudit,
    request_id_of,
)
from gateway.privacy.cli import archive_dir_of
from gateway.privacy.downloads import export_download_route
from gateway.privacy.retention import RetentionScheduler
from gateway.realtime.changes import ChangeLogSource, PostgresChangeSource
from gateway.realtime.feeds import ConnectionFeeds, EventSession
from gateway.realtime.hub import Hub
from gateway.realtime.sharing import SharedEventExecutor
from gateway.realtime.supabase_source import SupabaseChangeSource
from gateway.realtime.transport_ws import SharingTransportWSHandler
from gateway.realtime.ws import (
    FORBIDDEN,
    REASON_KEY,
    GatewayWebSocketAdapter,
    authorization_from_params,
    reject,
)
from gateway.reports.links import LinkSigner
from gateway.reports.routes import export_routes
from gateway.reports.scheduler import ReportScheduler
from gateway.settings import Settings
from gateway.transactions import PrincipalWrites
from gateway.ws_guard import GuardedGraphQLWSHandler, SocketCounter, document_problem
from resolvers.context import Caller, RequestContext
from resolvers.loaders import Loaders
from schema.root import build_schema

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
            principal = await self.state.verifier.principal_from_authorization(
                request.headers.get("authorization")
            )
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


def change_source(settings: Settings, dsn: str) -> ChangeLogSource:
    """The hub's change source (``REALTIME_SOURCE``); raises ``ValueError`` when misconfigured."""
    idle = settings.realtime_idle_poll_seconds
    if settings.realtime_source == "supabase":
        return SupabaseChangeSource.from_settings(settings, dsn, idle_poll_seconds=idle)
    return PostgresChangeSource(dsn, idle_poll_seconds=idle)


def create_app(
    settings: Settings,
    dsn: str,
    *,
    realtime: bool = True,
    alerting: AlertingConfig | None = None,
    reports_scheduler: bool = False,
    insights_predict_hours: float = 0.0,
) -> Starlette:
    """The gateway ASGI app for the database at ``dsn``.

    ``realtime``: run the realtime hub (subscriptions); ``alerting``: run the alerting engine with
    this configuration (off when None); ``reports_scheduler``: deliver scheduled reports
    (:mod:`gateway.reports.scheduler`);
    ``insights_predict_hours``: run the insights ``predict`` job that often (off when 0).
    """
    # fail at start-up, not on every request, when a KPI target override names no KPI
    kpi_registry.registry(settings.kpi_targets)
    # and when the realtime source lacks its settings
    source = change_source(settings, dsn) if realtime else None
    db = Database(dsn, min_size=settings.pool_min, max_size=settings.pool_max)
    verifier = TokenVerifier(settings)
    audit = AuditWriter(db, flush_seconds=settings.audit_flush_seconds)
    state = GatewayState(
        settings=settings, db=db, verifier=verifier, audit=audit, metrics=Metrics(db.pool_snapshot)
    )
    retention = RetentionScheduler(
        dsn,
        settings.retention_days,
        archive_dir_of(settings),
        settings.retention_interval_seconds,
    )
    if source is not None:
        state.hub = Hub(db, source, kpi_targets=settings.kpi_targets)
        state.metrics.watch_hub(state.hub.stats)
    schema = build_schema(
        extra_extensions=[PreparedDocument, SqlStatements, PersonalDataAudit],
        on_unexpected_error=state.errors.record_error,
        execution_context_class=SharedEventExecutor,
    )
    graphql_app = GatewayGraphQL(schema, state)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Ready: the database answers and the pool has a free connection (else 503, so a
        load balancer sends traffic elsewhere until it has)."""
        if db.in_use >= db.max_size:
            return JSONResponse(
                {"status": "pool saturated", "inUse": db.in_use, "max": db.max_size},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        ok = await db.ping()
        return JSONResponse(
            {"status": "ready" if ok else "database unreachable"}, status_code=200 if ok else 503
        )

    def internal(request: Request) -> Response | None:
        """403 unless the caller may read internal routes (token, or loopback)."""
        if internal_allowed(request, settings.internal_token):
            return None
        return JSONResponse({"error": "internal route"}, status_code=403)

    async def metrics(request: Request) -> Response:
        refused = internal(request)
        if refused is not None:
            return refused
        return Response(state.metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def realtime_stats(request: Request) -> Response:
        refused = internal(request)
        if refused is not None:
            return refused
        hub = state.hub
        body: dict[str, Any] = hub.stats() if hub is not None else {"enabled": False}
        if state.alerting is not None:
            body["alerting"] = state.alerting.stats()
        return JSONResponse(body)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stack = contextlib.AsyncExitStack()
        await db.open()
        await audit.start()
        await retention.start()
        try:
            if state.hub is not None:
                await state.hub.start()
                source = state.hub.source
                if isinstance(source, ChangeLogSource) and not await source.wait_ready(10.0):
                    log.warning("realtime: change source not ready after 10 s; continuing")
            if alerting is not None:
                from gateway.alerting.engine import AlertingEngine

                state.alerting = AlertingEngine(db, alerting, state.errors)
                if state.hub is not None:
                    state.hub.add_listener(state.alerting.on_changes)
                await state.alerting.start()
            if reports_scheduler:
                scheduler = ReportScheduler(db, settings)
                await scheduler.start()
                stack.push_async_callback(scheduler.stop)
            if insights_predict_hours > 0:
                from gateway.insights_jobs import PredictSchedule

                schedule = PredictSchedule(db, insights_predict_hours, settings.org_timezone)
                await schedule.start()
                stack.push_async_callback(schedule.stop)
            yield
        finally:
            await stack.aclose()
            if state.alerting is not None:
                await state.alerting.stop()
            if state.hub is not None:
                await state.hub.stop()
            await retention.stop()
            await verifier.aclose()
            await audit.stop()
            await db.close()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/realtime/stats", realtime_stats, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        export_download_route(db),
        *graphiql_asset_routes(),
        *export_routes(db, settings, verifier, audit),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql_app),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.gateway = state
    return app
