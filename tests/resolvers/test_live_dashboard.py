"""The live dashboard snapshot carries the KPI engine's figures with the configured targets."""

from __future__ import annotations

import uuid
from datetime import timedelta

from testkit import SEED_END

from gateway.auth import Principal
from gateway.db import Database
from resolvers.dashboards import dashboard_kpis
from resolvers.live import dashboard_snapshot


async def test_snapshot_uses_configured_targets(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    user = users_by_role["manager"][0]
    claims = {"sub": str(user), "role": "authenticated", "app_role": "manager"}
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    try:
        session = db.session(Principal(user, "authenticated", "manager", claims, None))
        start, end = SEED_END - timedelta(days=7), SEED_END
        figures = await dashboard_snapshot(session, start, end, targets={"csat": 4.9})
        reference = await dashboard_kpis(session, start, end)
        await session.close()
    finally:
        await db.close()
    kpis = {k.name: k for k in figures["kpis"]}
    assert kpis["csat"].target == 4.9
    assert kpis["csat"].value == next(k.value for k in reference.kpis if k.name == "csat")
    assert kpis["ticket_volume"].value == figures["created"]
