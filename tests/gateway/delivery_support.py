"""Real receivers for scheduled-delivery tests: an aiosmtpd SMTP server on loopback requiring
STARTTLS and AUTH (self-signed certificate made here), and an HTTP webhook receiver (uvicorn)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from testkit import LiveServer, free_port

SMTP_USER, SMTP_PASSWORD = "reports", "s3cret-pass"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 / localhost and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Inbox:
    """Messages the SMTP server accepted; ``fail_next`` DATA commands are refused with 451."""

    messages: list[Message] = field(default_factory=list)
    envelopes: list[list[str]] = field(default_factory=list)
    fail_next: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.refused += 1
                return "451 4.3.0 mailbox temporarily unavailable"
            self.messages.append(message_from_bytes(envelope.content))
            self.envelopes.append(list(envelope.rcpt_tos))
        return "250 OK"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok)


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with STARTTLS required before AUTH, AUTH required before mail."""

    def __init__(self, folder: Path) -> None:
        self.cert, key = self_signed(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(
            self.inbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=_authenticate,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class Hook:
    """What the webhook receiver got: (headers, body) per request; answers ``status``."""

    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200


class WebhookReceiver:
    def __init__(self) -> None:
        self.hook = Hook()

        async def receive(request: Request) -> Response:
            body = await request.body()
            self.hook.requests.append((dict(request.headers), body))
            return Response("ok", status_code=self.hook.status)

        self.server = LiveServer(
            Starlette(
                routes=[
                    Route("/hook", receive, methods=["POST"]),
                    Route("/healthz", lambda r: Response("ok"), methods=["GET"]),
                ]
            )
        )
        self.url = self.server.url + "/hook"

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
