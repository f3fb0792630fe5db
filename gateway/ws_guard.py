"""WebSocket hardening, for both protocols (graphql-transport-ws and the legacy graphql-ws).

- **Frames**: each must be a JSON object with a string ``type`` (a subscribe/start also an
  object payload with a string ``query``); anything else closes the socket with **4400** and a
  reason saying what was wrong (strawberry would crash on a JSON array: close 1006).
- **Documents**: a subscribe (graphql-transport-ws) or start (graphql-ws) message runs the HTTP
  checks (:mod:`gateway.limits`: tokens, depth, aliases, root fields, cost, with the connection's
  role limits) and must be a **subscription**: queries and mutations are served over HTTP. A
  refused document gets an ``error`` message for its id (``extensions.code``), the socket stays.
- **Unauthenticated sockets**: at most ``GATEWAY_WS_MAX_UNAUTHENTICATED`` connections per process
  may be open without a verified ``connection_init`` (more are refused at the handshake); the
  ``connection_init`` timeout (``GATEWAY_WS_INIT_TIMEOUT_SECONDS``, 4408) bounds how long each
  may stay so. Subscriptions per connection are capped (``GATEWAY_WS_MAX_SUBSCRIPTIONS``).
"""

from __future__ import annotations

from typing import Any, cast

from graphql import OperationType
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from gateway.auth import Principal
from gateway.limits import DocumentCache, check_limits, select_operation
from gateway.settings import Settings
from resolvers.errors import GatewayError

#: Close code for a malformed frame (graphql-transport-ws "Bad request").
BAD_FRAME = 4400


def frame_problem(message: object, start_types: tuple[str, ...]) -> str | None:
    """Why ``message`` is not a frame we accept, or None."""
    if not isinstance(message, dict):
        return "each frame must be a JSON object"
    kind = message.get("type")
    if not isinstance(kind, str):
        return "each frame needs a string 'type'"
    if kind in start_types:
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return f"a {kind} frame needs a payload object with a 'query' string"
        if not isinstance(message.get("id"), str):
            return f"a {kind} frame needs a string 'id'"
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            return "'variables' must be an object or null"
    return None


def _error(message: str, code: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"message": message, "extensions": {"code": code, **extra}}]


def document_problem(
    cache: DocumentCache, settings: Settings, principal: Principal | None, payload: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """The errors refusing a subscription document before it runs, or None to run it."""
    role = principal.role if principal is not None else "anon"
    app_role = principal.app_role if principal is not None else None
    limits = settings.limits_for(role, app_role)
    try:
        prepared = cache.get(payload["query"], limits.tokens)
        if prepared.document is None:
            return None  # strawberry reports the syntax error itself
        op = select_operation(prepared, payload.get("operationName"))
        if op.kind is not OperationType.SUBSCRIPTION:
            return _error(
                f"only subscriptions are accepted over WebSocket; send a {op.kind.value} over HTTP",
                "BAD_REQUEST",
            )
        check_limits(
            prepared,
            op,
            limits,
            anonymous=False,  # anonymous connections may not subscribe at all (4401)
            variables=payload.get("variables"),
            schema=cache.schema,
        )
    except GatewayError as exc:
        return [{"message": str(exc), "extensions": exc.extensions}]
    return None


class SocketCounter:
    """Open websockets that have not (yet) authenticated, per process."""

    def __init__(self) -> None:
        self.unauthenticated = 0

    def admit(self, limit: int) -> bool:
        if self.unauthenticated >= limit:
            return False
        self.unauthenticated += 1
        return True

    def release(self) -> None:
        self.unauthenticated = max(0, self.unauthenticated - 1)


class GuardedView:
    """What the handlers need from the view (:class:`gateway.graphql_view.GatewayGraphQL`)."""

    def subscription_problem(
        self, context: Any, payload: dict[str, Any]
    ) -> list[dict[str, Any]] | None:  # pragma: no cover - protocol
        raise NotImplementedError


class GuardedGraphQLWSHandler(BaseGraphQLWSHandler[Any, Any]):
    """strawberry's legacy graphql-ws handler with the frame and document checks."""

    async def handle_message(self, message: Any) -> None:
        problem = frame_problem(message, ("start",))
        if problem is not None:
            await self.websocket.close(code=BAD_FRAME, reason=problem)
            return
        if message["type"] == "start" and self.connection_acknowledged:
            view: GuardedView = self.view  # type: ignore[assignment]
            errors = view.subscription_problem(self.context, message["payload"])
            if errors:
                await self.send_message(
                    cast(Any, {"type": "error", "id": message["id"], "payload": errors[0]})
                )
                return
        await super().handle_message(message)
