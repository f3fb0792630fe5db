"""The HTTP GraphQL endpoint: admission, body, document, limits, execution under a deadline.

See :mod:`gateway.http` for the protocol rules; this module runs one request through them with
the gateway's state (settings, pool, rate limiter, document cache) and answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson
import strawberry
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from gateway.auth import Principal
from gateway.db import RequestSession
from gateway.http import (
    GRAPHQL_RESPONSE,
    HttpProblem,
    Params,
    error_body,
    limits_problem,
    negotiate,
    parse_get,
    parse_post,
    prepare,
    problem_body,
    rate_headers,
    read_body,
    request_id,
    validation_errors,
)
from gateway.limits import DocumentCache, check_limits
from gateway.observability import bind_request
from gateway.ratelimit import Admission, ConcurrencyLimiter, RateLimiter
from gateway.settings import Settings
from resolvers.errors import GatewayError

log = logging.getLogger(__name__)

ContextFactory = Callable[[Principal, RequestSession, Request, str], Any]


def principal_key(principal: Principal, scope: Scope) -> str:
    """Whose budget a request spends: the user, or the client address when anonymous."""
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    client = scope.get("client") or ("?", 0)
    return f"anon:{client[0]}"


class Outcome:
    """What happened to one request (for metrics and logs)."""

    __slots__ = ("cost", "limit", "method", "operation", "path", "result", "statements", "status")

    def __init__(self, method: str = "POST", path: str = "/graphql") -> None:
        self.status = 0
        self.result = "ok"
        self.operation: str | None = None
        self.statements = 0
        self.cost = 0
        self.limit: str | None = None
        self.method = method
        self.path = path


class GraphQLEndpoint:
    """Serves ``POST``/``GET /graphql`` for verified principals."""

    def __init__(
        self,
        settings: Settings,
        db: Any,
        schema: strawberry.Schema,
        make_context: ContextFactory,
        on_outcome: Callable[[Outcome, float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.schema = schema
        self.make_context = make_context
        self.cache = DocumentCache(schema._schema)
        self.rates = RateLimiter()
        self.concurrency = ConcurrencyLimiter()
        self.on_outcome = on_outcome

    async def __call__(
        self, scope: Scope, receive: Receive, send: Send, principal: Principal
    ) -> None:
        started = time.perf_counter()
        headers = Headers(scope=scope)
        rid = request_id(headers)
        bind_request(rid, str(principal.user_id) if principal.user_id else None, principal.role)
        outcome = Outcome(scope.get("method", "POST"), scope.get("path", "/graphql"))
        media = "application/json"
        admission: Admission | None = None
        extra_headers: dict[str, str] = {}
        key = principal_key(principal, scope)
        limits = self.settings.limits_for(principal.role, principal.app_role)
        entered = False
        try:
            media = negotiate(headers.get("accept"))
            admission = self.rates.take(key, limits.rate_per_second, limits.burst)
            if not admission.allowed:
                raise HttpProblem(
                    429,
                    f"rate limit of {limits.burst} requests (refilling {limits.rate_per_second}"
                    f"/s) used up; retry in {admission.retry_after} s",
                    "RATE_LIMITED",
                    headers={"Retry-After": str(admission.retry_after)},
                    extra={"rateLimit": admission.report()},
                )
            if not self.concurrency.enter(key, limits.concurrency):
                raise HttpProblem(
                    429,
                    f"at most {limits.concurrency} concurrent requests per caller (limit "
                    "'concurrency')",
                    "RATE_LIMITED",
                    headers={"Retry-After": "1"},
                    extra={"limit": "concurrency", "max": limits.concurrency},
                )
            entered = True
            if scope["method"] == "GET":
                params = parse_get(scope.get("query_string", b""))
            else:
                body = await read_body(receive, headers, limits.body_bytes)
                params = parse_post(body, headers.get("content-type"))
            status, payload = await self._run(
                scope, receive, principal, params, media, limits, outcome, rid
            )
            if status == 0:
                outcome.result = "disconnected"
                return
            if status == 503:
                extra_headers["Retry-After"] = "1"
        except HttpProblem as problem:
            status, payload = problem.status, problem_body(problem, rid)
            extra_headers.update(problem.headers)
            outcome.result = problem.code.lower()
            outcome.limit = _rejection(problem)
        except asyncio.CancelledError:
            outcome.result = "disconnected"
            return
        except Exception:
            log.exception("request %s failed", rid)
            status = 500
            payload = {"errors": error_body([_internal()], rid)}
            outcome.result = "internal_error"
        finally:
            if entered:
                self.concurrency.leave(key)
            if self.on_outcome is not None and outcome.result == "disconnected":
                self.on_outcome(outcome, time.perf_counter() - started)
        if admission is not None:
            payload.setdefault("extensions", {})["rateLimit"] = admission.report()
        outcome.status = status
        if self.on_outcome is not None:
            self.on_outcome(outcome, time.perf_counter() - started)
        response_headers = {
            "content-type": f"{media}; charset=utf-8",
            "x-request-id": rid,
            **rate_headers(admission),
            **extra_headers,
        }
        await _send(send, status, response_headers, orjson.dumps(payload))

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        principal: Principal,
        params: Params,
        media: str,
        limits: Any,
        outcome: Outcome,
        rid: str,
    ) -> tuple[int, dict[str, Any]]:
        prepared, op = prepare(self.cache, params, tokens=limits.tokens, method=scope["method"])
        errors = prepared.errors
        if op is not None:
            outcome.operation = op.name
            try:
                outcome.cost = check_limits(
                    prepared,
                    op,
                    limits,
                    anonymous=principal.role == "anon",
                    variables=params.variables,
                    schema=self.cache.schema,
                )
            except GatewayError as exc:
                raise limits_problem(exc) from exc
            errors = self.cache.validate(prepared)
        if op is None or errors:
            status = 400 if media == GRAPHQL_RESPONSE else 200
            outcome.result = "invalid"
            return status, {"errors": error_body(validation_errors(errors), rid)}
        settings = self.settings
        session = self.db.session(
            principal,
            statement_timeout_ms=settings.statement_timeout_ms,
            acquire_timeout=settings.pool_acquire_timeout_ms / 1000,
            max_statements=settings.max_statements,
        )
        try:
            context = self.make_context(principal, session, Request(scope, receive), rid)
            context.prepared_document = prepared.document
            execution = asyncio.ensure_future(
                self.schema.execute(
                    params.query,
                    variable_values=params.variables,
                    context_value=context,
                    operation_name=params.operation_name,
                )
            )
            gone = asyncio.ensure_future(_disconnected(receive))
            done, _ = await asyncio.wait(
                {execution, gone},
                timeout=settings.deadline_ms / 1000,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if execution not in done:
                execution.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await execution
            gone.cancel()
            if execution not in done:
                if gone in done:
                    return 0, {}
                outcome.result = "timeout"
                message = f"the operation exceeded its deadline of {settings.deadline_ms} ms"
                error = {"message": message, "extensions": {"code": "TIMEOUT"}}
                return 504, {"errors": error_body([error], rid)}
            result = execution.result()
        finally:
            outcome.statements = session.statements
            await session.close()
        body: dict[str, Any] = {"data": result.data}
        codes: set[str] = set()
        if result.errors:
            formatted: list[dict[str, Any]] = [dict(e.formatted) for e in result.errors]
            codes = {str((e.get("extensions") or {}).get("code")) for e in formatted}
            body["errors"] = error_body(formatted, rid)
            outcome.result = "error"
        if result.extensions:
            body["extensions"] = dict(result.extensions)
        if "SERVICE_UNAVAILABLE" in codes:
            outcome.result = "unavailable"
            return 503, body
        return 200, body


def _rejection(problem: HttpProblem) -> str | None:
    """The limit a refused request hit (for the rejections metric), if it was one."""
    if problem.code == "RATE_LIMITED":
        return "concurrency" if problem.extra.get("limit") == "concurrency" else "rate"
    if problem.code in {"LIMIT_EXCEEDED", "FORBIDDEN"}:
        return str(problem.extra.get("limit") or problem.code.lower())
    return None


def _internal() -> dict[str, Any]:
    return {"message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


async def _disconnected(receive: Receive) -> None:
    """Returns when the client has gone away (the body was read before)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def _send(send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
