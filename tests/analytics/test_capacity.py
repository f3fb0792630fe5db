"""Capacity against the staffing reference values (docs/metrics.md worked check; erlang tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.capacity import Demand, capacity_analysis

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_worked_check_interval() -> None:
    # 100 contacts per 30 min, AHT 180 s, 80% in 20 s -> 14 agents (docs/metrics.md)
    demand = [
        Demand(T0, 1800.0, 100.0, 180.0, 12.0, 20.0),  # two short
        Demand(T0, 1800.0, 100.0, 180.0, 15.5, 20.0),  # 1.5 spare: over
        Demand(T0, 1800.0, 100.0, 180.0, 14.5, 20.0),  # balanced
        Demand(T0, 1800.0, 0.0, None, 3.0, None),  # nothing offered: all spare
    ]
    r = capacity_analysis(
        demand,
        labor_cost=3000.0,
        scheduled_seconds=100 * 3600.0,
        handle_seconds=60.0,
        available_seconds=40.0,
    )
    assert [i.required for i in r.intervals] == [14, 14, 14, 0]
    assert [i.status for i in r.intervals] == ["under", "over", "balanced", "over"]
    assert r.agent_hours_short == pytest.approx(2 * 0.5)
    assert r.agent_hours_surplus == pytest.approx((1.5 + 0.5 + 3.0) * 0.5)
    assert r.cost_per_agent_hour == pytest.approx(30.0)
    assert r.cost_short == pytest.approx(30.0) and r.cost_surplus == pytest.approx(75.0)
    assert r.occupancy == pytest.approx(0.6) and r.occupancy_on_target
    assert r.utilization == pytest.approx(100 / 360000) and r.utilization_on_target is False


def test_no_cost_figures_without_rights() -> None:
    r = capacity_analysis([Demand(T0, 3600.0, 10.0, 300.0, 2.0, 20.0)])
    assert r.cost_per_agent_hour is None and r.cost_short is None and r.occupancy is None
