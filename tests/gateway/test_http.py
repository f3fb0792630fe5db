"""The HTTP surface: token rejection with 401 and a reason, anon by default, probes, GraphiQL."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable

import httpx
import jwt
import pytest

from gateway.auth import mint_token
from gateway.settings import Settings

VIEWER = "{ viewer { role appRole userId } }"


def post(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url + "/graphql", json={"query": VIEWER}, headers=headers, timeout=30)


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_no_token_is_anon(gateway_url: str) -> None:
    resp = post(gateway_url, {})
    assert resp.status_code == 200
    assert resp.json()["data"]["viewer"] == {"role": "anon", "appRole": None, "userId": None}


def test_valid_token_is_the_user(gateway_url: str, gateway_settings: Settings) -> None:
    user = uuid.uuid4()
    token = mint_token(gateway_settings.jwt_secret, user_id=user, app_role="executive")
    viewer = post(gateway_url, {"Authorization": f"Bearer {token}"}).json()["data"]["viewer"]
    assert viewer == {"role": "authenticated", "appRole": "EXECUTIVE", "userId": str(user)}


def _cases(secret: str) -> list[tuple[str, str, str]]:
    user = uuid.uuid4()
    now = int(time.time())
    good = {"sub": str(user), "role": "authenticated", "aud": "authenticated", "exp": now + 600}
    return [
        (
            "Bearer " + mint_token(secret, user_id=user, app_role="agent", ttl_seconds=-3600),
            "token_expired",
            "expired",
        ),
        (
            "Bearer " + jwt.encode(good, "another-secret-that-is-long-enough-000000", "HS256"),
            "invalid_signature",
            "signature",
        ),
        (
            "Bearer " + b64({"alg": "none", "typ": "JWT"}) + "." + b64(good) + ".",
            "unsupported_algorithm",
            "none",
        ),
        (
            "Bearer " + jwt.encode({**good, "aud": "other"}, secret, "HS256"),
            "invalid_audience",
            "audience",
        ),
        (
            "Bearer " + jwt.encode({**good, "role": "service_role"}, secret, "HS256"),
            "forbidden_role",
            "service_role",
        ),
        (
            "Bearer " + jwt.encode({**good, "nbf": now + 3600}, secret, "HS256"),
            "invalid_claims",
            "not yet valid",
        ),
        ("Bearer not.a.jwt", "malformed_token", "malformed"),
        ("Basic dXNlcjpwYXNz", "malformed_token", "authorization header"),
    ]


@pytest.mark.parametrize("index", range(8))
def test_bad_tokens_are_rejected_with_401_and_a_reason(
    gateway_url: str, gateway_settings: Settings, index: int
) -> None:
    header, code, words = _cases(gateway_settings.jwt_secret)[index]
    resp = post(gateway_url, {"Authorization": header})
    assert resp.status_code == 401
    error = resp.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert words.lower() in error["message"].lower()
    assert resp.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_probes(gateway_url: str) -> None:
    assert httpx.get(gateway_url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(gateway_url + "/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_graphiql_is_served_without_any_cdn(gateway_url: str) -> None:
    resp = httpx.get(gateway_url + "/graphql", headers={"Accept": "text/html"})
    assert resp.status_code == 200
    html = resp.text
    assert "graphiql" in html.lower()
    for cdn in ("unpkg.com", "jsdelivr", "cdnjs", "esm.sh", "googleapis"):
        assert cdn not in html
    assert "/graphiql/assets/" in html


def test_graphql_get_queries_work_for_clients(
    gateway_url: str, make_token: Callable[..., str]
) -> None:
    resp = httpx.get(
        gateway_url + "/graphql",
        params={"query": VIEWER},
        headers={"Authorization": f"Bearer {make_token('analyst')}", "Accept": "application/json"},
    )
    assert resp.json()["data"]["viewer"]["appRole"] == "ANALYST"


def test_unexpected_errors_are_masked(gateway_url: str, make_token: Callable[..., str]) -> None:
    token = make_token("manager")
    resp = httpx.post(
        gateway_url + "/graphql",
        json={"query": "{ tickets(first: 1) { nodes { interactions(last: 101) { id } } } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    err = resp.json()["errors"][0]
    assert "last must be between 0 and 100" in err["message"]
    assert "Traceback" not in resp.text
