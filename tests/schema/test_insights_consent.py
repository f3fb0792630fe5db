"""Consent through the API: over a real gateway (uvicorn, HTTP), ``churnRisk``,
``Customer.churnRisk`` and ``Ticket.satisfactionRisk`` never score a customer who objects to
profiling (no analytics consent, or erased), and ``upsellCandidates`` never names one without
marketing consent. The flags are read independently, as the database owner, from
``public.customers``; each test also checks that such customers are there to be left out (so it
fails if the gateway stopped filtering)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from insights_support import InsightsDb, owner_rows
from testkit import LiveServer, tq

from gateway.app import create_app
from gateway.auth import mint_token
from gateway.settings import Settings

Ask = Callable[..., dict[str, Any]]
VIP_TIERS = ["SILVER", "GOLD", "PLATINUM", "DIAMOND"]
PAGE = """query($after: String) { churnRisk(first: 500, after: $after) { totalCount hasNextPage
  endCursor nodes { customer { id } } } }"""


@pytest.fixture(scope="module")
def flags(insights_db: InsightsDb) -> dict[str, asyncpg.Record]:
    rows = asyncio.run(owner_rows(insights_db.dsn, tq("insights_consent_flags")))
    return {str(r["id"]): r for r in rows}


@pytest.fixture(scope="module")
def ask(insights_db: InsightsDb, gateway_settings: Settings) -> Iterator[Ask]:
    users: dict[str, uuid.UUID] = {}
    for r in asyncio.run(owner_rows(insights_db.dsn, tq("users_by_role"))):
        users.setdefault(r["app_role"], r["user_id"])
    live = LiveServer(create_app(gateway_settings, insights_db.dsn, realtime=False))
    live.start()

    def run(role: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        token = mint_token(gateway_settings.jwt_secret, user_id=users[role], app_role=role)
        resp = httpx.post(
            live.url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    try:
        yield run
    finally:
        live.stop()


@pytest.mark.parametrize("role", ["manager", "analyst", "team_lead"])
def test_churn_risk_never_lists_an_objector(
    role: str, ask: Ask, flags: dict[str, asyncpg.Record]
) -> None:
    objectors = {k for k, r in flags.items() if r["vip_tier"] is not None and not r["profiling"]}
    assert len(objectors) >= 20  # VIP clients who object are there to be left out
    seen: list[str] = []
    after: str | None = None
    while True:  # every page: the whole ranking the caller may see
        page = ask(role, PAGE, {"after": after})["churnRisk"]
        seen += [n["customer"]["id"] for n in page["nodes"]]
        if not page["hasNextPage"]:
            break
        after = page["endCursor"]
    assert len(seen) == page["totalCount"] == len(set(seen)) > 0
    assert set(seen) & objectors == set()
    assert all(flags[c]["profiling"] for c in seen)


def test_customer_churn_risk_is_null_for_objectors(
    ask: Ask, flags: dict[str, asyncpg.Record]
) -> None:
    query = """query($after: String, $tiers: [VipTier!]) { customers(first: 500, after: $after,
      vipTier: $tiers) { pageInfo { hasNextPage endCursor } edges { node { id
      churnRisk { risk { probability } } } } } }"""
    scored = objecting = 0
    after: str | None = None
    while True:
        page = ask("manager", query, {"after": after, "tiers": VIP_TIERS})["customers"]
        for e in page["edges"]:
            node = e["node"]
            if not flags[node["id"]]["profiling"]:
                objecting += 1
                assert node["churnRisk"] is None, node["id"]
            elif node["churnRisk"] is not None:
                scored += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert objecting >= 20 and scored >= 500  # both kinds were asked about


def test_ticket_satisfaction_risk_is_null_for_objectors(
    ask: Ask, insights_db: InsightsDb, flags: dict[str, asyncpg.Record]
) -> None:
    query = """query($ids: [ID!]) { tickets(first: 100, filter: {customerId: $ids,
      status: [NEW, OPEN, PENDING]}) { nodes { id customer { id }
      satisfactionRisk { probability } } } }"""
    for profiled in (False, True):
        rows = asyncio.run(owner_rows(insights_db.dsn, tq("insights_open_tickets_by_consent"),
                                  profiled, 100))  # fmt: skip
        assert len(rows) >= 20
        customers = sorted({str(r["customer_id"]) for r in rows})
        nodes = ask("manager", query, {"ids": customers})["tickets"]["nodes"]
        assert len(nodes) >= 20
        for n in nodes:
            assert flags[n["customer"]["id"]]["profiling"] is profiled
            if profiled:  # the control: the same query scores the others
                assert n["satisfactionRisk"] is not None, n["id"]
            else:
                assert n["satisfactionRisk"] is None, n["id"]


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_upsell_never_names_a_client_without_marketing_consent(
    role: str, ask: Ask, insights_db: InsightsDb, flags: dict[str, asyncpg.Record]
) -> None:
    # clients meeting the rule's support conditions whom only consent keeps out
    left_out = asyncio.run(owner_rows(insights_db.dsn, tq("insights_upsell_without_marketing")))
    assert left_out[0]["n"] >= 5
    query = "{ upsellCandidates(first: 500) { client { customer { id } } } }"
    found = [c["client"]["customer"]["id"] for c in ask(role, query)["upsellCandidates"]]
    assert found
    assert [c for c in found if not flags[c]["marketing"]] == []
    assert all(flags[c]["profiling"] for c in found)
