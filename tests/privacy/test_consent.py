"""Consent: no survey is recorded without survey consent (the generator draws none, the database
refuses one), customers who object to profiling get no model scores, marketing and profiling
hooks for model code, consent changes are audited, ``Customer.consent`` is visible."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from testkit import SEED_END, tq

import sql
from resolvers.insights_models import CHURN_HORIZON_DAYS, CHURN_LOOKBACK_DAYS

GQL = Callable[..., Any]

SET = """mutation($id: ID!, $c: ConsentInput!) {
  setCustomerConsent(customerId: $id, consent: $c) { marketing profiling surveys } }"""


async def test_generator_records_no_survey_without_consent(owner: asyncpg.Connection) -> None:
    assert await owner.fetchval(tq("privacy_survey_without_consent")) == 0


async def test_database_refuses_a_survey_without_consent(owner: asyncpg.Connection) -> None:
    refusing = await owner.fetchrow(tq("privacy_customer_by_consent"), False, True, 0)
    consenting = await owner.fetchrow(tq("privacy_customer_by_consent"), True, True, 0)
    assert refusing is not None and consenting is not None
    with pytest.raises(asyncpg.CheckViolationError, match="has not consented to surveys"):
        async with owner.transaction():
            await owner.fetchval(tq("privacy_insert_survey"), refusing["ticket_id"])
    tx = owner.transaction()
    await tx.start()
    try:
        assert await owner.fetchval(tq("privacy_insert_survey"), consenting["ticket_id"])
    finally:
        await tx.rollback()


async def test_no_scores_for_customers_who_object_to_profiling(owner: asyncpg.Connection) -> None:
    objecting = await owner.fetchrow(tq("privacy_customer_by_consent"), True, False, 0)
    agreeing = await owner.fetchrow(tq("privacy_customer_by_consent"), True, True, 0)
    assert objecting is not None and agreeing is not None
    tx = owner.transaction()
    await tx.start()
    try:
        assert await owner.fetchval(tq("privacy_insert_score"), objecting["id"], "t") == 0
        assert await owner.fetchval(tq("privacy_insert_score"), agreeing["id"], "t") == 1
        assert await owner.fetchval(tq("privacy_scores_without_consent")) == 0
    finally:
        await tx.rollback()
    hooks = await owner.fetchrow(tq("privacy_profiling_allowed"), objecting["id"])
    assert hooks["profiling"] is False
    assert (await owner.fetchrow(tq("privacy_profiling_allowed"), agreeing["id"]))["profiling"]


async def test_consent_change_is_audited_and_visible(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    customer = await owner.fetchrow(tq("privacy_customer_with_consent"), True, True, 7)
    assert customer is not None
    cid = str(customer["id"])
    body = await asyncio.to_thread(
        gql, SET, {"id": cid, "c": {"marketing": True, "surveys": False}}, token_of("dpo")
    )
    assert body["data"]["setCustomerConsent"] == {
        "marketing": True,
        "profiling": True,
        "surveys": False,
    }
    row = next(
        r
        for r in await owner.fetch(tq("privacy_audit_rows"), "consent_change")
        if r["customer_id"] == customer["id"]
    )
    details = json.loads(row["details"])
    assert details["after"] == {"marketing": True, "analytics": True, "surveys": False}
    assert details["before"]["surveys"] is True and row["actor_role"] == "dpo"
    seen = await asyncio.to_thread(
        gql,
        "query($id: ID!) { customer(id: $id) { consent { marketing profiling surveys } } }",
        {"id": cid},
        token_of("manager"),
    )
    assert seen["data"]["customer"]["consent"] == {
        "marketing": True,
        "profiling": True,
        "surveys": False,
    }
    refused = await asyncio.to_thread(
        gql, SET, {"id": cid, "c": {"marketing": False}}, token_of("manager")
    )
    assert "admin and dpo" in refused["errors"][0]["message"]


async def test_withdrawing_profiling_deletes_the_customers_scores(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    customer = await owner.fetchrow(tq("privacy_customer_with_ticket"), True, 3)
    assert customer is not None
    model = "test-withdrawal"
    assert (
        await owner.fetchval(
            tq("privacy_plant_scores"), customer["id"], customer["ticket_id"], model
        )
        == 3
    )
    try:
        body = await asyncio.to_thread(
            gql, SET, {"id": str(customer["id"]), "c": {"profiling": False}}, token_of("dpo")
        )
        assert body["data"]["setCustomerConsent"]["profiling"] is False, body
        left = await owner.fetch(tq("privacy_scores_by_model"), model)
        # the customer's churn score and their ticket's satisfaction risk are gone; the
        # organisation-level forecast (no customer, no ticket) stays
        assert [(r["prediction_type"], r["customer_id"], r["ticket_id"]) for r in left] == [
            ("csat", None, None)
        ]
        assert await owner.fetchval(tq("privacy_scores_without_consent")) == 0
        row = next(
            r
            for r in await owner.fetch(tq("privacy_audit_rows"), "consent_change")
            if r["customer_id"] == customer["id"]
        )
        details = json.loads(row["details"])
        assert details["scores_deleted"] == 2 and details["after"]["analytics"] is False
        assert row["actor_role"] == "dpo"
        # new scores of the objecting customer, of any type, are not stored either
        assert (
            await owner.fetchval(
                tq("privacy_plant_scores"), customer["id"], customer["ticket_id"], model + "-2"
            )
            == 1
        )
    finally:
        await owner.execute(tq("privacy_restore_consent"), customer["id"], True)
        await owner.execute(tq("privacy_delete_scores_by_model"), model)
        await owner.execute(tq("privacy_delete_scores_by_model"), model + "-2")


async def test_upsell_features_leave_out_clients_refusing_marketing(
    owner: asyncpg.Connection,
) -> None:
    """The exclusion is in the SQL that feeds the upsell rule, not only in Python."""
    allowed = {r["id"]: r["allowed"] for r in await owner.fetch(tq("privacy_marketing_flags"))}
    args = (SEED_END, CHURN_LOOKBACK_DAYS, CHURN_HORIZON_DAYS, None)
    every = [r["customer_id"] for r in await owner.fetch(sql.load("insights_vip_features"), *args)]
    fed = [r["customer_id"] for r in await owner.fetch(sql.load("insights_upsell_features"), *args)]
    refusing = [c for c in every if not allowed[c]]
    assert refusing, "the seed should hold VIP clients who refuse marketing"
    assert sorted(fed) == sorted(c for c in every if allowed[c])
