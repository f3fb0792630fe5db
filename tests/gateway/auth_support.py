"""Helpers for the gateway.auth tests: hand-made tokens, JWKs, a fake clock, JWKS server state."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.auth import AuthError, TokenVerifier

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


async def rejected(verifier: TokenVerifier, token: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        await verifier.verify(token)
    return info.value
