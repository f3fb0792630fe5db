"""Apply ``supabase/migrations`` in order, once each.

Applied versions are recorded in ``supabase_migrations.schema_migrations`` (the Supabase CLI's own
ledger), so re-running is a no-op and a database migrated by ``supabase db push`` is recognised.
On a plain Postgres the Supabase compatibility shim (``sql/supabase_shim.sql``) runs first; on a
hosted Supabase project (which has the ``supabase_admin`` role) it is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

import sql

_FILE = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")


def migrations_dir() -> Path:
    """The repository's ``supabase/migrations`` folder."""
    return Path(__file__).resolve().parent.parent / "supabase" / "migrations"


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class MigrateResult:
    applied: tuple[str, ...]
    skipped: tuple[str, ...]
    shim_applied: bool


def discover(folder: Path | None = None) -> list[Migration]:
    """Migrations in ``folder`` sorted by version; a misnamed ``.sql`` file is an error."""
    found: list[Migration] = []
    for path in sorted((folder or migrations_dir()).glob("*.sql")):
        m = _FILE.match(path.name)
        if not m:
            raise ValueError(f"migration file name must be <14 digits>_<name>.sql: {path.name}")
        found.append(Migration(m["version"], m["name"], path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError("two migrations share a version")
    return found


async def migrate(dsn: str, folder: Path | None = None) -> MigrateResult:
    """Apply pending migrations to the database at ``dsn``; each runs in its own transaction."""
    conn = await asyncpg.connect(dsn)
    try:
        hosted = bool(await conn.fetchval(sql.load("is_hosted_supabase")))
        if not hosted:
            async with conn.transaction():
                await conn.execute(sql.load("migrate_lock"))
                await conn.execute(sql.shim())
        async with conn.transaction():
            await conn.execute(sql.load("migrate_lock"))
            await conn.execute(sql.load("migrations_table"))
        applied: list[str] = []
        skipped: list[str] = []
        for mig in discover(folder):
            async with conn.transaction():
                await conn.execute(sql.load("migrate_lock"))
                done = {r["version"] for r in await conn.fetch(sql.load("migrations_applied"))}
                if mig.version in done:
                    skipped.append(mig.version)
                    continue
                text = mig.path.read_text("utf-8")
                await conn.execute(text)
                await conn.execute(sql.load("migrations_record"), mig.version, mig.name, text)
                applied.append(mig.version)
        return MigrateResult(tuple(applied), tuple(skipped), shim_applied=not hosted)
    finally:
        await conn.close()
