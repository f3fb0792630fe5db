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
from testkit import tq

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
