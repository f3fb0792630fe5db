"""Websocket authentication: the token in ``connection_init``, and rejection with 4403 + reason.

A websocket client authenticates in its ``connection_init`` payload, the way the ``graphql-ws``
client's ``connectionParams`` and GraphiQL's header editor send it:

    {"Authorization": "Bearer <access token>"}

The key is matched case-insensitively; ``token``/``authToken``/``accessToken`` (the bare token or
``Bearer <token>``) and a nested ``headers`` object are accepted too. The token is verified
exactly as on HTTP (:class:`gateway.auth.TokenVerifier`). No token: an anonymous connection,
which may not subscribe. A bad or expired token closes the socket with code **4403** and the
reason (e.g. ``4403 token expired``) on both protocols (on the legacy graphql-ws protocol a
``connection_error`` message carrying ``{"message", "code"}`` comes first). A connection whose
token expires later is closed the same way (``4403 token expired``) when it does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected

from gateway.auth import AuthError, Principal
from resolvers.context import RequestContext

#: Close code for a refused connection (graphql-transport-ws "Forbidden").
FORBIDDEN = 4403
#: Where the rejection reason travels from ``on_ws_connect`` to the socket's close frame.
REASON_KEY = "gateway.reject_reason"

_TOKEN_KEYS = ("token", "authtoken", "accesstoken", "access_token", "jwt")


@dataclass
class LiveContext(RequestContext):
    """The context of a websocket connection; ``live`` is set once the token is verified."""

    live: Any = None
    principal: Principal | None = None
    connection_params: Any = None


def authorization_from_params(params: Any) -> str | None:
    """The ``Authorization`` header value carried by a connection_init payload, or None.

    Raises :class:`AuthError` (``malformed_token``) for a present but unusable value.
    """
    if not isinstance(params, Mapping):
        return None
    lowered = {str(k).lower(): v for k, v in params.items()}
    headers = lowered.get("headers")
    if "authorization" not in lowered and isinstance(headers, Mapping):
        lowered = {**{str(k).lower(): v for k, v in headers.items()}, **lowered}
    value = lowered.get("authorization")
    if value is None:
        for key in _TOKEN_KEYS:
            if lowered.get(key) is not None:
                value = lowered[key]
                break
        if isinstance(value, str) and value.strip() and " " not in value.strip():
            value = "Bearer " + value.strip()
    if value is None:
        return None
    if not isinstance(value, str):
        raise AuthError("the authorization value must be a string", "malformed_token")
    return value


def reject(websocket: WebSocket, error: AuthError) -> dict[str, object]:
    """Remember why ``websocket`` is refused; the payload for the legacy connection_error."""
    websocket.scope[REASON_KEY] = error.reason
    return {"message": error.reason, "code": error.code}


def _close_reason(text: str) -> str:
    data = text.encode("utf-8")[:123]  # a close frame's reason is at most 123 bytes
    return data.decode("utf-8", errors="ignore")


class GatewayWebSocketAdapter(ASGIWebSocketAdapter):
    """Closes a refused connection with 4403 and the reason it was refused.

    strawberry closes a rejected graphql-transport-ws connection with ``4403 Forbidden`` and a
    rejected legacy one with ``1011``; with a recorded reason both become ``4403 <reason>``.
    """

    async def send_text(self, text: str) -> None:
        """Send an already encoded message (shared stream frames)."""
        try:
            await self.ws.send_text(text)
        except (WebSocketDisconnect, RuntimeError) as exc:  # RuntimeError: sent after close
            raise WebSocketDisconnected from exc

    async def close(self, code: int, reason: str) -> None:
        recorded = self.ws.scope.get(REASON_KEY)
        if recorded is not None and code in (FORBIDDEN, 1011):
            code, reason = FORBIDDEN, _close_reason(str(recorded))
        with contextlib.suppress(RuntimeError):  # already closed
            await self.ws.close(code=code, reason=reason)
