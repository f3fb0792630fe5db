"""Errors whose message is meant for the API caller, each with a stable ``extensions.code``.

Raise one of these from a resolver (or from the gateway) and the caller gets its message and
``extensions: {"code": ...}`` (plus any ``extra`` entries); nothing is logged with a stack trace
and the gateway's error-rate alert does not count it. Anything else raised from a resolver is
reported as ``"Unexpected error."`` with code ``INTERNAL_SERVER_ERROR`` and logged in full.

| class | code | meaning |
|---|---|---|
| :class:`UserInputError` | ``BAD_USER_INPUT`` | an argument is invalid (says what to change) |
| :class:`ForbiddenError` | ``FORBIDDEN`` | the caller may not ask for this (role, anonymous) |
| :class:`UnauthenticatedError` | ``UNAUTHENTICATED`` | a token is needed (or was refused) |
| :class:`QueryTimeoutError` | ``TIMEOUT`` | a statement or the operation's deadline ran out |
| :class:`RateLimitedError` | ``RATE_LIMITED`` | the caller's rate limit is used up |
| :class:`LimitExceededError` | ``LIMIT_EXCEEDED`` | an operation limit (depth, cost...) |
| :class:`UnavailableError` | ``SERVICE_UNAVAILABLE`` | the service is saturated; retry later |

Messages quote the caller's input through :func:`echo`, which keeps at most
:data:`MAX_ECHO` characters of it.
"""

from __future__ import annotations

from typing import Any, ClassVar

#: At most this many characters of a caller's input are quoted back in a message.
MAX_ECHO = 200


def echo(value: object, limit: int = MAX_ECHO) -> str:
    """``repr(value)`` cut to ``limit`` characters (with ``…`` when cut): safe to put in a
    message whatever the caller sent."""
    text = repr(value) if not isinstance(value, str) else repr(value[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GatewayError(Exception):
    """An error reported to the caller as is, with ``extensions.code`` = :attr:`code`."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(
        self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.extensions: dict[str, Any] = {"code": self.code, **(extra or {})}


class UserInputError(GatewayError):
    """The request is invalid; the message says what to change. Nothing was written."""

    code = "BAD_USER_INPUT"


class ForbiddenError(GatewayError):
    """The caller's role may not ask for this (checked before any SQL where possible)."""

    code = "FORBIDDEN"


class UnauthenticatedError(GatewayError):
    """The operation needs a signed-in caller."""

    code = "UNAUTHENTICATED"


class QueryTimeoutError(GatewayError):
    """A statement hit its timeout, or the operation its deadline; other fields keep data."""

    code = "TIMEOUT"


class RateLimitedError(GatewayError):
    """The caller's request rate is over their limit."""

    code = "RATE_LIMITED"


class LimitExceededError(GatewayError):
    """An operation limit was exceeded: ``extra`` names ``limit`` and the ``value``."""

    code = "LIMIT_EXCEEDED"


class UnavailableError(GatewayError):
    """The gateway is saturated (e.g. no database connection in time); retry later."""

    code = "SERVICE_UNAVAILABLE"
