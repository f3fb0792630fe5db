"""Subject access and erasure reach the retention archives: a month archived by a retention run
holds a customer's interactions and message bodies (and another customer's message mentioning
them); the export's zip carries those archived rows, and after ``eraseCustomer`` no archive file
holds the customer's name, email, phone or message bodies, while every manifest checksum (and the
manifest's own, recorded in ``privacy_archives``) still matches its file."""

from __future__ import annotations

import asyncio
import csv
import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from testkit import tq

from gateway.privacy.retention import run_retention
from gateway.settings import RETENTION_DEFAULTS

GQL = Callable[..., Any]
EXPORT = """mutation($id: ID!) { exportCustomerData(customerId: $id) {
  downloadPath tables { table rows } } }"""
ERASE = """mutation($id: ID!, $reason: String!) {
  eraseCustomer(customerId: $id, reason: $reason) { alreadyErased actions { table rows } } }"""
#: September: before the seed's window (the retention test archives October)
SEPTEMBER = datetime(2026, 9, 10, 9, 0, tzinfo=UTC)


async def test_archived_rows_are_exported_and_erased(
    gql: GQL,
    token_of: Callable[..., str],
    owner: asyncpg.Connection,
    privacy_dsn: str,
    privacy_url: str,
    tmp_path: Path,
) -> None:
    customer = await owner.fetchrow(tq("privacy_pick_customer"), 25)
    other = await owner.fetchrow(tq("privacy_pick_customer"), 26)
    assert customer is not None and other is not None
    name, email = customer["full_name"], customer["email"]
    phone = customer["phone"] or "+44 20 7946 0999"
    own_body = f"Hello, this is {name}; write to {email} or call {phone}."
    mention = f"My neighbour {name.upper()} ({email}) had the same problem."
    await owner.fetchval(tq("privacy_ensure_month_of"), SEPTEMBER)
    mine = await owner.fetchrow(
        tq("privacy_plant_archived_ticket"), customer["id"], SEPTEMBER, own_body
    )
    theirs = await owner.fetchrow(
        tq("privacy_plant_archived_ticket"), other["id"], SEPTEMBER, mention
    )
    assert mine is not None and theirs is not None

    now = datetime.now(UTC)
    days = dict.fromkeys(RETENTION_DEFAULTS, 36_500)
    days["interactions"] = (now - datetime(2026, 10, 1, tzinfo=UTC)).days  # september only
    report = await run_retention(privacy_dsn, days, tmp_path, now=now)
    assert report.skipped == [], report.as_json()
    archive = await owner.fetchrow(
        tq("privacy_archive_of"), "support_interactions", date(2026, 9, 1)
    )
    assert archive is not None
    # expected, read from every interactions archive with the csv module (other tests may have
    # archived more months of this customer): their tickets' interactions and those bodies
    tickets = {
        str(r["id"]) for r in await owner.fetch(tq("privacy_customer_tickets"), customer["id"])
    }
    before = await _archives(owner)
    want = {
        r["id"]: r["ticket_id"]
        for _, _, texts in before
        for r in _rows(texts, "support_interactions.csv.gz")
        if r["ticket_id"] in tickets
    }
    want_bodies = {
        r["interaction_id"]: r["body"]
        for _, _, texts in before
        for r in _rows(texts, "support_interaction_bodies.csv.gz")
        if r["interaction_id"] in want
    }
    assert want[str(mine["interaction_id"])] == str(mine["ticket_id"])
    assert want_bodies[str(mine["interaction_id"])] == own_body

    # the export carries the archived interactions and their bodies
    body = await asyncio.to_thread(gql, EXPORT, {"id": str(customer["id"])}, token_of("dpo"))
    assert "errors" not in body, body
    export = body["data"]["exportCustomerData"]
    resp = await asyncio.to_thread(httpx.get, privacy_url + export["downloadPath"])
    data = json.loads(zipfile.ZipFile(io.BytesIO(resp.content)).read("data.json"))["tables"]
    got = {r["id"]: r["ticket_id"] for r in data["archived_support_interactions"]}
    assert got == want
    bodies_got = {
        r["interaction_id"]: r["body"] for r in data["archived_support_interaction_bodies"]
    }
    assert bodies_got == want_bodies
    # nothing about the other customer
    assert str(theirs["interaction_id"]) not in json.dumps(data)

    # erasure rewrites the archives
    erased = await asyncio.to_thread(
        gql, ERASE, {"id": str(customer["id"]), "reason": "archive test"}, token_of("dpo")
    )
    assert "errors" not in erased, erased
    actions = {a["table"]: a["rows"] for a in erased["data"]["eraseCustomer"]["actions"]}
    assert actions["archives rewritten"] >= 1 and "archives not found" not in actions

    after = await _archives(owner)  # checksums verified inside
    september = next(row for row, _, _ in after if row["file_path"] == archive["file_path"])
    assert september["sha256"] != archive["sha256"]
    everything = "\n".join(t for _, _, texts in after for t in texts.values()).lower()
    for term in (name, email, phone, own_body):
        assert term.lower() not in everything, term
    for _, _, texts in after:
        ids = {r["id"] for r in _rows(texts, "support_interactions.csv.gz")}
        kept = {r["interaction_id"] for r in _rows(texts, "support_interaction_bodies.csv.gz")}
        # the interaction rows themselves (no text) stay, as in the database; bodies go
        assert not (kept & set(want))
        assert {i for i in want if i in ids} <= ids
    # the other customer's message keeps its text, the mention redacted (lower-cased here)
    assert "my neighbour [redacted] ([redacted]) had the same problem." in everything

    # a second export finds the archived interactions, and no body
    again = await asyncio.to_thread(gql, EXPORT, {"id": str(customer["id"])}, token_of("dpo"))
    counts = {t["table"]: t["rows"] for t in again["data"]["exportCustomerData"]["tables"]}
    assert counts["archived_support_interactions"] == len(want)
    assert "archived_support_interaction_bodies" not in counts


async def _archives(
    owner: asyncpg.Connection,
) -> list[tuple[Any, dict[str, Any], dict[str, str]]]:
    """Every interactions archive: its privacy_archives row, manifest and files' text, with the
    manifest's checksum (recorded) and each file's (in the manifest) and row count verified."""
    out = []
    for row in await owner.fetch(tq("retention_test_archives")):
        if row["table_name"] != "support_interactions":
            continue
        path = Path(row["file_path"])
        manifest_bytes = await asyncio.to_thread(path.read_bytes)
        assert hashlib.sha256(manifest_bytes).hexdigest() == row["sha256"], path
        manifest = json.loads(manifest_bytes)
        assert manifest["files"]["support_interactions.csv.gz"]["rows"] == row["rows"]
        texts = {}
        for file_name, meta in manifest["files"].items():
            raw = await asyncio.to_thread((path.parent / file_name).read_bytes)
            assert hashlib.sha256(raw).hexdigest() == meta["sha256"], file_name
            texts[file_name] = gzip.decompress(raw).decode()
            assert len(texts[file_name].splitlines()) == meta["rows"] + 1, file_name
        out.append((row, manifest, texts))
    return out


def _rows(texts: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(texts[name])))
