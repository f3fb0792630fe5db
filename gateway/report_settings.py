"""Settings of reports, exports and scheduled delivery (documented in :mod:`gateway.settings`).

Part of the configuration: :func:`load_report_settings` reads the environment mapping it is
given by :func:`gateway.settings.load_settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.setting_values import flag, integer, name_numbers, number


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Reports, exports and scheduled delivery (see the module docstring)."""

    org_name: str = "Support Operations"
    public_url: str = ""
    link_secret: str | None = None
    link_ttl_seconds: int = 600
    row_caps: Mapping[str, int] = field(
        default_factory=lambda: {"agent": 100_000, "team_lead": 250_000}
    )
    default_row_cap: int = 1_000_000
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "reports@localhost"
    smtp_starttls: bool = True
    smtp_ca_file: str | None = None
    smtp_timeout_seconds: float = 30.0
    webhook_secret: str | None = None
    scheduler: bool = True
    poll_seconds: float = 30.0
    grace_seconds: float = 21600.0
    max_attempts: int = 5
    retry_seconds: float = 30.0
    lease_seconds: float = 300.0

    def row_cap(self, app_role: str | None) -> int:
        """Most rows one export of ``app_role`` may hold."""
        return self.row_caps.get(app_role or "", self.default_row_cap)


def row_caps(raw: str | None) -> dict[str, int]:
    """``EXPORT_ROW_CAPS`` over the defaults (agent 100,000; team lead 250,000)."""
    caps = {"agent": 100_000, "team_lead": 250_000}
    for name, value in name_numbers(raw, "EXPORT_ROW_CAPS").items():
        if value < 1 or value != int(value):
            raise ValueError(f"EXPORT_ROW_CAPS: {name} needs a positive whole number")
        caps[name] = int(value)
    return caps


def load_report_settings(e: Mapping[str, str]) -> ReportSettings:
    """:class:`ReportSettings` from the environment ``e``."""
    return ReportSettings(
        org_name=e.get("ORG_NAME") or "Support Operations",
        public_url=(e.get("GATEWAY_PUBLIC_URL") or "").rstrip("/"),
        link_secret=e.get("EXPORT_LINK_SECRET") or None,
        link_ttl_seconds=integer(e, "EXPORT_LINK_TTL_SECONDS", 600),
        row_caps=row_caps(e.get("EXPORT_ROW_CAPS")),
        smtp_host=e.get("SMTP_HOST") or None,
        smtp_port=integer(e, "SMTP_PORT", 587),
        smtp_username=e.get("SMTP_USERNAME") or None,
        smtp_password=e.get("SMTP_PASSWORD") or None,
        smtp_from=e.get("SMTP_FROM") or "reports@localhost",
        smtp_starttls=flag(e, "SMTP_STARTTLS", True),
        smtp_ca_file=e.get("SMTP_CA_FILE") or None,
        smtp_timeout_seconds=number(e, "SMTP_TIMEOUT_SECONDS", 30.0),
        webhook_secret=e.get("REPORTS_WEBHOOK_SECRET") or None,
        scheduler=flag(e, "REPORTS_SCHEDULER", True),
        poll_seconds=number(e, "REPORTS_POLL_SECONDS", 30.0),
        grace_seconds=number(e, "REPORTS_GRACE_SECONDS", 21600.0),
        max_attempts=integer(e, "REPORTS_MAX_ATTEMPTS", 5),
        retry_seconds=number(e, "REPORTS_RETRY_SECONDS", 30.0),
        lease_seconds=number(e, "REPORTS_LEASE_SECONDS", 300.0),
    )
