"""``support-gateway privacy ...`` and ``support-gateway retention ...``.

The commands connect as the database login role (``DATABASE_URL``), without JWT claims: the
privacy functions accept such a direct session (an operator at the database's door) as they
accept admin and dpo callers, and audit it under the session user's name.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Annotated, Any

import asyncpg
import typer

import sql
from resolvers.privacy_archived import erase_from_archives, subject_of

privacy_app = typer.Typer(help="Data subjects' rights: erasure.", no_args_is_help=True)


def _dsn() -> str:
    from gateway.cli import database_url
    from gateway.settings import load_settings

    return database_url(load_settings())


async def erase(dsn: str, customer_id: uuid.UUID, reason: str) -> dict[str, Any]:
    """Erase one customer (the same database function as the API's ``eraseCustomer``, and the
    same rewrite of the retention archives, in one transaction)."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            subject = await subject_of(conn, customer_id)
            raw = await conn.fetchval(sql.load("privacy_erase_customer"), customer_id, reason)
            rewritten = await erase_from_archives(conn, subject)
    finally:
        await conn.close()
    result: dict[str, Any] = json.loads(raw)
    if rewritten:
        result["done"] = {**(result.get("done") or {}), **rewritten}
    return result


@privacy_app.command("erase")
def erase_command(
    customer: Annotated[str, typer.Option(help="The customer's id (uuid).")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log).")],
) -> None:
    """Erase a customer's personal data in one transaction (idempotent, audited)."""
    try:
        customer_id = uuid.UUID(customer)
    except ValueError as exc:
        raise typer.BadParameter("customer must be a uuid") from exc
    try:
        result = asyncio.run(erase(_dsn(), customer_id, reason))
    except asyncpg.PostgresError as exc:
        typer.echo(f"error: {str(exc).splitlines()[0]}", err=True)
        raise typer.Exit(2) from exc
    if result["already_erased"]:
        typer.echo(f"customer {customer_id} was already erased (nothing changed)")
        return
    typer.echo(f"erased customer {customer_id}:")
    for action, count in sorted(result.get("done", {}).items()):
        typer.echo(f"  {action}: {count}")


retention_app = typer.Typer(help="Retention of personal and historical data.", no_args_is_help=True)


def archive_dir_of(settings: Any) -> Any:
    """``ARCHIVE_DIR``, or ``SUPPORT_DATA_DIR/archive``."""
    return settings.archive_dir or settings.data_dir / "archive"


@retention_app.command("run")
def retention_run() -> None:
    """Apply the RETENTION policy now: archive old months, delete or anonymise the rest."""
    from gateway.privacy.retention import run_retention
    from gateway.settings import load_settings

    settings = load_settings()
    report = asyncio.run(run_retention(_dsn(), settings.retention_days, archive_dir_of(settings)))
    for note in report.skipped:
        typer.echo(f"skipped: {note}")
    for action, count in sorted(report.done.items()):
        typer.echo(f"{action}: {count}")
    for archive in report.archives:
        typer.echo(f"archived {archive['table']} {archive['month']} -> {archive['manifest']}")
    typer.echo(
        f"{report.steps} steps, longest {report.longest_step_seconds * 1000:.0f} ms "
        "(no lock is held longer than a step)"
    )
    for took, what in report.slowest:
        typer.echo(f"  {took * 1000:8.1f} ms  {what}")
