"""One KPI, one number: the same KPI asked through ``dashboard``, ``kpi``, ``operations`` and
``timeSeries`` (a one-bucket series over the same window) is the same figure, a queue
interval's service level is the ``service_level`` KPI in the same unit, a root category's CSAT
and first response time (``Category.stats``) are ``kpi(groupBy: CATEGORY)``'s, and the live
dashboard's first-response figure is the ``first_response_time`` KPI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

GQL = Callable[..., dict[str, Any]]
FROM, TO = "2026-11-10T00:00:00Z", "2026-11-11T00:00:00Z"
WINDOW = f'from: "{FROM}", to: "{TO}", timezone: "UTC"'
FIGURE = "value n ciLow ciHigh"


def _same(a: dict[str, Any], b: dict[str, Any], where: str) -> None:
    assert a["n"] == b["n"], where
    for key in ("value", "ciLow", "ciHigh"):
        if a[key] is None:
            assert b[key] is None, (where, key)
        else:
            assert b[key] == pytest.approx(a[key], rel=1e-12, abs=1e-12), (where, key)


SCOPED = [
    ("sla_compliance", "slaComplianceByPolicy { overall { %s } }"),
    ("sla_first_response_compliance", "slaFirstResponse { overall { %s } }"),
    ("utilization", "utilization { overall { %s } }"),
]
#: Queue KPIs are organisation-wide (staff with every right read them).
QUEUES = [("service_level", "queues { queue kpis { name %s } }")]


@pytest.mark.parametrize(
    ("role", "kpi", "operations_field"),
    [(role, *case) for role in ("manager", "team_lead", "agent") for case in SCOPED]
    + [("manager", *case) for case in QUEUES],
)
def test_a_kpi_is_one_number_on_every_field(
    graphql: GQL, make_token: Callable[..., str], role: str, kpi: str, operations_field: str
) -> None:
    query = (
        f'{{ dashboard({WINDOW}) {{ kpi(name: "{kpi}") {{ {FIGURE} }} }}'
        f' kpi(name: "{kpi}", {WINDOW}) {{ overall {{ {FIGURE} }} }}'
        f" operations({WINDOW}) {{ {operations_field % FIGURE} }}"
        f' timeSeries(kpi: "{kpi}", granularity: DAY, {WINDOW}) {{ {FIGURE} }} }}'
    )
    body = graphql(query, token=make_token(role))
    assert "errors" not in body, body
    data = body["data"]
    reference = data["kpi"]["overall"]
    assert reference["n"] > 0, "the window must hold data for the comparison to mean anything"
    _same(reference, data["dashboard"]["kpi"], "dashboard")
    (bucket,) = data["timeSeries"]
    _same(reference, bucket, "timeSeries")
    ops = data["operations"]
    if kpi == "service_level":
        (everything,) = [q for q in ops["queues"] if q["queue"] == "all"]
        (figure,) = [k for k in everything["kpis"] if k["name"] == kpi]
    else:
        figure = next(iter(ops.values()))["overall"]
    _same(reference, figure, "operations")


def test_a_queue_interval_has_the_service_level_kpi_of_that_interval(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    token = make_token("manager")
    rows = graphql(
        f'{{ queueMetrics(from: "{FROM}", to: "{TO}", queue: [CHAT]) {{ bucketStart'
        " intervalSeconds serviceLevel serviceLevelPercent abandonmentRate"
        " abandonmentRatePercent } }",
        token=token,
    )["data"]["queueMetrics"]
    assert rows
    for row in rows[:3]:
        start = row["bucketStart"]
        kpis = graphql(
            "query($f: DateTime!, $t: DateTime!) { operations(from: $f, to: $t) {"
            " queues { queue kpis { name value } } } }",
            {"f": start, "t": _plus_seconds(start, row["intervalSeconds"])},
            token,
        )["data"]["operations"]["queues"]
        (chat,) = [q for q in kpis if q["queue"] == "chat"]
        figures = {k["name"]: k["value"] for k in chat["kpis"]}
        for field, name in (("serviceLevel", "service_level"),
                            ("abandonmentRate", "abandonment_rate")):  # fmt: skip
            percent = row[f"{field}Percent"]
            if percent is None:
                assert figures[name] is None
            else:
                assert percent == pytest.approx(figures[name], rel=1e-12)
                assert row[field] == pytest.approx(percent / 100, rel=1e-12)


def _plus_seconds(instant: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(instant) + timedelta(seconds=seconds)).isoformat()


ROOT_FIGURES = [("csat", "csatMean", "csatN"), ("first_response_time", "firstResponseMedianMinutes",
                None), ("resolution_time", "resolutionMedianHours", None)]  # fmt: skip


@pytest.mark.parametrize("role", ["manager", "team_lead", "agent"])
def test_a_root_category_shows_its_kpis(
    graphql: GQL, make_token: Callable[..., str], role: str
) -> None:
    """``Category.stats`` of a root category (descendants included) is the CSAT and first
    response KPI of that category's group, under the same rights and window."""
    kpis = " ".join(
        f'{name}: kpi(name: "{name}", {WINDOW}, groupBy: CATEGORY) {{ groups {{ key {FIGURE} }} }}'
        for name, _, _ in ROOT_FIGURES
    )
    body = graphql(
        f'{{ categories {{ path depth stats(from: "{FROM}", to: "{TO}") {{'
        f" csatMean csatN firstResponseMedianMinutes resolutionMedianHours }} }} {kpis} }}",
        token=make_token(role),
    )
    assert "errors" not in body, body
    data = body["data"]
    roots = {c["path"]: c["stats"] for c in data["categories"] if c["depth"] == 0}
    for name, field, n_field in ROOT_FIGURES:
        groups = {g["key"]: g for g in data[name]["groups"]}
        assert groups, (name, "the window must hold data for the comparison to mean anything")
        assert set(groups) <= set(roots), name
        for path, stats in roots.items():
            group = groups.get(path)
            if group is None:
                assert stats[field] is None, (name, path)
                if n_field:
                    assert stats[n_field] == 0, (name, path)
                continue
            if n_field:
                assert stats[n_field] == group["n"], (name, path)
            if group["value"] is None:
                assert stats[field] is None, (name, path)
            else:
                assert stats[field] == pytest.approx(group["value"], rel=1e-12), (name, path)


def test_the_customer_summaries_add_up_to_the_csat_kpi(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    """Every customer's ``supportSummary`` CSAT, pooled (n-weighted), is ``kpi(csat)`` of the
    same window for a manager (who sees every customer and survey): one population, split."""
    token = make_token("manager")
    kpi = graphql(f'{{ kpi(name: "csat", {WINDOW}) {{ overall {{ {FIGURE} }} }} }}', token=token)
    reference = kpi["data"]["kpi"]["overall"]
    assert reference["n"] > 0
    n = total = 0.0
    after: str | None = None
    while True:
        page = graphql(
            "query($after: String, $f: DateTime!, $t: DateTime!) { customers(first: 500,"
            " after: $after) { nodes { supportSummary(from: $f, to: $t) { csatMean csatN } }"
            " pageInfo { hasNextPage endCursor } } }",
            {"after": after, "f": FROM, "t": TO},
            token,
        )["data"]["customers"]
        for node in page["nodes"]:
            summary = node["supportSummary"]
            if summary["csatN"]:
                n += summary["csatN"]
                total += summary["csatMean"] * summary["csatN"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert n == reference["n"]
    assert total / n == pytest.approx(reference["value"], rel=1e-12)
