"""Short-lived signed download links, bound to the user who asked for them.

A link is ``/exports/<token>``; the token is ``<body>.<signature>``: ``body`` is the URL-safe
base64 of the compressed JSON of what to produce (a report request, a ticket filter, a series),
the owner's user id (``sub``) and the expiry (``exp``, Unix seconds); ``signature`` is
HMAC-SHA256 of ``body`` under the link key (``EXPORT_LINK_SECRET``, by default derived from the
JWT secret). Nothing is stored: any gateway process can serve any link, and the content is
produced at download time under the downloader's rights, who must be the link's owner
(:func:`verify` refuses other users, expired and tampered links).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from gateway.settings import Settings


class LinkError(Exception):
    """A download link was refused: ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class SignedLink:
    """A link to give the caller: its URL and when it stops working."""

    url: str
    expires_at: datetime


def link_key(settings: Settings) -> bytes:
    """The key signing links (its own setting, or derived from the JWT secret)."""
    own = settings.reports.link_secret
    if own:
        return own.encode()
    return hmac.new(settings.jwt_secret.encode(), b"support-gateway exports", "sha256").digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, payload: Mapping[str, Any], owner: UUID, ttl_seconds: int) -> str:
    """A token for ``payload``, owned by ``owner``, valid for ``ttl_seconds``."""
    claims = {**payload, "sub": str(owner), "exp": int(time.time()) + ttl_seconds}
    body = _b64(zlib.compress(json.dumps(claims, separators=(",", ":")).encode(), 9))
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def verify(
    key: bytes, token: str, caller: UUID | None, *, now: float | None = None
) -> dict[str, Any]:
    """The payload of ``token`` if it is genuine, unexpired and ``caller``'s; else LinkError
    (403 tampered or foreign, 410 expired, 401 when the caller is anonymous)."""
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        raise LinkError(403, "invalid download link")
    try:
        claims: dict[str, Any] = json.loads(zlib.decompress(_unb64(body)))
    except (ValueError, zlib.error) as exc:
        raise LinkError(403, "invalid download link") from exc
    if float(claims.get("exp", 0)) < (time.time() if now is None else now):
        raise LinkError(410, "download link expired; ask for a new one")
    if caller is None:
        raise LinkError(401, "download links need the bearer token of the user who asked for them")
    if claims.get("sub") != str(caller):
        raise LinkError(403, "this download link belongs to another user")
    return claims


class LinkSigner:
    """Signs links for one caller (the request context's ``exports``); ``row_cap``: the most
    rows the caller's role may export at once."""

    def __init__(self, settings: Settings, owner: UUID | None, app_role: str | None) -> None:
        self._key = link_key(settings)
        self._owner = owner
        self.row_cap = settings.reports.row_cap(app_role)
        self._ttl = settings.reports.link_ttl_seconds
        self._base = settings.reports.public_url

    def link(self, payload: Mapping[str, Any]) -> SignedLink:
        """A link to ``payload`` for the caller (anonymous callers get none)."""
        if self._owner is None:
            from resolvers.errors import UserInputError

            raise UserInputError("sign in to download reports and exports")
        token = sign(self._key, payload, self._owner, self._ttl)
        expires = datetime.fromtimestamp(int(time.time()) + self._ttl, UTC)
        return SignedLink(f"{self._base}/exports/{token}", expires)
