"""Errors whose message is meant for the API caller.

Anything raised from a resolver that is not a :class:`UserInputError` is reported to the caller
as a generic internal error (the gateway masks it) and logged in full.
"""

from __future__ import annotations


class UserInputError(Exception):
    """The request is invalid; the message says what to change. Nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
