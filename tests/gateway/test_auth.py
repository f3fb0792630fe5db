"""gateway.auth with HS256: valid tokens, claims, headers, algorithms, malformed input."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from auth_support import SECRET, USER, b64url, claims, hand_made, rejected

from gateway.auth import APP_ROLES, AuthError, Principal, TokenVerifier, anonymous, mint_token
from gateway.settings import Settings

# --- valid tokens ------------------------------------------------------------------------------


async def test_valid_hs256_token(verifier: TokenVerifier) -> None:
    token = mint_token(SECRET, user_id=USER, app_role="manager", extra={"email": "m@example.com"})
    principal = await verifier.verify(token)
    assert principal.user_id == USER
    assert principal.role == "authenticated"
    assert principal.app_role == "manager"
    assert not principal.is_anonymous
    assert principal.token == token
    assert principal.claims["email"] == "m@example.com"
    assert principal.claims["aal"] == "aal1"
    assert principal.claims["is_anonymous"] is False
    uuid.UUID(principal.claims["session_id"])
    assert json.loads(principal.claims_json())["sub"] == str(USER)


@pytest.mark.parametrize("app_role", sorted(APP_ROLES))
async def test_every_app_role_is_accepted(verifier: TokenVerifier, app_role: str) -> None:
    principal = await verifier.verify(mint_token(SECRET, user_id=USER, app_role=app_role))
    assert principal.app_role == app_role


async def test_app_role_is_optional(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(mint_token(SECRET, user_id=USER, app_role=None))
    assert principal.app_role is None
    assert "app_role" not in principal.claims


async def test_anon_role_token(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(mint_token(SECRET, user_id=None, role="anon", app_role=None))
    assert principal.role == "anon"
    assert principal.is_anonymous
    assert principal.user_id is None


async def test_anonymous_principal_and_authorization_header(verifier: TokenVerifier) -> None:
    anon = anonymous()
    assert anon == Principal(None, "anon", None, {"role": "anon"}, None)
    assert anon.is_anonymous
    assert await verifier.principal_from_authorization(None) == anon
    assert await verifier.principal_from_authorization("") == anon
    token = mint_token(SECRET, user_id=USER, app_role="agent")
    for header in (f"Bearer {token}", f"bearer  {token} "):
        principal = await verifier.principal_from_authorization(header)
        assert principal.user_id == USER


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "tok"])
async def test_malformed_authorization_header(verifier: TokenVerifier, header: str) -> None:
    with pytest.raises(AuthError) as info:
        await verifier.principal_from_authorization(header)
    assert (info.value.code, info.value.reason) == (
        "malformed_token",
        "malformed authorization header",
    )


async def test_clock_skew_leeway(verifier: TokenVerifier) -> None:
    now = int(time.time())
    # Expired 10 s ago / valid from 10 s in the future: within the 30 s leeway.
    await verifier.verify(jwt.encode(claims(exp=now - 10), SECRET, algorithm="HS256"))
    await verifier.verify(jwt.encode(claims(nbf=now + 10), SECRET, algorithm="HS256"))


# --- rejections --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_claims", "code", "reason"),
    [
        (lambda: claims(exp=int(time.time()) - 120), "token_expired", "token expired"),
        (
            lambda: claims(nbf=int(time.time()) + 86_400),
            "invalid_claims",
            "token is not yet valid (nbf/iat)",
        ),
        (lambda: claims(exp=None), "invalid_claims", "token has no 'exp' claim"),
        (lambda: claims(aud="other"), "invalid_audience", "token audience is not 'authenticated'"),
        (lambda: claims(aud=None), "invalid_audience", "token audience is not 'authenticated'"),
        (
            lambda: claims(role="service_role", sub=None),
            "forbidden_role",
            "service_role tokens are not accepted for user requests",
        ),
        (lambda: claims(role="postgres"), "invalid_claims", "unsupported role claim 'postgres'"),
        (lambda: claims(role=None), "invalid_claims", "token has no 'role' claim"),
        (lambda: claims(sub="not-a-uuid"), "invalid_claims", "token 'sub' claim is not a UUID"),
        (lambda: claims(sub=None), "invalid_claims", "token 'sub' claim is not a UUID"),
        (lambda: claims(app_role="root"), "invalid_claims", "unsupported app_role claim 'root'"),
        (
            lambda: claims(app_role=["admin"]),
            "invalid_claims",
            "unsupported app_role claim ['admin']",
        ),
    ],
)
async def test_claim_rejections(
    verifier: TokenVerifier,
    make_claims: Callable[[], dict[str, Any]],
    code: str,
    reason: str,
) -> None:
    # Claims are built when the test runs: times taken at collection go stale in a long suite.
    error = await rejected(verifier, jwt.encode(make_claims(), SECRET, algorithm="HS256"))
    assert (error.code, error.reason) == (code, reason)


async def test_issuer_is_checked_when_configured(http: httpx.AsyncClient) -> None:
    iss = "https://ref.supabase.co/auth/v1"
    verifier = TokenVerifier(Settings(jwt_secret=SECRET, jwt_issuer=iss), http)
    await verifier.verify(jwt.encode(claims(iss=iss), SECRET, algorithm="HS256"))
    for bad in (claims(iss="https://evil.example/auth/v1"), claims()):
        error = await rejected(verifier, jwt.encode(bad, SECRET, algorithm="HS256"))
        assert error.code == "invalid_claims"
        assert error.reason in (f"token issuer is not {iss!r}", "token has no 'iss' claim")


async def test_bad_signature(verifier: TokenVerifier) -> None:
    other = mint_token(
        "another-secret-that-is-also-longer-than-32-bytes", user_id=USER, app_role=None
    )
    error = await rejected(verifier, other)
    assert (error.code, error.reason) == ("invalid_signature", "invalid signature")
    # A tampered payload with the original signature.
    head, _, sig = mint_token(SECRET, user_id=USER, app_role="agent").split(".")
    forged = b64url(json.dumps(claims(app_role="admin")).encode())
    error = await rejected(verifier, f"{head}.{forged}.{sig}")
    assert (error.code, error.reason) == ("invalid_signature", "invalid signature")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_alg_none_is_rejected(verifier: TokenVerifier, alg: str) -> None:
    token = hand_made({"alg": alg, "typ": "JWT"}, claims(), sign_key=None)
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == (
        "unsupported_algorithm",
        "algorithm 'none' is not allowed",
    )


async def test_other_algorithms_are_rejected(verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(), SECRET + "-padding-for-hs512-key-length-x", algorithm="HS512")
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == (
        "unsupported_algorithm",
        "algorithm 'HS512' is not allowed",
    )


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "a.b", "eyJhbGciOiJIUzI1NiJ9.!!!.sig", b64url(b"[1]") + ".e30.x"],
)
async def test_malformed_tokens(verifier: TokenVerifier, token: str) -> None:
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == ("malformed_token", "malformed token")


def test_mint_token_shape() -> None:
    token = mint_token(
        SECRET, user_id=USER, app_role="executive", ttl_seconds=60, now=1_700_000_000
    )
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert payload["iat"] == 1_700_000_000
    assert payload["exp"] == 1_700_000_060
    assert payload["sub"] == str(USER)
    assert payload["aud"] == "authenticated"
    assert payload["role"] == "authenticated"
    assert payload["app_role"] == "executive"
    assert payload["is_anonymous"] is False
