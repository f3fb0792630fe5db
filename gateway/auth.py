"""Supabase JWT verification: turns an ``Authorization`` header into a :class:`Principal`.

Accepted tokens:

* ``HS256`` signed with ``settings.jwt_secret`` (Supabase's legacy shared secret).
* ``RS256`` / ``ES256`` signed with a key from the JWKS at ``settings.jwks_url``, looked up by the
  token's ``kid``. Unset ``jwks_url``: asymmetric tokens are rejected.

The algorithm family is pinned to the key type: an HS256 token is only ever checked against the
shared secret, an RS256 token only against a JWKS key with ``kty`` RSA, an ES256 token only against
an EC P-256 key. That defeats the HS/RS confusion attack (an HS256 token "signed" with the public
RSA key) and ``alg: none``. Any other algorithm is rejected.

Claims: ``exp`` and ``aud`` are required; ``exp``/``nbf``/``iat`` are checked with
:data:`CLOCK_SKEW_LEEWAY_SECONDS` of leeway; ``aud`` must contain ``settings.jwt_audience``;
``iss`` must equal ``settings.jwt_issuer`` when that is set; ``role`` must be ``authenticated`` or
``anon`` (``service_role`` is refused: it bypasses row-level security); ``sub`` must be a UUID for
``authenticated`` tokens; ``app_role``, when present, must be one of :data:`APP_ROLES`.

Note: Supabase's *anon key* has no ``aud`` claim and is therefore rejected; clients that are not
signed in should send no ``Authorization`` header, which yields :func:`anonymous`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import jwt

from gateway.settings import Settings

log = logging.getLogger(__name__)

#: Values allowed in the optional ``app_role`` claim.
APP_ROLES: frozenset[str] = frozenset(
    {"agent", "team_lead", "manager", "executive", "analyst", "admin", "dpo"}
)
#: Leeway for ``exp``/``nbf``/``iat`` so small clock differences with Supabase Auth don't fail.
CLOCK_SKEW_LEEWAY_SECONDS = 30
#: Default minimum time between two JWKS fetches, so tokens with made-up ``kid`` values can't make
#: us hammer the JWKS endpoint.
JWKS_MIN_REFETCH_SECONDS = 30.0
#: Asymmetric algorithms we accept, with the only JWK key type each may be verified with.
_KTY_FOR_ALG: Mapping[str, str] = {"RS256": "RSA", "ES256": "EC"}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request, as established from a verified token (or its absence).

    ``role`` is the Postgres role to ``set local role`` to; ``claims`` is what goes into the
    ``request.jwt.claims`` setting (see :meth:`claims_json`) and must not be mutated.
    ``user_id`` is ``None`` exactly for ``anon`` principals.
    """

    user_id: uuid.UUID | None
    role: Literal["anon", "authenticated"]
    app_role: str | None
    claims: Mapping[str, Any] = field(hash=False)
    token: str | None

    @property
    def is_anonymous(self) -> bool:
        """True for the ``anon`` Postgres role (no header, or a verified ``role: anon`` token)."""
        return self.role == "anon"

    def claims_json(self) -> str:
        """The claims as JSON, the format PostgREST-style ``request.jwt.claims`` expects."""
        return json.dumps(dict(self.claims), separators=(",", ":"))


def anonymous() -> Principal:
    """The principal for requests without credentials: role ``anon``, claims ``{"role":"anon"}``."""
    return Principal(user_id=None, role="anon", app_role=None, claims={"role": "anon"}, token=None)


class AuthError(Exception):
    """A request's credentials were rejected.

    ``reason`` is human readable (safe to return to the client: it never echoes key material);
    ``code`` is a stable machine code: ``malformed_token``, ``unsupported_algorithm``,
    ``unknown_key``, ``invalid_signature``, ``token_expired``, ``invalid_audience``,
    ``invalid_claims``, ``forbidden_role``, or ``jwks_unavailable`` (the signing keys could not be
    fetched: a server-side problem the HTTP layer may prefer to report as 503 rather than 401).
    """

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TokenVerifier:
    """Verifies Supabase access tokens; one instance is shared by all requests.

    JWKS caching: keys are fetched on first use and reused for ``settings.jwks_cache_seconds``;
    a token with an unknown ``kid`` triggers one refetch (key rotation). Fetches, successful or not,
    are at least ``min_refetch_seconds`` apart, and concurrent callers share one fetch. If a refetch
    fails, the previously fetched keys stay in use. ``clock`` (monotonic seconds) exists for tests.

    ``http`` is used for JWKS fetches when given (the caller closes it); otherwise the verifier
    creates its own client with a 5 s timeout, closed by :meth:`aclose`.
    """

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        *,
        min_refetch_seconds: float = JWKS_MIN_REFETCH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._owns_http = http is None
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._fetched_at = 0.0
        self._last_attempt: float | None = None
        self._last_error = ""

    async def aclose(self) -> None:
        """Close the HTTP client if this verifier created it."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def principal_from_authorization(self, header: str | None) -> Principal:
        """``None``/blank header → :func:`anonymous`; ``Bearer <token>`` → :meth:`verify`.

        Raises :class:`AuthError` (``malformed_token``) for any other header shape.
        """
        if header is None or not header.strip():
            return anonymous()
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        # The scheme is case-insensitive (RFC 7235); a token never contains whitespace.
        if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
            raise AuthError("malformed authorization header", "malformed_token")
        return await self.verify(token)

    async def verify(self, token: str) -> Principal:
        """Verify ``token`` per the module rules; raise :class:`AuthError` if it's unacceptable."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthError("malformed token", "malformed_token") from exc
        alg = header.get("alg")
        if not isinstance(alg, str):
            raise AuthError("malformed token", "malformed_token")
        if alg.lower() == "none":
            raise AuthError("algorithm 'none' is not allowed", "unsupported_algorithm")
        key: str | jwt.PyJWK
        if alg == "HS256":
            # Only the shared secret, never a JWKS key, even if the header names a kid.
            key = self._settings.jwt_secret
        elif alg in _KTY_FOR_ALG:
            if self._settings.jwks_url is None:
                raise AuthError(
                    f"{alg} tokens are not accepted: no JWKS URL is configured (SUPABASE_JWKS_URL)",
                    "unsupported_algorithm",
                )
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise AuthError(f"{alg} token has no 'kid' header", "unknown_key")
            key = await self._signing_key(kid, alg)
        else:
            raise AuthError(f"algorithm {alg!r} is not allowed", "unsupported_algorithm")
        return _principal(self._decode(token, key, alg), token)

    def _decode(self, token: str, key: str | jwt.PyJWK, alg: str) -> dict[str, Any]:
        audience = self._settings.jwt_audience
        issuer = self._settings.jwt_issuer
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=issuer,
                leeway=CLOCK_SKEW_LEEWAY_SECONDS,
                options={"require": ["exp", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired", "token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthError("token is not yet valid (nbf/iat)", "invalid_claims") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthError(f"token audience is not {audience!r}", "invalid_audience") from exc
        except jwt.MissingRequiredClaimError as exc:
            if exc.claim == "aud":
                raise AuthError(f"token audience is not {audience!r}", "invalid_audience") from exc
            raise AuthError(f"token has no {exc.claim!r} claim", "invalid_claims") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthError(f"token issuer is not {issuer!r}", "invalid_claims") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("invalid signature", "invalid_signature") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise AuthError(f"algorithm {alg!r} is not allowed", "unsupported_algorithm") from exc
        except jwt.DecodeError as exc:
            raise AuthError("malformed token", "malformed_token") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token claims: {exc}", "invalid_claims") from exc

    async def _signing_key(self, kid: str, alg: str) -> jwt.PyJWK:
        if (
            self._keys is None
            or self._clock() - self._fetched_at >= self._settings.jwks_cache_seconds
        ):
            await self._refresh()
        if self._keys is not None and kid not in self._keys:
            await self._refresh()  # maybe the keys were rotated; rate-limited inside
        if self._keys is None:
            raise AuthError(f"signing keys unavailable: {self._last_error}", "jwks_unavailable")
        key = self._keys.get(kid)
        if key is None:
            raise AuthError(f"unknown signing key (kid {kid!r})", "unknown_key")
        if key.algorithm_name != alg:
            raise AuthError(
                f"signing key (kid {kid!r}) is a {key.algorithm_name} key, not {alg}", "unknown_key"
            )
        return key

    async def _refresh(self) -> None:
        """Refetch the JWKS unless a fetch happened less than ``min_refetch_seconds`` ago."""
        async with self._lock:
            # Also covers callers that queued on the lock while another one fetched.
            last = self._last_attempt
            if last is not None and self._clock() - last < self._min_refetch:
                return
            self._last_attempt = self._clock()
            try:
                keys = await self._fetch_jwks()
            except (httpx.HTTPError, ValueError) as exc:
                # Keep serving previously fetched keys: a JWKS outage shouldn't log everyone out.
                self._last_error = f"JWKS fetch failed ({type(exc).__name__}: {exc})"
                log.warning("%s; keeping %s cached keys", self._last_error, len(self._keys or {}))
                return
            self._keys = keys
            self._fetched_at = self._last_attempt

    async def _fetch_jwks(self) -> dict[str, jwt.PyJWK]:
        url = self._settings.jwks_url
        if url is None:  # verify() rejects asymmetric tokens first; this is for the type checker
            raise ValueError("no JWKS URL configured")
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=5.0)
        response = await self._http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("JWKS document has no 'keys' list")
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document["keys"]:
            # Skip (rather than fail on) keys we can't use: a JWKS may legitimately list
            # encryption keys or algorithms we don't support next to the signing keys.
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            kid = entry.get("kid")
            if not isinstance(kid, str) or not kid:
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue
            if _KTY_FOR_ALG.get(key.algorithm_name) == entry.get("kty"):
                keys[kid] = key
        return keys


def _principal(claims: dict[str, Any], token: str) -> Principal:
    role = claims.get("role")
    if role == "service_role":
        raise AuthError("service_role tokens are not accepted for user requests", "forbidden_role")
    if role is None:
        raise AuthError("token has no 'role' claim", "invalid_claims")
    if role not in ("authenticated", "anon"):
        raise AuthError(f"unsupported role claim {role!r}", "invalid_claims")
    app_role = claims.get("app_role")
    if app_role is not None and (not isinstance(app_role, str) or app_role not in APP_ROLES):
        raise AuthError(f"unsupported app_role claim {app_role!r}", "invalid_claims")
    if role == "anon":
        return Principal(user_id=None, role="anon", app_role=app_role, claims=claims, token=token)
    sub = claims.get("sub")
    try:
        user_id = uuid.UUID(sub) if isinstance(sub, str) else None
    except ValueError:
        user_id = None
    if user_id is None:
        raise AuthError("token 'sub' claim is not a UUID", "invalid_claims")
    return Principal(
        user_id=user_id, role="authenticated", app_role=app_role, claims=claims, token=token
    )


def mint_token(
    secret: str,
    *,
    user_id: uuid.UUID | None,
    role: str = "authenticated",
    app_role: str | None,
    ttl_seconds: int = 3600,
    audience: str = "authenticated",
    extra: Mapping[str, Any] | None = None,
    now: int | None = None,
) -> str:
    """A Supabase-shaped HS256 access token signed with ``secret`` (for the CLI and tests).

    Claims: ``aud``, ``iat`` (``now``, default the current time), ``exp`` (``iat + ttl_seconds``),
    ``sub`` (omitted when ``user_id`` is None), ``role``, ``app_role`` (omitted when None), ``aal``
    ``aal1``, a random ``session_id``, ``is_anonymous`` false, then ``extra`` (e.g. ``email``,
    ``iss``) overriding any of these. Nothing is validated, so tests can mint bad tokens.
    """
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "aud": audience,
        "exp": issued_at + ttl_seconds,
        "iat": issued_at,
        "role": role,
        "aal": "aal1",
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    if user_id is not None:
        claims["sub"] = str(user_id)
    if app_role is not None:
        claims["app_role"] = app_role
    claims.update(extra or {})
    return jwt.encode(claims, secret, algorithm="HS256")
