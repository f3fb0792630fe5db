"""Subject access and erasure reach the retention archives: a month archived by a retention run
holds a customer's interactions and message bodies (and another customer's message mentioning
them); the export's zip carries those archived rows, and after ``eraseCustomer`` no archive file
holds the customer's name, email, phone or message bodies, while every manifest checksum (and the
manifest's own, recorded in ``privacy_archives``) still matches its file."""

from __future__ import annotations

import asyncio
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
    folder = Path(archive["file_path"]).parent

    # the export carries the archived interaction and its body
    body = await asyncio.to_thread(gql, EXPORT, {"id": str(customer["id"])}, token_of("dpo"))
    assert "errors" not in body, body
    export = body["data"]["exportCustomerData"]
    counts = {t["table"]: t["rows"] for t in export["tables"]}
    assert counts["archived_support_interactions"] == 1
    assert counts["archived_support_interaction_bodies"] == 1
    resp = await asyncio.to_thread(httpx.get, privacy_url + export["downloadPath"])
    data = json.loads(zipfile.ZipFile(io.BytesIO(resp.content)).read("data.json"))["tables"]
    (interaction,) = data["archived_support_interactions"]
    assert interaction["id"] == str(mine["interaction_id"])
    assert interaction["ticket_id"] == str(mine["ticket_id"])
    assert data["archived_support_interaction_bodies"] == [
        {"interaction_id": str(mine["interaction_id"]), "body": own_body}
    ]
    # nothing about the other customer
    assert str(theirs["interaction_id"]) not in json.dumps(data)

    # erasure rewrites the archive
    erased = await asyncio.to_thread(
        gql, ERASE, {"id": str(customer["id"]), "reason": "archive test"}, token_of("dpo")
    )
    assert "errors" not in erased, erased
    actions = {a["table"]: a["rows"] for a in erased["data"]["eraseCustomer"]["actions"]}
    assert actions["archives rewritten"] == 1

    manifest_bytes = (folder / "manifest.json").read_bytes()
    after = await owner.fetchrow(tq("privacy_archive_of"), "support_interactions", date(2026, 9, 1))
    assert hashlib.sha256(manifest_bytes).hexdigest() == after["sha256"] != archive["sha256"]
    manifest = json.loads(manifest_bytes)
    texts = {}
    for file_name, meta in manifest["files"].items():
        raw = (folder / file_name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == meta["sha256"], file_name
        texts[file_name] = gzip.decompress(raw).decode()
        assert len(texts[file_name].splitlines()) == meta["rows"] + 1, file_name
    everything = "\n".join(texts.values()).lower()
    for term in (name, email, phone, own_body):
        assert term.lower() not in everything, term
    bodies = texts["support_interaction_bodies.csv.gz"]
    assert "My neighbour [redacted] ([redacted]) had the same problem." in bodies
    # the interaction row itself (no text) stays, as in the database; its body is gone
    assert f"\n{mine['interaction_id']}," in texts["support_interactions.csv.gz"]
    assert f"\n{mine['interaction_id']}," not in bodies
    assert manifest["files"]["support_interactions.csv.gz"]["rows"] == after["rows"]

    # a second export finds the archived interaction, and no body
    again = await asyncio.to_thread(gql, EXPORT, {"id": str(customer["id"])}, token_of("dpo"))
    counts = {t["table"]: t["rows"] for t in again["data"]["exportCustomerData"]["tables"]}
    assert counts["archived_support_interactions"] == 1
    assert "archived_support_interaction_bodies" not in counts
