"""Computed KPI fields on Agent, Team, Category and Customer: values against pandas over the
raw rows, and one batch per window however many objects ask."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pandas as pd
import pytest
from testkit import SEED_END, tq

GQL = Callable[..., dict[str, Any]]
START, END = SEED_END - timedelta(days=28), SEED_END - timedelta(days=1)
WINDOW = {"from": START.isoformat(), "to": END.isoformat()}


def _owner_rows(dsn: str, query: str) -> pd.DataFrame:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query), START, END))
        finally:
            await conn.close()

    return pd.DataFrame([dict(r) for r in asyncio.run(run())])


@pytest.fixture(scope="module")
def tickets(seeded_dsn: str) -> pd.DataFrame:
    return _owner_rows(seeded_dsn, "computed_owner_tickets")


@pytest.fixture(scope="module")
def ratings(seeded_dsn: str) -> pd.DataFrame:
    """CSAT's population: ratings of surveys sent in the window (docs/metrics.md)."""
    return _owner_rows(seeded_dsn, "computed_owner_ratings")


def test_category_stats_include_descendants(
    graphql: GQL, make_token: Callable[..., str], tickets: pd.DataFrame, ratings: pd.DataFrame
) -> None:
    data = graphql(
        "query($from: DateTime!, $to: DateTime!) { categories { path depth"
        " stats(from: $from, to: $to) { tickets open csatMean csatN } } }",
        WINDOW,
        make_token("manager"),
    )["data"]["categories"]
    roots = [c for c in data if c["depth"] == 0]
    assert roots
    for c in data:
        path = c["path"]
        mine = tickets[(tickets["path"] == path) | tickets["path"].str.startswith(path + "/")]
        assert c["stats"]["tickets"] == len(mine)
        assert c["stats"]["open"] == int(mine["resolved_at"].isna().sum())
        in_tree = (ratings["path"] == path) | ratings["path"].str.startswith(path + "/")
        rated = ratings[in_tree]["csat_rating"].astype(float)
        assert c["stats"]["csatN"] == len(rated)
        if len(rated):
            assert c["stats"]["csatMean"] == pytest.approx(rated.mean(), rel=1e-9)
    assert sum(r["stats"]["tickets"] for r in roots) == len(tickets)


def test_customer_summary_counts(
    graphql: GQL,
    make_token: Callable[..., str],
    tickets: pd.DataFrame,
    ratings: pd.DataFrame,
    seeded_dsn: str,
) -> None:
    # the window ended before the test runs: every target due in it is decided
    targets = _owner_rows(seeded_dsn, "computed_owner_sla")
    met = targets["achieved_at"].notna() & (targets["achieved_at"] <= targets["due_at"])
    breached = targets[~met]
    ids = tickets["customer_id"].value_counts().index[:10].astype(str).tolist()
    for cid in ids:
        s = graphql(
            "query($id: ID!, $from: DateTime!, $to: DateTime!) { customer(id: $id) {"
            " supportSummary(from: $from, to: $to) { tickets open csatMean csatN slaBreaches } } }",
            {"id": cid, **WINDOW},
            make_token("manager"),
        )["data"]["customer"]["supportSummary"]
        mine = tickets[tickets["customer_id"].astype(str) == cid]
        rated = ratings[ratings["customer_id"].astype(str) == cid]["csat_rating"].astype(float)
        assert {k: s[k] for k in ("tickets", "open", "csatN", "slaBreaches")} == {
            "tickets": len(mine),
            "open": int(mine["resolved_at"].isna().sum()),
            "csatN": len(rated),
            "slaBreaches": int((breached["customer_id"].astype(str) == cid).sum()),
        }
        if len(rated):
            assert s["csatMean"] == pytest.approx(rated.mean(), rel=1e-9)
        else:
            assert s["csatMean"] is None


def test_agent_and_team_performance_are_batched_and_correct(
    graphql: GQL, make_token: Callable[..., str], tickets: pd.DataFrame
) -> None:
    body = graphql(
        "query($from: DateTime!, $to: DateTime!) {"
        ' agents { id performance(from: $from, to: $to) { kpi(name: "ticket_volume") { value } } }'
        " teams { id performance(from: $from, to: $to) { name value } } }",
        WINDOW,
        make_token("manager"),
    )
    assert "errors" not in body, body
    per_agent = tickets.groupby(tickets["assigned_agent_id"].astype(str)).size().to_dict()
    for a in body["data"]["agents"]:
        got = a["performance"]["kpi"]["value"] if a["performance"] else 0
        assert got == per_agent.get(a["id"], 0)
    per_team = tickets.groupby(tickets["team_id"].astype(str)).size().to_dict()
    for t in body["data"]["teams"]:
        volume = next(k["value"] for k in t["performance"] if k["name"] == "ticket_volume")
        assert volume == per_team.get(t["id"], 0)
    # 2 setup + agents + teams + one agent batch + one statement per team KPI source (≤ 4)
    assert body["extensions"]["sqlStatements"] <= 9
    assert len(body["data"]["agents"]) > 20
