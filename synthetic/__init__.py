"""Deterministic synthetic support data for the analytics gateway.

``await seed_database(dsn, tickets=50_000, days=180, seed=42)`` fills a migrated, empty database
with staff, customers, tickets and everything derived from them; ``database_is_empty`` tells
whether a database has tickets yet. See :mod:`synthetic.api`.
"""

from synthetic.api import (
    PRESETS,
    Preset,
    SeedError,
    SeedSummary,
    database_is_empty,
    default_end,
    seed_database,
)

__all__ = [
    "PRESETS",
    "Preset",
    "SeedError",
    "SeedSummary",
    "database_is_empty",
    "default_end",
    "seed_database",
]
