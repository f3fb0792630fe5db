"""``support-gateway``: migrate, seed, mint tokens, serve, and the one-command demo."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import asyncpg
import typer

import sql
from gateway.alerting.config import AlertingConfig, AlertingConfigError, parse_alerting
from gateway.auth import APP_ROLES, mint_token
from gateway.settings import Settings, hand_down, load_settings, share_metrics

app = typer.Typer(
    help="GraphQL analytics gateway over Supabase for support operations.",
    no_args_is_help=True,
    add_completion=False,
)


def _register_privacy() -> None:
    from gateway.privacy.cli import privacy_app, retention_app

    app.add_typer(privacy_app, name="privacy")
    app.add_typer(retention_app, name="retention")


_register_privacy()

DEMO_TICKETS = 50_000
DEMO_DAYS = 180
DEMO_SEED = 42


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded Postgres (started if needed) in SUPPORT_DATA_DIR."""
    if settings.database_url:
        return settings.database_url
    from gateway.embedded import EmbeddedPostgres

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return EmbeddedPostgres(settings.data_dir).start()


@app.command()
def migrate() -> None:
    """Apply supabase/migrations in order (the Supabase shim first on plain Postgres)."""
    import gateway.migrate

    result = asyncio.run(gateway.migrate.migrate(database_url(load_settings())))
    typer.echo(
        f"applied {len(result.applied)} migration(s), {len(result.skipped)} already applied"
        + (" (supabase shim applied)" if result.shim_applied else "")
    )


@app.command()
def seed(
    tickets: Annotated[int, typer.Option(min=1, help="Number of tickets.")] = DEMO_TICKETS,
    days: Annotated[int, typer.Option(min=1, help="Days of history ending now.")] = DEMO_DAYS,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = DEMO_SEED,
) -> None:
    """Load deterministic synthetic support data into an empty, migrated database."""
    from synthetic import seed_database

    summary = asyncio.run(
        seed_database(
            database_url(load_settings()), tickets=tickets, days=days, seed=seed, progress=True
        )
    )
    typer.echo(f"seeded in {summary.elapsed_seconds:.1f}s: {summary.counts}")


async def _first_user(dsn: str, role: str) -> uuid.UUID:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(sql.load("first_user_of_role"), role)
    finally:
        await conn.close()
    if row is None:
        raise typer.BadParameter(f"no seeded user has role {role!r}; run `seed` first")
    user_id: uuid.UUID = row["id"]
    return user_id


def _alerting(settings: Settings) -> AlertingConfig | None:
    """The alerting engine's configuration from ``ALERTING`` (None when ``off``); a clear error
    and exit status 2 when it cannot be applied."""
    try:
        return parse_alerting(settings.alerting)
    except AlertingConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _token_for(settings: Settings, dsn: str, role: str, user: uuid.UUID | None, ttl: int) -> str:
    if role not in APP_ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(sorted(APP_ROLES))}")
    user_id = user or asyncio.run(_first_user(dsn, role))
    return mint_token(settings.jwt_secret, user_id=user_id, app_role=role, ttl_seconds=ttl)


@app.command()
def token(
    role: Annotated[
        str, typer.Option(help="agent, team_lead, manager, executive, analyst, admin, dpo")
    ],
    user: Annotated[
        str | None, typer.Option(help="User id (default: first seeded user of the role).")
    ] = None,
    ttl: Annotated[int, typer.Option(min=60, help="Lifetime in seconds.")] = 8 * 3600,
) -> None:
    """Print a Supabase-shaped JWT signed with SUPABASE_JWT_SECRET."""
    settings = load_settings()
    user_id = uuid.UUID(user) if user else None
    dsn = "" if user_id else database_url(settings)
    typer.echo(_token_for(settings, dsn, role, user_id, ttl))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default GATEWAY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default GATEWAY_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Processes serving the same port.")] = 1,
) -> None:
    """Run the gateway with uvicorn (``--workers N``: N processes)."""
    import gateway.server
    from gateway.app import create_app

    settings = load_settings()
    alerting = _alerting(settings)  # a bad ALERTING fails before any work
    dsn = database_url(settings)
    json_logs = settings.log_format == "json"
    if workers > 1:
        import shutil
        import tempfile

        hand_down(database_url=dsn)  # the workers connect to the server started here
        metrics_dir = Path(tempfile.mkdtemp(prefix="gateway-metrics-"))
        share_metrics(metrics_dir)  # /metrics of any worker counts them all
        try:
            gateway.server.serve(
                None,
                host or settings.host,
                port or settings.port,
                workers=workers,
                json_logs=json_logs,
                access_log=settings.access_log,
            )
        finally:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        return
    gateway.server.serve(
        create_app(
            settings,
            dsn,
            alerting=alerting,
            reports_scheduler=settings.reports.scheduler,
            insights_predict_hours=settings.insights_predict_hours,
        ),
        host or settings.host,
        port or settings.port,
        json_logs=json_logs,
        access_log=settings.access_log,
    )


def worker_app() -> Any:
    """The app of one ``serve --workers N`` process (its database handed down by the parent,
    :func:`gateway.settings.hand_down`)."""
    from gateway.app import create_app
    from gateway.server import tune_garbage_collector

    settings = load_settings()
    if settings.log_format == "json":
        from gateway.observability import configure_json_logs

        configure_json_logs()
    if not settings.access_log:
        from gateway.observability import silence_access_log

        silence_access_log()
    application = create_app(
        settings,
        database_url(settings),
        alerting=_alerting(settings),
        reports_scheduler=settings.reports.scheduler,
        # every worker keeps the schedule; the job runs once per slot (gateway.insights_jobs)
        insights_predict_hours=settings.insights_predict_hours,
    )
    tune_garbage_collector()
    return application


@app.command()
def worker() -> None:
    """Run only the report scheduler (deliver scheduled reports; REPORTS_SCHEDULER=off in
    serve then leaves delivery to workers)."""
    import gateway.reports.commands

    settings = load_settings()
    gateway.reports.commands.worker(database_url(settings), settings)


@app.command()
def report(
    name: Annotated[
        str, typer.Option(help="daily-summary, weekly-team, monthly-executive or an id.")
    ],
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[str, typer.Option(help="pdf, xlsx or csv.")] = "pdf",
    team: Annotated[str | None, typer.Option(help="Team id (weekly-team).")] = None,
    user: Annotated[
        str | None, typer.Option(help="Run as this user (default: --role's first).")
    ] = None,
    role: Annotated[str, typer.Option(help="Role of the default user.")] = "manager",
    from_: Annotated[
        datetime | None, typer.Option("--from", help="Window start (ISO, with zone).")
    ] = None,
    to: Annotated[datetime | None, typer.Option(help="Window end (ISO, with zone).")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone (default ORG_TIMEZONE).")] = None,
) -> None:
    """Write a report under a user's rights (default window: the previous day, ISO week or
    month)."""
    from gateway.reports.commands import write_report
    from resolvers.errors import UserInputError

    settings = load_settings()
    try:
        title, size = asyncio.run(
            write_report(
                database_url(settings),
                settings,
                name=name,
                fmt=format.lower(),
                out=out,
                team=uuid.UUID(team) if team else None,
                user=uuid.UUID(user) if user else None,
                role=role,
                start=from_,
                end=to,
                timezone=timezone,
            )
        )
    except (UserInputError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"wrote {title} ({size:,} bytes) to {out}")


@app.command()
def predict(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="ISO instant (default now); its whole UTC hour counts."),
    ] = None,
) -> None:
    """Train the insight models if needed and store the predictions as of the whole hour."""
    from gateway.db import Database
    from gateway.insights_jobs import run_predict

    settings = load_settings()
    at = datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)
    if at.tzinfo is None:
        raise typer.BadParameter("--as-of needs a timezone, e.g. 2026-11-20T00:00:00Z")

    async def run() -> None:
        db = Database(database_url(settings), min_size=1, max_size=2)
        await db.open()
        try:
            summary = await run_predict(db, at, settings.org_timezone)
        finally:
            await db.close()
        typer.echo(
            f"day {summary.day:%Y-%m-%d}: churn model v{summary.churn_version}, satisfaction "
            f"risk model v{summary.risk_version}; written {summary.written} "
            f"(scored {summary.scored})"
        )

    asyncio.run(run())


@app.command("db-stop")
def db_stop() -> None:
    """Stop the embedded Postgres of SUPPORT_DATA_DIR (it keeps running after `demo`/`serve` so a
    restart reuses it at once); its data stays. Nothing to do with DATABASE_URL."""
    from gateway.embedded import EmbeddedPostgres

    settings = load_settings()
    pg = EmbeddedPostgres(settings.data_dir)
    if settings.database_url or not (pg.pgdata / "PG_VERSION").exists() or not pg.is_running():
        typer.echo("no embedded Postgres running in " + str(settings.data_dir))
        return
    pg.stop()
    typer.echo("stopped the embedded Postgres in " + str(settings.data_dir))


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL); `make schema` writes it to schema.graphql."""
    from schema.root import build_schema

    typer.echo(build_schema().as_str())


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Interface (default GATEWAY_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default GATEWAY_PORT).")] = None,
) -> None:
    """Start Postgres (embedded unless DATABASE_URL), migrate, seed if empty, print tokens,
    serve."""
    import gateway.migrate
    import gateway.server
    from gateway.app import create_app
    from synthetic import database_is_empty, seed_database

    settings = load_settings()
    alerting = _alerting(settings)  # a bad ALERTING fails before any work
    dsn = database_url(settings)
    typer.echo("database: " + ("DATABASE_URL" if settings.database_url else dsn))
    asyncio.run(gateway.migrate.migrate(dsn))
    if asyncio.run(database_is_empty(dsn)):
        typer.echo(f"seeding {DEMO_TICKETS:,} tickets over {DEMO_DAYS} days …")
        summary = asyncio.run(
            seed_database(dsn, tickets=DEMO_TICKETS, days=DEMO_DAYS, seed=DEMO_SEED, progress=True)
        )
        typer.echo(f"seeded in {summary.elapsed_seconds:.1f}s")
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo("\nReady-made tokens (8 hours; paste into GraphiQL's Headers tab as")
    typer.echo('{"Authorization": "Bearer <token>"}):\n')
    for role in ("agent", "team_lead", "manager", "executive", "analyst", "admin"):
        typer.echo(f"  {role:<10} {_token_for(settings, dsn, role, None, 8 * 3600)}\n")
    typer.echo(f"GraphiQL: http://{bind_host}:{bind_port}/graphql")
    typer.echo(f"started at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    app_ = create_app(
        settings, dsn, alerting=alerting, reports_scheduler=settings.reports.scheduler
    )
    gateway.server.serve(app_, bind_host, bind_port)
