"""Subject access: the archive behind ``exportCustomerData``'s link holds every row the database
has about the customer — checked against an independent scan of every table of schema public
for rows mentioning the customer's id, tickets or interactions — and nothing about anyone else;
the link is short-lived, single-purpose and audited."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
from testkit import tq

GQL = Callable[..., Any]

EXPORT = """mutation($id: ID!) { exportCustomerData(customerId: $id) {
  customerId downloadPath expiresAt sha256 sizeBytes tables { table rows } } }"""


def _key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True)


async def _expected(owner: asyncpg.Connection, customer_id: Any) -> dict[str, set[str]]:
    tickets = [r["id"] for r in await owner.fetch(tq("privacy_customer_tickets"), customer_id)]
    interactions = [
        r["id"] for r in await owner.fetch(tq("privacy_customer_interactions"), customer_id)
    ]
    out: dict[str, set[str]] = {}
    for t in await owner.fetch(tq("privacy_public_tables")):
        if t["table_name"] == "privacy_exports":
            continue  # the archives themselves
        rows = await owner.fetch(
            tq("privacy_rows_mentioning", table=t["table_name"]),
            str(customer_id),
            tickets,
            interactions,
        )
        found = {_key(json.loads(r["row"])) for r in rows}
        if found:
            out[t["table_name"]] = found
    return out


async def test_export_holds_everything_about_the_customer_and_nothing_else(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection, privacy_url: str
) -> None:
    customer = await owner.fetchrow(tq("privacy_pick_customer"), 5)
    assert customer is not None
    cid = str(customer["id"])
    # something about them in every kind of table: a prediction, a read in the audit log
    await owner.execute(tq("privacy_plant_prediction"), customer["id"])
    await asyncio.to_thread(
        gql, "query($id: ID!) { customer(id: $id) { email } }", {"id": cid}, token_of("manager")
    )
    await asyncio.sleep(0.6)  # the audit writer flushes every 0.2 s here

    body = await asyncio.to_thread(gql, EXPORT, {"id": cid}, token_of("dpo"))
    assert "errors" not in body, body
    export = body["data"]["exportCustomerData"]
    expected = await _expected(owner, customer["id"])

    resp = await asyncio.to_thread(httpx.get, privacy_url + export["downloadPath"])
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/zip"
    assert resp.headers["cache-control"] == "no-store"
    assert (
        hashlib.sha256(resp.content).hexdigest()
        == export["sha256"]
        == resp.headers["x-content-sha256"]
    )
    archive = zipfile.ZipFile(io.BytesIO(resp.content))
    data = json.loads(archive.read("data.json"))
    manifest = json.loads(archive.read("manifest.json"))
    tables: dict[str, list[dict[str, Any]]] = data["tables"]

    exported = {name: {_key(r) for r in rows} for name, rows in tables.items() if rows}
    # the export was audited after the independent scan: compare the log without that row
    exported["privacy_audit_log"] = {
        k for k in exported.get("privacy_audit_log", set()) if '"action": "export"' not in k
    }
    expected["privacy_audit_log"] = {
        k for k in expected.get("privacy_audit_log", set()) if '"action": "export"' not in k
    }
    assert exported == expected
    for name in (
        "customers",
        "customer_contacts",
        "support_tickets",
        "support_interactions",
        "support_interaction_bodies",
        "support_feedback_surveys",
        "support_predictions",
        "privacy_audit_log",
    ):
        assert exported.get(name), name
    assert {t["table"]: t["rows"] for t in export["tables"]} == manifest["rows"]
    for name, rows in tables.items():
        member = archive.read(f"{name}.csv")
        assert hashlib.sha256(member).hexdigest() == manifest["sha256"][f"{name}.csv"]
        assert len(list(csv.DictReader(io.StringIO(member.decode())))) == len(rows)

    audit = (await owner.fetch(tq("privacy_audit_rows"), "export_download"))[0]
    assert audit["customer_id"] == customer["id"]


async def test_export_refused_for_other_roles_and_links_are_checked(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection, privacy_url: str
) -> None:
    customer = await owner.fetchrow(tq("privacy_pick_customer"), 6)
    assert customer is not None
    body = await asyncio.to_thread(gql, EXPORT, {"id": str(customer["id"])}, token_of("manager"))
    assert body["data"] is None and "admin and dpo" in body["errors"][0]["message"]
    missing = await asyncio.to_thread(
        gql, EXPORT, {"id": "00000000-0000-4000-8000-000000000000"}, token_of("admin")
    )
    assert "does not exist" in missing["errors"][0]["message"]
    for path in ("/privacy/exports/" + "0" * 64, "/privacy/exports/not-a-token"):
        resp = await asyncio.to_thread(httpx.get, privacy_url + path)
        assert resp.status_code == 404
