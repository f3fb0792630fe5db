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

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from analytics import kpi_registry
from gateway import fast_execution, memory
from gateway.alerting.config import AlertingConfig
from gateway.auth import TokenVerifier
from gateway.db import Database
from gateway.graphiql import graphiql_asset_routes
from gateway.graphql_view import GatewayGraphQL, GatewayState, SqlStatements
from gateway.http import PreparedDocument
from gateway.observability import METRICS_CONTENT_TYPE, Metrics, internal_allowed
from gateway.privacy.audit import (
    AuditWriter,
    PersonalDataAudit,
)
from gateway.privacy.cli import archive_dir_of
from gateway.privacy.downloads import export_download_route
from gateway.privacy.retention import RetentionScheduler
from gateway.realtime.changes import ChangeLogSource, PostgresChangeSource
from gateway.realtime.erasure import ErasedEventGuard
from gateway.realtime.hub import Hub
from gateway.realtime.supabase_source import SupabaseChangeSource
from gateway.reports.routes import export_routes
from gateway.reports.scheduler import ReportScheduler
from gateway.settings import Settings
from schema.root import build_schema

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


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
    memory.limit_arenas(settings.malloc_arenas)  # before the CPU pool's threads exist
    trimmer = memory.Trimmer(settings.malloc_trim_seconds)
    db = Database(dsn, min_size=settings.pool_min, max_size=settings.pool_max)
    verifier = TokenVerifier(settings)
    audit = AuditWriter(db, flush_seconds=settings.audit_flush_seconds)
    app_metrics = Metrics(db.pool_snapshot, multiprocess=settings.metrics_dir is not None)
    state = GatewayState(
        settings=settings, db=db, verifier=verifier, audit=audit, metrics=app_metrics
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
        extra_extensions=[PreparedDocument, SqlStatements, ErasedEventGuard, PersonalDataAudit],
        on_unexpected_error=state.errors.record_error,
        execution_context_class=fast_execution.GatewayExecutor,
    )
    fast_execution.install(schema)
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
        await trimmer.start()
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

                schedule = PredictSchedule(
                    db,
                    insights_predict_hours,
                    settings.org_timezone,
                    first_delay=settings.insights_predict_delay_seconds,
                )
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
            await trimmer.stop()
            await verifier.aclose()
            await audit.stop()
            await db.close()
            app_metrics.process_exited(os.getpid())

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
    app = GatewayApp(routes=routes, lifespan=lifespan)
    app.graphql_http = graphql_app
    app.state.gateway = state
    return app


class GatewayApp(Starlette):
    """Starlette, with ``GET``/``POST /graphql`` handed straight to the GraphQL view.

    Most requests are those; Starlette's middleware stack and router (exception middlewares,
    route matching) cost ~4% of a ticket page's CPU for nothing the view needs: it answers every
    failure itself (:mod:`gateway.endpoint`). Everything else (other routes, other methods,
    websockets, lifespan) goes through Starlette as before."""

    graphql_http: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and scope["method"] in ("GET", "POST")
            and self.graphql_http is not None
        ):
            scope["app"] = self
            await self.graphql_http(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
