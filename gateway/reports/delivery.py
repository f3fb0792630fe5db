"""Sending a rendered report: e-mail over SMTP (STARTTLS, authentication) and an HMAC-signed
webhook POST.

E-mail: one message to all recipients with the file attached, ``Message-ID`` derived from the
delivery (``<report-delivery-<id>@…>``) so a receiving system can recognise a copy. SMTP runs
in a worker thread (the standard library's ``smtplib``: ``STARTTLS`` before ``AUTH``, the
server's certificate checked against the system's CAs or ``SMTP_CA_FILE``).

Webhook: ``POST`` of the file itself (its media type as ``Content-Type``) with headers
``X-Report-Delivery`` (the delivery id, also ``Idempotency-Key``), ``X-Report-Schedule``,
``X-Report-Scheduled-For``, ``X-Report-Timestamp`` and ``X-Report-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>." + body>`` under ``REPORTS_WEBHOOK_SECRET``. Any 2xx
answer is a success.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import smtplib
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import httpx

from gateway.report_settings import ReportSettings
from gateway.reports.render import Rendered
from gateway.settings import Settings


class DeliveryError(Exception):
    """A channel failed; the message says how (it is recorded on the delivery)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A scheduled run's file and what to say about it."""

    delivery_id: int
    schedule_id: str
    scheduled_for: datetime
    title: str
    period: str
    filename: str
    rendered: Rendered
    #: the personal data the contents carried (audited when the run is sent)
    reads: Any = None


def webhook_key(settings: Settings) -> bytes:
    """The webhook signing key (its own setting, or derived from the JWT secret)."""
    own = settings.reports.webhook_secret
    if own:
        return own.encode()
    return hmac.new(settings.jwt_secret.encode(), b"support-gateway webhooks", "sha256").digest()


def signature(key: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``"<timestamp>." + body``."""
    mac = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def message(out: Outgoing, sender: str, recipients: Sequence[str], domain: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"{out.title} — {out.period}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<report-delivery-{out.delivery_id}@{domain}>"
    msg.set_content(
        f"{out.title}\nPeriod: {out.period}\n\nThe report is attached ({out.filename}).\n"
    )
    maintype, _, subtype = out.rendered.media_type.partition(";")[0].partition("/")
    msg.add_attachment(
        out.rendered.content, maintype=maintype, subtype=subtype, filename=out.filename
    )
    return msg


def _send_mail(cfg: ReportSettings, msg: EmailMessage, recipients: Sequence[str]) -> None:
    if not cfg.smtp_host:
        raise DeliveryError("SMTP_HOST is not set")
    try:
        with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.smtp_timeout_seconds) as smtp:
            smtp.ehlo()
            if cfg.smtp_starttls:
                context = ssl.create_default_context(cafile=cfg.smtp_ca_file)
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.smtp_username:
                smtp.login(cfg.smtp_username, cfg.smtp_password or "")
            refused = smtp.send_message(msg, from_addr=cfg.smtp_from, to_addrs=list(recipients))
    except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"smtp: {type(exc).__name__}: {exc}") from exc
    if refused:
        raise DeliveryError(f"smtp: recipients refused: {sorted(refused)}")


async def send_mail(settings: Settings, out: Outgoing, recipients: Sequence[str]) -> None:
    """E-mail the report to ``recipients`` (off the event loop)."""
    cfg = settings.reports
    domain = cfg.smtp_from.rpartition("@")[2] or "localhost"
    msg = message(out, cfg.smtp_from, recipients, domain)
    await asyncio.to_thread(_send_mail, cfg, msg, recipients)


async def post_webhook(
    settings: Settings, out: Outgoing, url: str, client: httpx.AsyncClient
) -> None:
    """POST the report to ``url``, signed (see the module docstring)."""
    timestamp = str(int(time.time()))
    body = out.rendered.content
    headers = {
        "Content-Type": out.rendered.media_type,
        "Content-Disposition": f'attachment; filename="{out.filename}"',
        "Idempotency-Key": f"report-delivery-{out.delivery_id}",
        "X-Report-Delivery": str(out.delivery_id),
        "X-Report-Schedule": out.schedule_id,
        "X-Report-Scheduled-For": out.scheduled_for.isoformat(),
        "X-Report-Timestamp": timestamp,
        "X-Report-Signature": signature(webhook_key(settings), timestamp, body),
    }
    try:
        resp = await client.post(url, content=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
    if not resp.is_success:
        raise DeliveryError(f"webhook: HTTP {resp.status_code}: {resp.text[:200]}")
