"""Fixtures of the gateway.auth tests: keys, a real JWKS HTTP server on 127.0.0.1, a verifier."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from auth_support import SECRET, FakeClock, JwksServer
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import TokenVerifier
from gateway.settings import Settings


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
