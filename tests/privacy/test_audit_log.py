"""The audit log: reads of personal data and authentication failures are recorded (batched, by
the gateway's writer), admin and dpo read it through ``auditLog``, nobody can change it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
from testkit import tq

GQL = Callable[..., Any]

CUSTOMERS = "{ customers(first: 3) { nodes { id name email piiMasked } } }"
AUDIT = """query($f: AuditLogFilter, $after: String) {
  auditLog(filter: $f, first: 2, after: $after) {
    edges { cursor node { id action actorRole actorUserId customerId subjectCount operation
                         requestId details } }
    pageInfo { hasNextPage endCursor } } }"""


async def _wait_for(owner: asyncpg.Connection, action: str, check: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for row in await owner.fetch(tq("privacy_audit_rows"), action):
            if check(row):
                return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {action} audit row appeared")


async def test_manager_reading_contacts_is_audited(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection, role_users: Any
) -> None:
    manager = role_users["manager"][0]
    body = await asyncio.to_thread(
        gql, "query ManagerContacts " + CUSTOMERS, None, token_of("manager")
    )
    ids = sorted(n["id"] for n in body["data"]["customers"]["nodes"])
    assert len(ids) == 3 and not any(n["piiMasked"] for n in body["data"]["customers"]["nodes"])

    row = await _wait_for(
        owner, "personal_data_read", lambda r: r["operation"] == "ManagerContacts"
    )
    assert row["actor_user_id"] == manager
    assert row["actor_role"] == "manager"
    # what the database released to the gateway: the page and its look-ahead row
    recorded = json.loads(row["details"])["customers"]
    assert row["subject_count"] == len(recorded) == 4
    assert set(ids) <= set(recorded)
    assert row["request_id"]


async def test_analyst_masked_read_is_not_a_personal_data_read(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    body = await asyncio.to_thread(gql, "query AnalystLook " + CUSTOMERS, None, token_of("analyst"))
    assert all(n["piiMasked"] for n in body["data"]["customers"]["nodes"])
    await asyncio.sleep(1.0)  # five flush intervals
    rows = await owner.fetch(tq("privacy_audit_rows"), "personal_data_read")
    assert not [r for r in rows if r["operation"] == "AnalystLook"]


async def test_authentication_failures_are_audited(
    privacy_url: str, owner: asyncpg.Connection
) -> None:
    resp = await asyncio.to_thread(
        httpx.post,
        privacy_url + "/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"Authorization": "Bearer not.a.token"},
    )
    assert resp.status_code == 401
    row = await _wait_for(
        owner, "auth_failure", lambda r: json.loads(r["details"])["code"] == "malformed_token"
    )
    assert row["actor_user_id"] is None
    assert json.loads(row["details"])["path"] == "/graphql"


async def test_audit_log_for_dpo_and_admin_only(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    for n in range(3):
        await asyncio.to_thread(gql, f"query ForDpo{n} " + CUSTOMERS, None, token_of("manager"))
    await _wait_for(owner, "personal_data_read", lambda r: r["operation"] == "ForDpo2")
    flt = {"actions": ["PERSONAL_DATA_READ"]}
    for role in ("dpo", "admin"):
        body = await asyncio.to_thread(gql, AUDIT, {"f": flt}, token_of(role))
        assert "errors" not in body, body
        page = body["data"]["auditLog"]
        assert [e["node"]["action"] for e in page["edges"]] == ["PERSONAL_DATA_READ"] * 2
        assert page["pageInfo"]["hasNextPage"]
        newest = int(page["edges"][0]["node"]["id"])
        assert newest == max(
            r["id"] for r in await owner.fetch(tq("privacy_audit_rows"), "personal_data_read")
        )
        nxt = await asyncio.to_thread(
            gql, AUDIT, {"f": flt, "after": page["pageInfo"]["endCursor"]}, token_of(role)
        )
        ids = [int(e["node"]["id"]) for e in page["edges"] + nxt["data"]["auditLog"]["edges"]]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    for role in ("manager", "analyst", "agent"):
        body = await asyncio.to_thread(gql, AUDIT, {"f": flt}, token_of(role))
        assert body["data"] is None
        assert "admin and dpo" in body["errors"][0]["message"]


@pytest.mark.parametrize("statement", ["update", "delete", "truncate"])
@pytest.mark.parametrize(
    ("role", "claims"),
    [
        (None, None),  # the owner (a superuser here)
        ("service_role", {"role": "service_role"}),
        ("authenticated", {"role": "authenticated", "app_role": "admin"}),
        ("authenticated", {"role": "authenticated", "app_role": "dpo"}),
    ],
)
async def test_no_role_can_change_the_audit_log(
    owner: asyncpg.Connection, statement: str, role: str | None, claims: Any
) -> None:
    await owner.fetchval(tq("privacy_audit_seed"))
    before = await owner.fetchval(tq("privacy_audit_count"))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with owner.transaction():
            if role is not None:
                await owner.execute(tq("privacy_as_role"), role, json.dumps(claims))
            await owner.execute(tq(f"privacy_audit_{statement}"))
    assert await owner.fetchval(tq("privacy_audit_count")) == before
