"""Erasure reaches the gateways' memory: events about the customer's tickets waiting in a real
websocket subscription's queues (one of them in flight, blocked while it reads a nested field),
the statistics result cache, and download links made before the erasure. The customer is erased
through a direct database session (like the CLI, or another gateway process), so what the
gateway drops it learns from the erasure event in the change log, as every process does."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from testkit import SEED_END, tq

from gateway.realtime.erasure import WITHHELD
from resolvers.statistics_data import CACHE

GQL = Callable[..., dict[str, Any]]

FEED = """subscription { ticketChanged {
  seq ticketId ticket { subject customer { name email phone } category { name } } } }"""
TREND = """query($from: DateTime!, $to: DateTime!) {
  trend(kpi: "ticket_volume", granularity: DAY, window: {from: $from, to: $to}) { method } }"""
EXPORT = """mutation($ids: [ID!]) {
  exportTickets(format: CSV, filter: {customerId: $ids}) { url rows } }"""
SUBJECT_ACCESS = "mutation($id: ID!) { exportCustomerData(customerId: $id) { downloadPath } }"


async def _stats(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        body: dict[str, Any] = (await client.get(url + "/realtime/stats")).json()
        return body


async def _until(url: str, key: str, at_least: int) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while (stats := await _stats(url)).get(key, 0) < at_least:
        assert time.monotonic() < deadline, f"{key} stayed below {at_least}: {stats}"
        await asyncio.sleep(0.05)
    return stats


async def _frames(ws: Any, seconds: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), left))
        except TimeoutError:
            break
        if message["type"] in ("next", "data"):
            out.append(message)
    return out


@pytest.mark.parametrize(
    ("protocol", "picks"),
    [("graphql-transport-ws", (4, 7)), ("graphql-ws", (13, 14))],
    ids=["shared stream", "own pipeline (legacy protocol)"],
)
async def test_erasure_scrubs_queued_events_caches_and_downloads(
    protocol: str,
    picks: tuple[int, int],
    privacy_live_url: str,
    token_of: Callable[..., str],
    owner: asyncpg.Connection,
    privacy_dsn: str,
) -> None:
    customer = (await owner.fetch(tq("privacy_pick_customer"), picks[0]))[0]
    other = (await owner.fetch(tq("privacy_pick_customer"), picks[1]))[0]
    erasures = (await _stats(privacy_live_url))["erasures"]
    mine = [r["id"] for r in await owner.fetch(tq("privacy_customer_tickets"), customer["id"])]
    theirs = (await owner.fetch(tq("privacy_customer_tickets"), other["id"]))[0]["id"]
    name, email = customer["full_name"], customer["email"]
    manager, dpo = token_of("manager"), token_of("dpo")
    headers = {"Authorization": f"Bearer {manager}"}

    # before the erasure: a download link about the customer, a subject-access link, a cache entry
    async with httpx.AsyncClient(base_url=privacy_live_url, timeout=60) as http:
        post = {"query": EXPORT, "variables": {"ids": [str(customer["id"])]}}
        link = (await http.post("/graphql", json=post, headers=headers)).json()
        url = link["data"]["exportTickets"]["url"]
        before = (await http.get(url, headers=headers)).text
        assert name in before and email in before  # the export names the customer
        post = {"query": SUBJECT_ACCESS, "variables": {"id": str(customer["id"])}}
        access = await http.post("/graphql", json=post, headers={"Authorization": f"Bearer {dpo}"})
        access_path = access.json()["data"]["exportCustomerData"]["downloadPath"]
        window = {"from": SEED_END.replace(day=1).isoformat(), "to": SEED_END.isoformat()}
        trend = {"query": TREND, "variables": window}
        for _ in range(2):
            assert "errors" not in (await http.post("/graphql", json=trend, headers=headers)).json()
        hits = CACHE.hits
        assert hits >= 1  # the second read was a hit

    ws = await websockets.connect(
        privacy_live_url.replace("http://", "ws://") + "/graphql",
        subprotocols=[protocol],  # type: ignore[list-item]
    )
    blocker = await asyncpg.connect(privacy_dsn)
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": headers}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        start = "subscribe" if protocol == "graphql-transport-ws" else "start"
        await ws.send(json.dumps({"id": "1", "type": start, "payload": {"query": FEED}}))
        stats = await _until(privacy_live_url, "subscriptions", 1)
        delivered = stats["delivered"]

        # the stream's first event blocks on a nested field (categories locked), so the next
        # ones wait in the hub's queue
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute(tq("lock_table", table="support_categories"))
        await owner.execute(tq("privacy_set_subject"), mine[0], f"first, from {name}")
        await _until(privacy_live_url, "delivered", delivered + 1)
        await asyncio.sleep(0.3)  # the stream has taken it and is executing it
        await owner.execute(tq("privacy_set_subject"), theirs, "another customer's ticket")
        await owner.execute(tq("privacy_set_subject"), mine[1], f"second, from {email}")
        await _until(privacy_live_url, "delivered", delivered + 3)

        await owner.fetchval(tq("privacy_erase"), customer["id"], "art. 17, memory test")
        stats = await _until(privacy_live_url, "erasures", erasures + 1)
        assert stats["scrubbedEvents"] >= 1  # the second event of the customer, still queued
        await tx.rollback()
        frames = await _frames(ws, 4.0)
    finally:
        await blocker.close()
        await ws.close()

    changes = [f["payload"]["data"]["ticketChanged"] for f in frames if f["payload"]["data"]]
    withheld = [f["payload"] for f in frames if not f["payload"]["data"]]
    text = json.dumps(frames)
    terms = [t for t in (name, email, customer["phone"]) if t]
    assert [t for t in terms if t in text] == []
    # the other customer's change arrived, untouched; of the customer's, only the erasure's own
    # redactions (the two changes from before it, one in flight, one queued, were dropped)
    assert [c["ticket"]["subject"] for c in changes if c["ticketId"] == str(theirs)] == [
        "another customer's ticket"
    ]
    mine_seen = [c for c in changes if int(c["ticketId"]) in mine]
    assert sorted(c["ticket"]["subject"] for c in mine_seen) == [
        "first, from [redacted]",
        "second, from [redacted]",
    ]
    assert all(c["ticket"]["customer"]["email"] is None for c in mine_seen)
    # the change that was being executed when the erasure arrived: a shared stream skips its
    # frame, a subscription's own pipeline sends it withheld
    expected = [] if protocol == "graphql-transport-ws" else [{"data": None, "errors": [WITHHELD]}]
    assert [
        {"data": w["data"], "errors": [e["message"] for e in w["errors"]]} for w in withheld
    ] == expected

    # the statistics cache does not answer from before; the links give nothing of the customer
    async with httpx.AsyncClient(base_url=privacy_live_url, timeout=60) as http:
        assert "errors" not in (await http.post("/graphql", json=trend, headers=headers)).json()
        assert CACHE.hits == hits
        after = (await http.get(url, headers=headers)).text
        assert after.count("\n") == before.count("\n")  # same tickets, anonymous now
        assert name not in after and email not in after
        assert (await http.get(access_path)).status_code in (404, 410)
