"""Relay pagination and filters on tickets, checked against the rows read as the owner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pandas as pd
import pytest
from testkit import tq

GQL = Callable[..., dict[str, Any]]

PAGE = (
    "query($f: TicketFilter, $o: TicketOrder, $first: Int, $after: String, $last: Int,"
    " $before: String) { tickets(filter: $f, orderBy: $o, first: $first, after: $after,"
    " last: $last, before: $before) { totalCount edges { cursor node { id createdAt } }"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)


@pytest.fixture(scope="module")
def owner_tickets(seeded_dsn: str) -> pd.DataFrame:
    async def read() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            return list(await conn.fetch(tq("owner_ticket_filter_sample")))
        finally:
            await conn.close()

    rows = asyncio.run(read())
    return pd.DataFrame([dict(r) for r in rows])


@pytest.fixture(scope="module")
def manager(make_token: Callable[..., str]) -> str:
    return make_token("manager")


def walk(graphql: GQL, token: str, variables: dict[str, Any], forward: bool) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        v = dict(variables)
        if forward:
            v.update(first=97, after=cursor)
        else:
            v.update(last=97, before=cursor)
        data = graphql(PAGE, v, token)
        assert "errors" not in data, data
        conn = data["data"]["tickets"]
        page = [int(e["node"]["id"]) for e in conn["edges"]]
        ids = ids + page if forward else page + ids
        info = conn["pageInfo"]
        more = info["hasNextPage"] if forward else info["hasPreviousPage"]
        if not more:
            return ids
        cursor = info["endCursor"] if forward else info["startCursor"]


def test_forward_and_backward_walks_cover_every_ticket_once(
    graphql: GQL, manager: str, owner_tickets: pd.DataFrame
) -> None:
    expected = (
        owner_tickets.sort_values(["created_at", "id"], ascending=False)["id"].astype(int).tolist()
    )
    fwd = walk(graphql, manager, {}, forward=True)
    back = walk(graphql, manager, {}, forward=False)
    assert fwd == expected  # newest first, no gaps, no repeats
    assert back == expected


def test_ascending_order_on_resolved_at_puts_open_tickets_last(
    graphql: GQL, manager: str, owner_tickets: pd.DataFrame
) -> None:
    order = {"field": "RESOLVED_AT", "direction": "ASC"}
    got = walk(graphql, manager, {"o": order}, forward=True)
    # open tickets sort as +infinity: after every resolved one, by id
    df = owner_tickets.assign(is_open=owner_tickets["resolved_at"].isna())
    expected = df.sort_values(["is_open", "resolved_at", "id"])["id"].astype(int).tolist()
    assert got == expected
    assert owner_tickets["resolved_at"].isna().any()


def _expected(df: pd.DataFrame, mask: pd.Series) -> list[int]:
    return df[mask].sort_values(["created_at", "id"], ascending=False)["id"].astype(int).tolist()


def test_filters_match_an_independent_selection(
    graphql: GQL, manager: str, owner_tickets: pd.DataFrame, seeded_dsn: str
) -> None:
    df = owner_tickets
    some_agent = df["assigned_agent_id"].dropna().iloc[0]
    some_team = df["team_id"].dropna().iloc[0]
    mid = df["created_at"].min() + (df["created_at"].max() - df["created_at"].min()) / 2
    cases: list[tuple[dict[str, Any], pd.Series]] = [
        ({"status": ["SOLVED", "CLOSED"]}, df["status"].isin(["solved", "closed"])),
        ({"priority": ["URGENT"]}, df["priority"] == "urgent"),
        ({"channel": ["CHAT", "PHONE"]}, df["channel"].isin(["chat", "phone"])),
        ({"agentId": [str(some_agent)]}, df["assigned_agent_id"] == some_agent),
        ({"teamId": [str(some_team)]}, df["team_id"] == some_team),
        ({"vipTier": ["PLATINUM", "DIAMOND"]}, df["vip_tier"].isin(["platinum", "diamond"])),
        (
            {"createdFrom": mid.isoformat(), "createdTo": (mid + timedelta(days=3)).isoformat()},
            (df["created_at"] >= mid) & (df["created_at"] < mid + timedelta(days=3)),
        ),
        (
            {"resolvedFrom": mid.isoformat(), "status": ["CLOSED"]},
            (df["resolved_at"] >= mid) & (df["status"] == "closed"),
        ),
    ]
    for filt, mask in cases:
        expected = _expected(df, mask)
        assert expected, filt  # every case selects something, so it can fail
        got = walk(graphql, manager, {"f": filt}, forward=True)
        assert got == expected, filt
        total = graphql(PAGE, {"f": filt, "first": 1}, manager)["data"]["tickets"]["totalCount"]
        assert total == len(expected)


def test_category_filter_includes_descendants(
    graphql: GQL, manager: str, owner_tickets: pd.DataFrame, seeded_dsn: str
) -> None:
    async def read() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            return list(await conn.fetch(tq("owner_categories")))
        finally:
            await conn.close()

    cats = asyncio.run(read())
    root = next(c for c in cats if c["parent_id"] is None)
    prefix = root["path"]
    mask = owner_tickets["path"].map(lambda p: p == prefix or p.startswith(prefix + "/"))
    expected = _expected(owner_tickets, mask)
    assert len(set(owner_tickets[mask]["category_id"])) > 1  # descendants really included
    got = walk(graphql, manager, {"f": {"categoryId": [str(root["id"])]}}, forward=True)
    assert got == expected


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 501}, "first must be between 0 and 500"),
        ({"last": -1}, "last must be between 0 and 500"),
        ({"first": 1, "last": 1}, "either first or last"),
        ({"after": "not-a-cursor"}, "malformed cursor"),
        (
            {"f": {"createdFrom": "2026-01-02T00:00:00Z", "createdTo": "2026-01-01T00:00:00Z"}},
            "range is empty",
        ),
        ({"f": {"agentId": ["nope"]}}, "invalid id"),
    ],
)
def test_invalid_arguments_give_clear_errors(
    graphql: GQL, manager: str, variables: dict[str, Any], message: str
) -> None:
    data = graphql(PAGE, variables, manager)
    assert data["data"] is None
    assert message in data["errors"][0]["message"]


def test_unknown_enum_and_foreign_cursor_are_rejected(graphql: GQL, manager: str) -> None:
    bad_enum = graphql(PAGE, {"f": {"status": ["LOST"]}}, manager)
    assert "LOST" in bad_enum["errors"][0]["message"]
    first = graphql(PAGE, {"first": 1}, manager)["data"]["tickets"]["pageInfo"]["endCursor"]
    other = graphql(PAGE, {"first": 1, "after": first, "o": {"field": "UPDATED_AT"}}, manager)
    assert "cursor was issued for ordering" in other["errors"][0]["message"]


def test_dates_without_timezone_are_rejected(graphql: GQL, manager: str) -> None:
    naive = (datetime(2026, 1, 1)).isoformat()
    data = graphql(PAGE, {"f": {"createdFrom": naive}}, manager)
    assert "timezone" in data["errors"][0]["message"]
