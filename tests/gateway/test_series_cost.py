"""A series field costs one per point (buckets × groups): the static cost grows with the window
and with groupBy, so an hourly months-long series by agent is refused before any SQL to callers
whose cost limit is below it, and allowed where a role's budget is configured higher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from serving_support import codes, own_gateway, post

from gateway.cost import WEIGHTS
from gateway.documents import DocumentCache, select_operation
from gateway.graphql_view import GatewayState
from gateway.limits import check_limits
from gateway.role_limits import RoleLimits, parse_limits
from gateway.series_cost import GROUP_SIZES
from gateway.settings import Settings
from schema.root import build_schema

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
SERIES = (
    'query($from: DateTime, $to: DateTime, $g: KpiGroupBy) {{ timeSeries(kpi: "backlog",'
    " granularity: {granularity}, from: $from, to: $to, groupBy: $g) {{ n }} }}"
)


def variables(days: float, group: str | None = None) -> dict[str, str | None]:
    return {"from": (END - timedelta(days=days)).isoformat(), "to": END.isoformat(), "g": group}


def cost_of(query: str, variables: dict[str, object], limits: RoleLimits | None = None) -> int:
    cache = DocumentCache(build_schema()._schema)
    prepared = cache.get(query, 10_000)
    op = select_operation(prepared, None)
    roomy = RoleLimits(cost=10**9) if limits is None else limits
    return check_limits(
        prepared, op, roomy, anonymous=False, variables=variables, schema=cache.schema
    )


def series_cost(points: int) -> int:
    """weight + points, + 1 for the list field (its items' ``n`` are leaves: no weight)."""
    return WEIGHTS["Query.timeSeries"] + points + 1


def test_the_cost_grows_with_the_window_the_granularity_and_the_groups() -> None:
    hourly = SERIES.format(granularity="HOUR")
    daily = SERIES.format(granularity="DAY")
    assert cost_of(hourly, variables(7)) == series_cost(7 * 24)
    assert cost_of(hourly, variables(30)) == series_cost(30 * 24)
    assert cost_of(daily, variables(30)) == series_cost(30)
    agents = GROUP_SIZES["AGENT"]
    assert cost_of(hourly, variables(83, "AGENT")) == series_cost(83 * 24 * agents)
    assert cost_of(daily, variables(83, "CHANNEL")) == series_cost(83 * GROUP_SIZES["CHANNEL"])
    # a literal window and a named period count the same way
    start = (END - timedelta(days=2)).isoformat()
    literal = (
        f'{{ timeSeries(kpi: "csat", granularity: HOUR, from: "{start}",'
        f' to: "{END.isoformat()}") {{ n }} }}'
    )
    assert cost_of(literal, {}) == series_cost(48)
    period = '{ timeSeries(kpi: "csat", granularity: DAY, period: LAST_90_DAYS) { n } }'
    assert cost_of(period, {}) == series_cost(90)
    window = (
        '{ timeSeries(kpi: "csat", granularity: WEEK, groupBy: TEAM,'
        " window: {period: LAST_90_DAYS}) { n } }"
    )
    assert cost_of(window, {}) == series_cost(-(-90 * 24 // 168) * GROUP_SIZES["TEAM"])
    # no window: the default last 7 days
    assert cost_of('{ timeSeries(kpi: "csat", granularity: HOUR) { n } }', {}) == series_cost(168)


def test_trend_and_anomalies_count_their_points_with_their_defaults() -> None:
    # trend: DAY over the last 30 days by default; anomalies: HOUR over 30 days
    trend = cost_of('{ trend(kpi: "csat") { overall { buckets } } }', {})
    by_agent = cost_of('{ trend(kpi: "csat", groupBy: AGENT) { overall { buckets } } }', {})
    assert by_agent - trend == 30 * (GROUP_SIZES["AGENT"] - 1)
    anomalies = cost_of('{ anomalies(kpi: "csat") { anomalies { n } } }', {})
    hourly_trend = cost_of('{ trend(kpi: "csat", granularity: HOUR) { overall { buckets } } }', {})
    assert hourly_trend - trend == 30 * 24 - 30
    assert anomalies >= WEIGHTS["Query.anomalies"] + 30 * 24


def test_the_budget_is_per_role() -> None:
    heavy = SERIES.format(granularity="HOUR")
    limits = parse_limits("executive.cost=200000")
    points = 83 * 24 * GROUP_SIZES["AGENT"]
    assert limits["default"].cost < series_cost(points) < limits["executive"].cost
    assert cost_of(heavy, variables(83, "AGENT"), limits["executive"]) == series_cost(points)
    from resolvers.errors import LimitExceededError

    with pytest.raises(LimitExceededError) as refused:
        cost_of(heavy, variables(83, "AGENT"), limits["default"])
    assert refused.value.extensions["limit"] == "cost"
    assert refused.value.extensions["value"] == series_cost(points)


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[tuple[str, GatewayState]]:
    limits = parse_limits("default.burst=10000,executive.cost=200000")
    with own_gateway(gateway_settings, seeded_dsn, limits=limits) as gw:
        yield gw


def test_the_heavy_series_is_refused_before_any_sql_below_the_budget(
    gateway: tuple[str, GatewayState], make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    heavy = {"query": SERIES.format(granularity="HOUR"), "variables": variables(83, "AGENT")}
    refused = post(url, heavy, token=make_token("manager"))
    assert refused.status_code == 400 and codes(refused.json()) == ["LIMIT_EXCEEDED"]
    error = refused.json()["errors"][0]
    assert error["extensions"]["limit"] == "cost"
    assert error["extensions"]["value"] == series_cost(83 * 24 * GROUP_SIZES["AGENT"])
    assert "sqlStatements" not in refused.json().get("extensions", {})
    # the same series over a week is within the default budget and answers
    light = {"query": SERIES.format(granularity="HOUR"), "variables": variables(7, "AGENT")}
    ok = post(url, light, token=make_token("manager"))
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text
    assert ok.json()["data"]["timeSeries"]
    # a role with a larger configured budget may run the heavy one
    allowed = post(url, heavy, token=make_token("executive"), timeout=120)
    assert allowed.status_code == 200 and "errors" not in allowed.json(), allowed.text[:300]
