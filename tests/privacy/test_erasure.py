"""Erasure: after ``eraseCustomer`` a superuser scan of every column of every table (from the
catalog, so a new column is scanned too) finds none of the customer's name, email or phone —
also where another customer's ticket and message mention them, whose other text stays;
counts and dashboard KPIs are unchanged; a second erasure changes nothing; a non-admin's attempt
is refused and audited; the CLI does the same."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import asyncpg
from testkit import SEED_DAYS, SEED_END, tq
from typer.testing import CliRunner

import gateway.cli

GQL = Callable[..., Any]

ERASE = """mutation($id: ID!, $reason: String!) {
  eraseCustomer(customerId: $id, reason: $reason) {
    customerId alreadyErased actions { table rows } } }"""
DASHBOARD = """query($from: DateTime!, $to: DateTime!) {
  dashboard(from: $from, to: $to) { kpis { name value n } } }"""
WINDOW = {"from": (SEED_END - timedelta(days=SEED_DAYS)).isoformat(), "to": SEED_END.isoformat()}


async def _pick(owner: asyncpg.Connection, index: int) -> asyncpg.Record:
    row = await owner.fetchrow(tq("privacy_pick_customer"), index)
    assert row is not None
    return row


async def _plant(owner: asyncpg.Connection, customer: asyncpg.Record) -> None:
    """Put the customer's identifiers into free text, as real conversations do."""
    tickets = [r["id"] for r in await owner.fetch(tq("privacy_customer_tickets"), customer["id"])]
    name, email = customer["full_name"], customer["email"]
    await owner.execute(tq("privacy_plant_subject"), tickets[0], name, email)  # logs a change
    await owner.execute(tq("privacy_plant_qa"), tickets[0], name.upper(), email)
    await owner.execute(tq("privacy_plant_alert"), tickets[1], name, email)
    await owner.execute(tq("privacy_plant_prediction"), customer["id"])


async def _plant_mention(
    owner: asyncpg.Connection, customer: asyncpg.Record, other: asyncpg.Record
) -> tuple[int, str, str]:
    """Mention ``customer`` in ``other``'s ticket subject and message (with ``customer``'s first
    name alone too, which is not detectable and stays); returns the interaction and the texts
    expected after erasure."""
    row = await owner.fetchrow(tq("privacy_customer_body"), other["id"])
    assert row is not None
    name, email, phone = customer["full_name"], customer["email"], customer["phone"]
    first = name.split()[0]
    subject = f"{row['subject']} - same as {name.upper()} ({email})"
    body = f"{row['body']}\nMy neighbour {name} ({phone}) had it too; ask {first}."
    await owner.execute(
        tq("privacy_set_subject_and_body"), row["ticket_id"], subject, body, row["interaction_id"]
    )
    return (
        row["interaction_id"],
        f"{row['subject']} - same as [redacted] ([redacted])",
        f"{row['body']}\nMy neighbour [redacted] ([redacted]) had it too; ask {first}.",
    )


async def _hits(owner: asyncpg.Connection, terms: list[str]) -> list[tuple[str, str, str, int]]:
    patterns = ["%" + t.replace("%", r"\%").replace("_", r"\_") + "%" for t in terms if t]
    found = []
    for col in await owner.fetch(tq("privacy_all_columns")):
        query = tq(
            "privacy_scan_column",
            schema=col["schema_name"],
            table=col["table_name"],
            column=col["column_name"],
        )
        n = await owner.fetchval(query, patterns)
        if n:
            found.append((col["schema_name"], col["table_name"], col["column_name"], n))
    return found


async def _checksums(owner: asyncpg.Connection) -> dict[str, str]:
    out = {}
    for col in await owner.fetch(tq("privacy_all_columns")):
        key = f"{col['schema_name']}.{col['table_name']}"
        if key in out or col["table_name"].startswith("privacy_audit_log"):
            continue
        query = tq("privacy_table_checksum", schema=col["schema_name"], table=col["table_name"])
        out[key] = await owner.fetchval(query)
    return out


async def test_erasure_leaves_no_trace_and_keeps_counts_and_kpis(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    customer = await _pick(owner, 0)
    await _plant(owner, customer)
    mention, other_subject, other_body = await _plant_mention(
        owner, customer, await _pick(owner, 5)
    )
    terms = [customer["full_name"], customer["email"], customer["phone"]]
    assert len(await _hits(owner, terms)) >= 6  # contacts, subject, body, qa, alert, change log
    counts = dict(await owner.fetchrow(tq("privacy_counts"), customer["id"]))
    kpis = await asyncio.to_thread(gql, DASHBOARD, WINDOW, token_of("executive"))

    body = await asyncio.to_thread(
        gql, ERASE, {"id": str(customer["id"]), "reason": "art. 17 request #1"}, token_of("dpo")
    )
    assert "errors" not in body, body
    outcome = body["data"]["eraseCustomer"]
    assert outcome["alreadyErased"] is False
    actions = {a["table"]: a["rows"] for a in outcome["actions"]}
    assert actions["customer_contacts deleted"] == 1
    assert actions["support_predictions deleted"] == 1
    assert actions["support_tickets.subject redacted"] == 1
    assert actions["support_qa_evaluations.feedback redacted"] == 1
    assert actions["support_tickets.subject mentions redacted"] == 1
    assert actions["support_interaction_bodies.body mentions redacted"] == 1

    assert await _hits(owner, terms) == []
    # the other customer's texts: only the mention is gone
    texts = await owner.fetchrow(tq("privacy_texts_of_interaction"), mention)
    assert texts is not None
    assert (texts["subject"], texts["body"]) == (other_subject, other_body)
    assert dict(await owner.fetchrow(tq("privacy_counts"), customer["id"])) == counts
    after = await asyncio.to_thread(gql, DASHBOARD, WINDOW, token_of("executive"))
    assert after["data"] == kpis["data"]  # (extensions carry the moving rate-limit reset)
    row = (await owner.fetch(tq("privacy_audit_rows"), "erase"))[0]
    assert row["customer_id"] == customer["id"] and row["actor_role"] == "dpo"
    assert json.loads(row["details"])["reason"] == "art. 17 request #1"

    # the customer is still there, anonymous: a manager sees the pseudonym
    seen = await asyncio.to_thread(
        gql,
        "query($id: ID!) { customer(id: $id) { name email piiMasked } }",
        {"id": str(customer["id"])},
        token_of("manager"),
    )
    assert seen["data"]["customer"]["email"] is None

    # erasing again is a no-op (the audit log records the attempt, nothing else changes)
    before = await _checksums(owner)
    again = await asyncio.to_thread(
        gql, ERASE, {"id": str(customer["id"]), "reason": "duplicate"}, token_of("admin")
    )
    assert again["data"]["eraseCustomer"] == {
        "customerId": str(customer["id"]),
        "alreadyErased": True,
        "actions": [],
    }
    assert await _checksums(owner) == before


async def test_non_admin_erasure_is_refused_and_audited(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection, role_users: Any
) -> None:
    customer = await _pick(owner, 1)
    for role in ("manager", "analyst", "agent"):
        body = await asyncio.to_thread(
            gql, ERASE, {"id": str(customer["id"]), "reason": "no"}, token_of(role)
        )
        assert body["data"] is None
        assert "admin and dpo roles only" in body["errors"][0]["message"]
    deadline = time.monotonic() + 10
    refused: list[Any] = []
    while time.monotonic() < deadline and len(refused) < 3:
        rows = await owner.fetch(tq("privacy_audit_rows"), "refused")
        refused = [r for r in rows if r["customer_id"] == customer["id"]]
        await asyncio.sleep(0.1)
    assert sorted(r["actor_role"] for r in refused) == ["agent", "analyst", "manager"]
    assert (await _pick(owner, 1))["id"] == customer["id"]  # not erased


async def test_database_refuses_erasure_by_other_roles(owner: asyncpg.Connection) -> None:
    customer = await _pick(owner, 1)
    claims = json.dumps({"role": "authenticated", "app_role": "manager"})
    try:
        async with owner.transaction():
            await owner.execute(tq("privacy_as_role"), "authenticated", claims)
            await owner.fetchval(tq("privacy_erase"), customer["id"], "no")
    except asyncpg.InsufficientPrivilegeError as exc:
        assert "admin and dpo" in str(exc)
    else:
        raise AssertionError("erasure by a manager was not refused")


def test_cli_erase(privacy_dsn: str, monkeypatch: Any) -> None:
    async def pick() -> asyncpg.Record:
        conn = await asyncpg.connect(privacy_dsn)
        try:
            return await _pick(conn, 2)
        finally:
            await conn.close()

    customer = asyncio.run(pick())
    monkeypatch.setenv("DATABASE_URL", privacy_dsn)
    args = ["privacy", "erase", "--customer", str(customer["id"]), "--reason", "cli request"]
    first = CliRunner().invoke(gateway.cli.app, args)
    assert first.exit_code == 0, first.output
    assert "customer_contacts deleted: 1" in first.output
    second = CliRunner().invoke(gateway.cli.app, args)
    assert second.exit_code == 0 and "already erased" in second.output
    bad = CliRunner().invoke(
        gateway.cli.app, ["privacy", "erase", "--customer", "x", "--reason", "r"]
    )
    assert bad.exit_code != 0
