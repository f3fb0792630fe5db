"""Tests for gateway.auth: real tokens, real signatures, a real JWKS HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.auth import APP_ROLES, AuthError, Principal, TokenVerifier, anonymous, mint_token
from gateway.settings import Settings

SECRET = "test-secret-that-is-definitely-longer-than-32-bytes"
USER = uuid.UUID("6f1c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f")


# --- helpers -----------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], claims: dict[str, Any], sign_key: bytes | None) -> str:
    """A JWT assembled by hand, for tokens PyJWT refuses to produce (alg none, HS256+PEM)."""
    head = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    if sign_key is None:
        return head + "."
    return head + "." + b64url(hmac.new(sign_key, head.encode(), hashlib.sha256).digest())


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "aud": "authenticated",
        "exp": now + 600,
        "iat": now,
        "sub": str(USER),
        "role": "authenticated",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def jwk(public_key: Any, kid: str, **extra: Any) -> dict[str, Any]:
    algo = RSAAlgorithm if isinstance(public_key, rsa.RSAPublicKey) else ECAlgorithm
    data: dict[str, Any] = algo.to_jwk(public_key, as_dict=True)
    return {**data, "kid": kid, "use": "sig", **extra}


class FakeClock:
    """Monotonic clock the tests advance by hand, to exercise cache expiry without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class JwksServer:
    """State of the local JWKS endpoint: what it serves and how often it was asked."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    fetches: int = 0


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def jwks_endpoint() -> Iterator[JwksServer]:
    """One real HTTP server for the module (starting one per test would dominate the run time)."""
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.fetches += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/auth/v1/.well-known/jwks.json"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def jwks_server(jwks_endpoint: JwksServer) -> JwksServer:
    """The module's JWKS server, reset to serve an empty key set with no fetches counted."""
    jwks_endpoint.keys, jwks_endpoint.status, jwks_endpoint.fetches = [], 200, 0
    return jwks_endpoint


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=5.0) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def verifier(jwks_server: JwksServer, http: httpx.AsyncClient, clock: FakeClock) -> TokenVerifier:
    settings = Settings(jwt_secret=SECRET, jwks_url=jwks_server.url, jwks_cache_seconds=600)
    return TokenVerifier(settings, http, clock=clock)


async def rejected(verifier: TokenVerifier, token: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    return info.value


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
    ("token_claims", "code", "reason"),
    [
        (claims(exp=int(time.time()) - 120), "token_expired", "token expired"),
        (claims(nbf=int(time.time()) + 120), "invalid_claims", "token is not yet valid (nbf/iat)"),
        (claims(exp=None), "invalid_claims", "token has no 'exp' claim"),
        (claims(aud="other"), "invalid_audience", "token audience is not 'authenticated'"),
        (claims(aud=None), "invalid_audience", "token audience is not 'authenticated'"),
        (
            claims(role="service_role", sub=None),
            "forbidden_role",
            "service_role tokens are not accepted for user requests",
        ),
        (claims(role="postgres"), "invalid_claims", "unsupported role claim 'postgres'"),
        (claims(role=None), "invalid_claims", "token has no 'role' claim"),
        (claims(sub="not-a-uuid"), "invalid_claims", "token 'sub' claim is not a UUID"),
        (claims(sub=None), "invalid_claims", "token 'sub' claim is not a UUID"),
        (claims(app_role="root"), "invalid_claims", "unsupported app_role claim 'root'"),
        (claims(app_role=["admin"]), "invalid_claims", "unsupported app_role claim ['admin']"),
    ],
)
async def test_claim_rejections(
    verifier: TokenVerifier, token_claims: dict[str, Any], code: str, reason: str
) -> None:
    error = await rejected(verifier, jwt.encode(token_claims, SECRET, algorithm="HS256"))
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


async def test_asymmetric_tokens_rejected_without_jwks_url(
    http: httpx.AsyncClient, rsa_key: rsa.RSAPrivateKey
) -> None:
    verifier = TokenVerifier(Settings(jwt_secret=SECRET), http)
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "k1"})
    error = await rejected(verifier, token)
    assert error.code == "unsupported_algorithm"
    assert (
        error.reason
        == "RS256 tokens are not accepted: no JWKS URL is configured (SUPABASE_JWKS_URL)"
    )


# --- JWKS: asymmetric tokens, key pinning, caching, rotation -----------------------------------


async def test_valid_rs256_and_es256_via_jwks(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    jwks_server.keys = [jwk(rsa_key.public_key(), "rsa-1"), jwk(ec_key.public_key(), "ec-1")]
    rs = jwt.encode(
        claims(app_role="analyst"), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"}
    )
    es = jwt.encode(claims(app_role="admin"), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert (await verifier.verify(rs)).app_role == "analyst"
    assert (await verifier.verify(es)).app_role == "admin"
    assert jwks_server.fetches == 1


async def test_hs_rs_confusion_is_rejected(
    verifier: TokenVerifier, jwks_server: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks_server.keys = [jwk(rsa_key.public_key(), "rsa-1")]
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # The classic attack: HS256 "signed" with the public key, naming the RSA key's kid.
    forged = hand_made({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), sign_key=pem)
    error = await rejected(verifier, forged)
    assert (error.code, error.reason) == ("invalid_signature", "invalid signature")


async def test_symmetric_jwks_keys_are_never_used(
    verifier: TokenVerifier, jwks_server: JwksServer
) -> None:
    oct_secret = b"an-oct-key-published-in-the-jwks-32-bytes-or-more"
    jwks_server.keys = [{"kty": "oct", "kid": "sym", "k": b64url(oct_secret), "use": "sig"}]
    token = hand_made({"alg": "HS256", "kid": "sym"}, claims(), sign_key=oct_secret)
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == ("invalid_signature", "invalid signature")


async def test_algorithm_must_match_key_type(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    rsa_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
) -> None:
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    # An RS256 token pointing at an EC key: refused before any signature check.
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "ec-1"})
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == (
        "unknown_key",
        "signing key (kid 'ec-1') is a ES256 key, not RS256",
    )


async def test_asymmetric_token_signed_by_wrong_key(
    verifier: TokenVerifier, jwks_server: JwksServer, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    other = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode(claims(), other, algorithm="ES256", headers={"kid": "ec-1"})
    error = await rejected(verifier, token)
    assert (error.code, error.reason) == ("invalid_signature", "invalid signature")


async def test_asymmetric_token_without_kid(
    verifier: TokenVerifier, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    error = await rejected(verifier, jwt.encode(claims(), ec_key, algorithm="ES256"))
    assert (error.code, error.reason) == ("unknown_key", "ES256 token has no 'kid' header")


async def test_jwks_is_cached(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    ec_key: ec.EllipticCurvePrivateKey,
    clock: FakeClock,
) -> None:
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    for _ in range(10):
        await verifier.verify(token)
    assert jwks_server.fetches == 1
    clock.now += 601  # past jwks_cache_seconds
    await verifier.verify(token)
    assert jwks_server.fetches == 2


async def test_concurrent_cold_start_fetches_once(
    verifier: TokenVerifier, jwks_server: JwksServer, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    await asyncio.gather(*(verifier.verify(token) for _ in range(10)))
    assert jwks_server.fetches == 1


async def test_kid_rotation_and_refetch_rate_limit(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    ec_key: ec.EllipticCurvePrivateKey,
    clock: FakeClock,
) -> None:
    old = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    await verifier.verify(old)
    assert jwks_server.fetches == 1

    # Attacker-chosen kids within the refetch interval: no extra requests to the JWKS endpoint.
    for i in range(5):
        bogus = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": f"bogus-{i}"})
        error = await rejected(verifier, bogus)
        assert (error.code, error.reason) == (
            "unknown_key",
            f"unknown signing key (kid 'bogus-{i}')",
        )
    assert jwks_server.fetches == 1

    # Supabase rotates to a new key; once the refetch interval has passed, the new kid verifies.
    new_key = ec.generate_private_key(ec.SECP256R1())
    jwks_server.keys = [jwk(new_key.public_key(), "ec-2")]
    clock.now += 31
    new = jwt.encode(claims(), new_key, algorithm="ES256", headers={"kid": "ec-2"})
    assert (await verifier.verify(new)).user_id == USER
    assert jwks_server.fetches == 2
    # The retired key is gone from the refreshed set.
    error = await rejected(verifier, old)
    assert error.code == "unknown_key"
    assert jwks_server.fetches == 2


async def test_jwks_unavailable_then_recovers(
    verifier: TokenVerifier,
    jwks_server: JwksServer,
    ec_key: ec.EllipticCurvePrivateKey,
    clock: FakeClock,
) -> None:
    jwks_server.status = 500
    token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    error = await rejected(verifier, token)
    assert error.code == "jwks_unavailable"
    assert error.reason.startswith("signing keys unavailable: JWKS fetch failed (HTTPStatusError")
    await rejected(verifier, token)  # within the refetch interval: no new request
    assert jwks_server.fetches == 1

    jwks_server.status = 200
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    clock.now += 31
    await verifier.verify(token)
    assert jwks_server.fetches == 2

    # A later failed refresh keeps the keys we already have.
    jwks_server.status = 500
    clock.now += 601
    await verifier.verify(token)
    assert jwks_server.fetches == 3


async def test_verifier_owns_and_closes_its_client(
    jwks_server: JwksServer, ec_key: ec.EllipticCurvePrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    jwks_server.keys = [jwk(ec_key.public_key(), "ec-1")]
    verifier = TokenVerifier(Settings(jwt_secret=SECRET, jwks_url=jwks_server.url))
    try:
        token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
        assert (await verifier.verify(token)).user_id == USER
    finally:
        await verifier.aclose()


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
