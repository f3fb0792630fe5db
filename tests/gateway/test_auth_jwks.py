"""gateway.auth with ES256/RS256 through a real JWKS endpoint on 127.0.0.1: key types, rotation,
caching, outages."""

from __future__ import annotations

import asyncio

import httpx
import jwt
import pytest
from auth_support import (
    SECRET,
    USER,
    FakeClock,
    JwksServer,
    b64url,
    claims,
    hand_made,
    jwk,
    rejected,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import TokenVerifier
from gateway.settings import Settings


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
