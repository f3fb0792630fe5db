"""Admin actions are audited: report and schedule mutations and alert acknowledge/resolve each
write one ``admin`` row (actor, role, what, target id, the request's ``X-Request-Id``) through the
batched audit writer; a refused or failed mutation writes none."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
from testkit import tq

CREATE_REPORT = """mutation($d: CustomReportInput!) {
  createReport(definition: $d, sharedWith: [MANAGER]) { id } }"""
SCHEDULE = """mutation($r: ID!) {
  createReportSchedule(reportId: $r, cron: "0 8 * * 1", timezone: "UTC", format: CSV,
                       recipients: ["ops@example.com"]) { id } }"""
PAUSE = "mutation($id: ID!) { pauseReportSchedule(id: $id, paused: true) { paused } }"
DELETE_SCHEDULE = "mutation($id: ID!) { deleteReportSchedule(id: $id) }"
DELETE_REPORT = "mutation($id: ID!) { deleteReport(id: $id) }"
ACK = "mutation($id: ID!) { acknowledgeAlert(id: $id) { status } }"
RESOLVE = "mutation($id: ID!) { resolveAlert(id: $id) { status } }"


def _post(url: str, query: str, variables: dict[str, Any], token: str, request_id: str) -> Any:
    resp = httpx.post(
        url + "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": request_id},
        timeout=60,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def _admin_rows(owner: asyncpg.Connection, request_ids: set[str]) -> list[Any]:
    rows = await owner.fetch(tq("privacy_audit_rows"), "admin")
    return [r for r in rows if r["request_id"] in request_ids]


async def test_report_and_alert_mutations_are_audited(
    privacy_url: str,
    token_of: Callable[..., str],
    role_users: dict[str, list[uuid.UUID]],
    owner: asyncpg.Connection,
) -> None:
    tag = uuid.uuid4().hex[:8]
    steps: list[tuple[str, str, str]] = []  # (request id, what, target)

    async def call(query: str, variables: dict[str, Any], role: str, what: str) -> Any:
        rid = f"admin-{tag}-{len(steps)}"
        body = await asyncio.to_thread(_post, privacy_url, query, variables, token_of(role), rid)
        assert "errors" not in body, body
        steps.append((rid, what, role))
        return body["data"]

    definition = {"name": f"audit {tag}", "kpis": ["sla_compliance", "backlog"]}
    report = (await call(CREATE_REPORT, {"d": definition}, "manager", "report.create"))[
        "createReport"
    ]["id"]
    schedule = (await call(SCHEDULE, {"r": report}, "manager", "report_schedule.create"))[
        "createReportSchedule"
    ]["id"]
    await call(PAUSE, {"id": schedule}, "manager", "report_schedule.pause")
    await call(DELETE_SCHEDULE, {"id": schedule}, "manager", "report_schedule.delete")
    await call(DELETE_REPORT, {"id": report}, "manager", "report.delete")
    alert = await owner.fetchval(tq("privacy_plant_plain_alert"))
    await call(ACK, {"id": str(alert)}, "manager", "alert.acknowledge")
    await call(RESOLVE, {"id": str(alert)}, "admin", "alert.resolve")
    # refused: resolving it again (already resolved) changes nothing and writes no admin row
    refused_rid = f"admin-{tag}-refused"
    again = await asyncio.to_thread(
        _post, privacy_url, RESOLVE, {"id": str(alert)}, token_of("admin"), refused_rid
    )
    assert again["errors"][0]["extensions"]["code"]

    expected_targets = [report, schedule, schedule, schedule, report, str(alert), str(alert)]
    ids = {rid for rid, _, _ in steps} | {refused_rid}
    for _ in range(50):  # the writer flushes every 0.2 s here
        rows = await _admin_rows(owner, ids)
        if len(rows) >= len(steps):
            break
        await asyncio.sleep(0.1)
    by_request = {r["request_id"]: r for r in rows}
    assert refused_rid not in by_request
    assert len(rows) == len(steps)
    for (rid, what, role), target in zip(steps, expected_targets, strict=True):
        row = by_request[rid]
        details = json.loads(row["details"])
        assert details["admin_action"] == what, rid
        assert details["target"] == target, (what, details)
        assert row["actor_role"] == role
        assert row["actor_user_id"] == role_users[role][0]
    resolved = json.loads(by_request[steps[-1][0]]["details"])
    assert resolved["status"] == "resolved"
