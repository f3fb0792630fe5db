"""The live dashboard snapshot carries the KPI engine's figures with the configured targets."""

from __future__ import annotations

import uuid
from datetime import timedelta

from testkit import SEED_END

from gateway.auth import Principal
from gateway.db import Database
from resolvers.dashboards import dashboard_kpis
from resolvers.live import DashboardEvent, dashboard_snapshot
from schema.subscriptions import DashboardMetrics


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
        reference = await dashboard_kpis(session, start, end, now=end)
        await session.close()
    finally:
        await db.close()
    kpis = {k.name: k for k in figures["kpis"]}
    assert kpis["csat"].target == 4.9
    assert kpis["csat"].value == next(k.value for k in reference.kpis if k.name == "csat")
    assert kpis["ticket_volume"].value == figures["created"]


async def test_the_first_response_figure_is_the_kpi(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    """The live dashboard has one first-response figure: the deprecated
    ``medianFirstResponseMinutes`` is the ``first_response_time`` KPI's value of the window,
    as ``dashboard_kpis`` (the ``dashboard``/``kpi`` queries) computes it, under each role."""
    start, end = SEED_END - timedelta(days=7), SEED_END
    db = Database(seeded_dsn, min_size=1, max_size=2)
    await db.open()
    try:
        for role in ("manager", "team_lead", "agent"):
            user = users_by_role[role][0]
            claims = {"sub": str(user), "role": "authenticated", "app_role": role}
            session = db.session(Principal(user, "authenticated", role, claims, None))
            figures = await dashboard_snapshot(session, start, end)
            reference = await dashboard_kpis(session, start, end, now=end)
            await session.close()
            event = DashboardEvent("last_7_days", "UTC", start, end, end, figures)
            metrics = DashboardMetrics.from_event(event)
            (frt,) = [k for k in reference.kpis if k.name == "first_response_time"]
            assert frt.n > 0 and frt.value is not None, role
            assert metrics.median_first_response_minutes == frt.value, role
            assert "median_first_response_seconds" not in figures, role
    finally:
        await db.close()


def test_the_live_periods_are_listed_once() -> None:
    """``LivePeriod`` (GraphQL's ``DashboardPeriod``) is the one list: ``LIVE_PERIODS`` and the
    schema's enum are it, each member a ``Period`` by value, and other periods are refused."""
    import pytest

    from resolvers.errors import UserInputError
    from resolvers.live import LIVE_PERIODS, LivePeriod, live_period
    from resolvers.windows import Period
    from schema.subscriptions import DashboardPeriod

    assert DashboardPeriod is LivePeriod
    assert (
        {p.value for p in LIVE_PERIODS}
        == {p.value for p in LivePeriod}
        <= {p.value for p in Period}
    )
    assert [live_period(p.value) for p in LivePeriod] == [Period(p.value) for p in LivePeriod]
    with pytest.raises(UserInputError, match="unknown period"):
        live_period(Period.LAST_30_DAYS.value)
