"""Operations: Prometheus metrics, JSON structured logs, and who may read the internal routes.

Metrics (``/metrics``, one registry per app so several apps can live in one process):

- ``gateway_requests_total{operation,outcome}`` and ``gateway_request_seconds{operation,outcome}``
  (histogram) per GraphQL operation name (``anonymous`` when unnamed; names that are not plain
  GraphQL names, and new names beyond :data:`MAX_OPERATION_NAMES`, count as ``other``);
- ``gateway_request_sql_statements`` (histogram of statements per request);
- ``gateway_rejections_total{limit}`` (body_bytes, tokens, depth, aliases, root_fields, cost,
  rate, concurrency, ...);
- ``gateway_pool_connections{state}`` (``in_use``, ``idle``, ``max``) and
  ``gateway_pool_waiting`` (requests waiting for a connection);
- ``gateway_subscriptions``, ``gateway_hub_queued_events`` (events waiting in subscriber
  queues), ``gateway_hub_lag_seconds`` (age of the oldest of them, by its change's time: how
  far behind the slowest subscriber is) and ``gateway_hub_dropped_total``.

Logs: :class:`JsonFormatter` writes one JSON object per record with the request id, the
principal's user id and role (never personal data) taken from the request's context variables
(:func:`bind_request`), and the access log of each request (:func:`log_request`).

``/metrics`` and ``/realtime/stats`` are internal: with ``GATEWAY_INTERNAL_TOKEN`` set they need
``Authorization: Bearer <token>``; without it only loopback clients may read them.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any, Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request

#: Distinct operation names kept as label values; later new names count as ``other``.
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
user_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("user_id", default=None)
role_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("role", default=None)

access_log = logging.getLogger("gateway.access")


def bind_request(request_id: str, user_id: str | None, role: str) -> None:
    """Put the request's identity in the context every log record of it carries."""
    request_id_var.set(request_id)
    user_var.set(user_id)
    role_var.set(role)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, user id, role, and
    the exception when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in (("requestId", request_id_var), ("userId", user_var), ("role", role_var)):
            value = getattr(record, key, None) or var.get()
            if value is not None:
                out[key] = value
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_json_logs(level: int = logging.INFO) -> None:
    """Send every log record (uvicorn's too) to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # gateway.access replaces it


def silence_access_log() -> None:
    """No access line per request (``GATEWAY_ACCESS_LOG=off``): neither ours nor uvicorn's."""
    access_log.disabled = True
    logging.getLogger("uvicorn.access").disabled = True


#: How often a process of ``serve --workers N`` refreshes its gauges (pool, hub) in the shared
#: files, on the way of a request (a scrape reaches one worker; the others' gauges are read
#: from what they last wrote).
GAUGE_REFRESH_SECONDS = 1.0


class Metrics:
    """The gateway's Prometheus metrics (see the module docstring).

    ``multiprocess`` (``serve --workers N``, :attr:`gateway.settings.Settings.metrics_dir`):
    prometheus_client keeps each worker's values in files of a shared folder; :meth:`render`
    then adds up the counters and histograms of all workers and the gauges of the live ones
    (the hub lag: the largest), whichever worker is asked.
    """

    def __init__(
        self,
        pool: Callable[[], tuple[int, int, int, int]] | None = None,
        *,
        multiprocess: bool = False,
    ) -> None:
        self.multiprocess = multiprocess
        self._refreshed = 0.0
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "gateway_requests", "GraphQL HTTP requests", ["operation", "outcome"], registry=r
        )
        self.seconds = Histogram(
            "gateway_request_seconds",
            "GraphQL HTTP request latency",
            ["operation", "outcome"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.statements = Histogram(
            "gateway_request_sql_statements",
            "SQL statements per request",
            buckets=(0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 128),
            registry=r,
        )
        self.rejections = Counter(
            "gateway_rejections", "Requests refused by a limit", ["limit"], registry=r
        )
        total: Literal["livesum"] = "livesum"  # gauges: live workers' sum; the lag: their largest
        self.pool_connections = Gauge(
            "gateway_pool_connections",
            "Database pool connections",
            ["state"],
            registry=r,
            multiprocess_mode=total,
        )
        self.pool_waiting = Gauge(
            "gateway_pool_waiting",
            "Requests waiting for a pooled connection",
            registry=r,
            multiprocess_mode=total,
        )
        self.subscriptions = Gauge(
            "gateway_subscriptions", "Open subscriptions", registry=r, multiprocess_mode=total
        )
        self.hub_queued = Gauge(
            "gateway_hub_queued_events",
            "Events waiting in subscriber queues",
            registry=r,
            multiprocess_mode=total,
        )
        self.hub_lag = Gauge(
            "gateway_hub_lag_seconds",
            "Age of the oldest event waiting in a subscriber queue (0: none waits)",
            registry=r,
            multiprocess_mode="livemax",
        )
        self.hub_dropped = Gauge(
            "gateway_hub_dropped_total",
            "Subscriptions dropped on overflow",
            registry=r,
            multiprocess_mode=total,
        )
        self._names: set[str] = set()
        self._pool = pool
        self._hub: Callable[[], dict[str, Any]] | None = None

    def watch_hub(self, stats: Callable[[], dict[str, Any]]) -> None:
        self._hub = stats

    def operation_label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if not _NAME.match(name):
            return "other"
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                return "other"
            self._names.add(name)
        return name

    def observe(self, operation: str | None, outcome: str, seconds: float, statements: int) -> None:
        label = self.operation_label(operation)
        self.requests.labels(label, outcome).inc()
        self.seconds.labels(label, outcome).observe(seconds)
        self.statements.observe(statements)
        if self.multiprocess:
            now = time.monotonic()
            if now - self._refreshed >= GAUGE_REFRESH_SECONDS:
                self._refreshed = now
                self.refresh_gauges()

    def reject(self, limit: str) -> None:
        self.rejections.labels(limit).inc()

    def refresh_gauges(self) -> None:
        """This process's pool and hub gauges, from their current state."""
        if self._pool is not None:
            in_use, idle, size_max, waiting = self._pool()
            self.pool_connections.labels("in_use").set(in_use)
            self.pool_connections.labels("idle").set(idle)
            self.pool_connections.labels("max").set(size_max)
            self.pool_waiting.set(waiting)
        if self._hub is not None:
            stats = self._hub()
            self.subscriptions.set(stats.get("subscriptions", 0))
            self.hub_queued.set(stats.get("queued", 0))
            self.hub_lag.set(stats.get("lagSeconds", 0.0))
            self.hub_dropped.set(stats.get("dropped", 0))

    def render(self) -> bytes:
        self.refresh_gauges()
        if not self.multiprocess:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
        return generate_latest(every_worker)

    def process_exited(self, pid: int) -> None:
        """Drop a finished worker's live gauges (its counters keep counting in the sums)."""
        if self.multiprocess:
            prometheus_multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST


def internal_allowed(request: Request, token: str | None) -> bool:
    """May this request read an internal route (``/metrics``, ``/realtime/stats``)?"""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    return host in _LOOPBACK


def log_request(
    *,
    method: str,
    path: str,
    status: int,
    seconds: float,
    operation: str | None,
    outcome: str,
    statements: int,
    cost: int,
) -> None:
    access_log.info(
        "%s %s %d",
        method,
        path,
        status,
        extra={
            "requestId": request_id_var.get(),
            "userId": user_var.get(),
            "role": role_var.get(),
            "fields": {
                "status": status,
                "ms": round(seconds * 1000, 1),
                "operation": operation,
                "outcome": outcome,
                "sqlStatements": statements,
                "cost": cost,
            },
        },
    )


def monotonic() -> float:
    return time.perf_counter()
