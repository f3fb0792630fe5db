"""GraphQL over HTTP, as the GraphQL-over-HTTP spec says, with the gateway's limits in front.

One request, after its token is verified (:mod:`gateway.app`):

1. **admission**: the caller's token bucket (429 + ``Retry-After`` when empty) and concurrency
   cap (429), per principal (:mod:`gateway.ratelimit`);
2. **the body**: at most the caller's ``body_bytes`` (413), JSON (orjson: nesting deeper than
   1024 is malformed) whose top level is an object with a string ``query``, object-or-null
   ``variables`` and ``extensions``, string-or-null ``operationName``; anything else is 400.
   GET carries them as query parameters and may only run queries (405 otherwise);
3. **the document**: parsed (stopping at the caller's ``tokens``), validated and measured once
   per distinct text (:class:`gateway.limits.DocumentCache`); several operations need
   ``operationName``; the caller's limits are checked (:func:`gateway.limits.check_limits`);
4. **execution** under the caller's database session with a deadline (``GATEWAY_DEADLINE_MS``:
   504 TIMEOUT) and cancelled, SQL included, when the client disconnects.

Media types: ``application/graphql-response+json`` when the ``Accept`` header allows it — then
parse and validation failures are 400 and have no ``data`` entry; otherwise ``application/json``
with the legacy 200 for GraphQL errors. Request errors (bad body, limits, rate) are 4xx either
way, with a GraphQL-shaped body whose errors carry ``extensions.code``. Every response has an
``X-Request-Id`` header (the client's, when it sent a sane one), also in each error's extensions,
and ``extensions.rateLimit`` (``limit``, ``remaining``, ``reset``), as GitHub's GraphQL API.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError, OperationType
from starlette.datastructures import Headers
from strawberry.extensions import SchemaExtension
from strawberry.http import process_result
from strawberry.types import ExecutionResult

from gateway.limits import DocumentCache, Operation, Prepared, check_limits, select_operation
from gateway.ratelimit import Admission
from resolvers.errors import GatewayError, LimitExceededError
from schema.root import request_error_code

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class HttpProblem(Exception):
    """A request refused before execution: HTTP ``status`` with a GraphQL-shaped error body."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers or {}
        self.extra = extra or {}

    @classmethod
    def of(cls, error: GatewayError, status: int = 400) -> HttpProblem:
        extra = {k: v for k, v in error.extensions.items() if k != "code"}
        return cls(status, str(error), error.code, extra=extra)


@dataclass(frozen=True, slots=True)
class Params:
    """What the client asked: GraphQL request parameters."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header (406 when neither JSON type fits)."""
    if not accept:
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media, *options = (p.strip() for p in part.split(";"))
        q = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                with contextlib.suppress(ValueError):
                    q = float(value)
        media = media.lower()
        if q <= 0:
            continue
        if media == GRAPHQL_RESPONSE:
            choice = (q, 1, GRAPHQL_RESPONSE)
        elif media in {JSON, "application/*", "*/*"}:
            choice = (q, 0, JSON)
        else:
            continue
        best = choice if best is None or choice > best else best
    if best is None:
        raise HttpProblem(406, f"responses are {GRAPHQL_RESPONSE} or {JSON}", "NOT_ACCEPTABLE")
    return best[2]


async def read_body(receive: Callable[[], Awaitable[Any]], headers: Headers, limit: int) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (before reading it when the
    ``Content-Length`` says so)."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise asyncio.CancelledError
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large(size: int, limit: int) -> HttpProblem:
    return HttpProblem(
        413,
        f"the request body of {size} bytes exceeds the limit 'body_bytes' of {limit}",
        "LIMIT_EXCEEDED",
        extra={"limit": "body_bytes", "value": size, "max": limit},
    )


def _bad(message: str) -> HttpProblem:
    return HttpProblem(400, message, "BAD_REQUEST")


def parse_post(body: bytes, content_type: str | None) -> Params:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in {JSON, GRAPHQL_RESPONSE}:
        raise HttpProblem(415, "send the request as application/json", "UNSUPPORTED_MEDIA_TYPE")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _bad(f"the body is not valid JSON: {str(exc)[:120]}") from exc
    return _params(data)


def parse_get(query_string: bytes) -> Params:
    raw = {k: v[0] for k, v in parse_qs(query_string.decode("latin-1")).items()}
    data: dict[str, Any] = {"query": raw.get("query"), "operationName": raw.get("operationName")}
    if raw.get("variables"):
        try:
            data["variables"] = orjson.loads(raw["variables"])
        except orjson.JSONDecodeError as exc:
            raise _bad("the variables parameter is not valid JSON") from exc
    return _params(data)


def _params(data: object) -> Params:
    if not isinstance(data, dict):
        raise _bad(f"the body must be a JSON object, got {_json_kind(data)}")
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _bad("the request needs a 'query' string")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise _bad("'variables' must be an object or null")
    name = data.get("operationName")
    if name is not None and not isinstance(name, str):
        raise _bad("'operationName' must be a string or null")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise _bad("'extensions' must be an object or null")
    return Params(query, variables, name)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    kinds = {str: "a string", list: "an array", bool: "a boolean", int: "a number"}
    return kinds.get(type(value), "a number")


def request_id(headers: Headers) -> str:
    given = headers.get("x-request-id")
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


class PreparedDocument(SchemaExtension):
    """Hands strawberry the document the gateway already parsed and validated (if any)."""

    def on_parse(self):  # type: ignore[no-untyped-def]
        document = getattr(self.execution_context.context, "prepared_document", None)
        if document is not None:
            self.execution_context.graphql_document = document
        yield

    def on_validate(self):  # type: ignore[no-untyped-def]
        if getattr(self.execution_context.context, "prepared_document", None) is not None:
            self.execution_context.pre_execution_errors = []
        yield


def error_body(errors: list[dict[str, Any]], rid: str) -> list[dict[str, Any]]:
    for error in errors:
        error["extensions"] = {**(error.get("extensions") or {}), "requestId": rid}
    return errors


def problem_body(problem: HttpProblem, rid: str) -> dict[str, Any]:
    error = {"message": str(problem), "extensions": {"code": problem.code, **problem.extra}}
    return {"errors": error_body([error], rid)}


def rate_headers(admission: Admission | None) -> dict[str, str]:
    if admission is None:
        return {}
    return {
        "X-RateLimit-Limit": str(admission.limit),
        "X-RateLimit-Remaining": str(admission.remaining),
        "X-RateLimit-Reset": str(admission.reset),
    }


def prepare(
    cache: DocumentCache,
    params: Params,
    *,
    tokens: int,
    method: str,
) -> tuple[Prepared, Operation | None]:
    """Parse (cached) and pick the operation (None: a parse error); raises
    :class:`HttpProblem` for request errors."""
    try:
        prepared = cache.get(params.query, tokens)
    except LimitExceededError as exc:
        raise HttpProblem.of(exc) from exc
    if prepared.document is None:
        return prepared, None
    try:
        op = select_operation(prepared, params.operation_name)
    except LimitExceededError as exc:
        raise HttpProblem(400, str(exc), "BAD_REQUEST") from exc
    if op.kind is OperationType.SUBSCRIPTION:
        raise HttpProblem(400, "subscriptions are served over WebSocket", "BAD_REQUEST")
    if method == "GET" and op.kind is not OperationType.QUERY:
        raise HttpProblem(
            405,
            f"a {op.kind.value} must be sent with POST",
            "METHOD_NOT_ALLOWED",
            headers={"Allow": "POST"},
        )
    return prepared, op


def validation_errors(errors: tuple[GraphQLError, ...]) -> list[dict[str, Any]]:
    out = []
    for error in errors:
        formatted = dict(error.formatted)
        formatted["extensions"] = {"code": request_error_code(error)}
        out.append(formatted)
    return out


def limits_problem(exc: GatewayError) -> HttpProblem:
    return HttpProblem.of(exc, 403 if exc.code == "FORBIDDEN" else 400)


__all__ = [
    "ExecutionResult",
    "HttpProblem",
    "Params",
    "PreparedDocument",
    "check_limits",
    "negotiate",
    "parse_get",
    "parse_post",
    "prepare",
    "process_result",
    "read_body",
    "request_id",
]
