"""Expired subject-access archives are deleted: by the retention run, and by any download
attempt (the zip of a customer's data does not outlive its link)."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import asyncpg
import httpx
from testkit import tq

from gateway.privacy.retention import run_retention
from gateway.settings import RETENTION_DEFAULTS

#: a policy that keeps everything else: only the exports' own expiry applies
KEEP_ALL = dict.fromkeys(RETENTION_DEFAULTS, 36_500)


async def _plant(owner: asyncpg.Connection, customer: object, seconds: int) -> object:
    return await owner.fetchval(
        tq("privacy_plant_export"), customer, seconds, secrets.token_hex(32)
    )


async def _stored(owner: asyncpg.Connection, ids: list[object]) -> set[object]:
    return {r["id"] for r in await owner.fetch(tq("privacy_exports_by_id"), ids)}


async def test_expired_exports_are_deleted(
    owner: asyncpg.Connection, privacy_dsn: str, privacy_url: str, tmp_path: Path
) -> None:
    customer = await owner.fetchval(tq("privacy_customer_with_consent"), True, True, 3)
    expired = await _plant(owner, customer, -60)
    valid = await _plant(owner, customer, 600)
    try:
        report = await run_retention(privacy_dsn, KEEP_ALL, tmp_path)
        assert report.done["privacy_exports expired deleted"] >= 1, report.as_json()
        assert await _stored(owner, [expired, valid]) == {valid}
        assert report.archives == []

        # on access: a download attempt (any token) deletes expired archives first
        late = await _plant(owner, customer, -1)
        assert await _stored(owner, [late]) == {late}
        path = f"/privacy/exports/{secrets.token_hex(32)}"
        resp = await asyncio.to_thread(httpx.get, privacy_url + path)
        assert resp.status_code == 404
        assert await _stored(owner, [late, valid]) == {valid}
    finally:
        await owner.execute(tq("privacy_delete_exports"), [valid])
