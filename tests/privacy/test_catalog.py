"""The catalogs behind export and erasure cover the schema: every column that can hold text is
classified, every classification names a real column, and every table holding rows about a
customer (by a customer, ticket or interaction reference) is reached from customers."""

from __future__ import annotations

import asyncpg
from testkit import tq


async def test_every_text_column_is_classified(owner: asyncpg.Connection) -> None:
    missing = [tuple(r) for r in await owner.fetch(tq("privacy_unclassified_columns"))]
    assert missing == [], (
        f"classify these columns in app.personal_data_catalog (a new migration): {missing}"
    )


async def test_catalog_names_existing_columns(owner: asyncpg.Connection) -> None:
    assert [tuple(r) for r in await owner.fetch(tq("privacy_catalog_orphans"))] == []


async def test_every_table_about_customers_is_reached(owner: asyncpg.Connection) -> None:
    reached = {r["table_name"] for r in await owner.fetch(tq("privacy_subject_tables"))}
    referencing = {r["table_name"] for r in await owner.fetch(tq("privacy_tables_referencing"))}
    assert referencing - reached == set()
    assert {
        "customers",
        "customer_contacts",
        "support_tickets",
        "support_interactions",
        "support_interaction_bodies",
        "support_feedback_surveys",
        "support_vip_tracking",
        "support_predictions",
        "support_change_log",
        "privacy_audit_log",
    } <= reached


async def test_a_new_text_column_is_caught(owner: asyncpg.Connection) -> None:
    tx = owner.transaction()
    await tx.start()
    try:
        await owner.execute(tq("privacy_new_text_column"))
        missing = [tuple(r) for r in await owner.fetch(tq("privacy_unclassified_columns"))]
    finally:
        await tx.rollback()
    assert missing == [("privacy_probe", "note")]
