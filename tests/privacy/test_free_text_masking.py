"""Analysts see no free text: every catalog column classed ``free_text`` is either masked for
analysts through the API (checked here against a manager's view of the same rows) or exempted
below with the reason. A column newly classed ``free_text`` fails this test until it is one of
the two."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from testkit import tq

GQL = Callable[..., Any]

TICKETS = (
    "{ tickets(first: 20) { nodes { id subject tags interactions(last: 3) { body bodyMasked } } } }"
)
QA = """query($from: DateTime!, $to: DateTime!) {
  qaEvaluations(from: $from, to: $to) { id feedback } }"""

#: catalog free_text columns shown to analysts nowhere or masked by row level security
MASKED_BY_RLS = {"support_interaction_bodies.body"}
#: catalog free_text columns with the reason they are not masked for analysts
EXEMPT = {
    "support_alerts.title": "written by the alerting engine from metrics, never client text",
    "support_alerts.message": "written by the alerting engine from metrics, never client text",
}
PROBED = {"support_tickets.subject", "support_tickets.tags", "support_qa_evaluations.feedback"}


async def test_every_free_text_column_is_masked_or_exempted(owner: asyncpg.Connection) -> None:
    columns = {r["col"] for r in await owner.fetch(tq("privacy_free_text_columns"))}
    assert columns == PROBED | MASKED_BY_RLS | set(EXEMPT)


async def test_analysts_see_no_free_text(
    gql: GQL, token_of: Callable[..., str], owner: asyncpg.Connection
) -> None:
    manager = (await asyncio.to_thread(gql, TICKETS, None, token_of("manager")))["data"]
    analyst = (await asyncio.to_thread(gql, TICKETS, None, token_of("analyst")))["data"]
    m_nodes, a_nodes = manager["tickets"]["nodes"], analyst["tickets"]["nodes"]
    assert [n["id"] for n in a_nodes] == [n["id"] for n in m_nodes]
    assert all(n["subject"] != "[masked]" for n in m_nodes)
    assert all(n["subject"] == "[masked]" and n["tags"] == [] for n in a_nodes)
    assert all(i["body"] is None and i["bodyMasked"] for n in a_nodes for i in n["interactions"])

    when = datetime(2030, 1, 1, tzinfo=UTC)
    await owner.execute(tq("privacy_plant_feedback"), when)
    window = {"from": when.isoformat(), "to": datetime(2030, 1, 2, tzinfo=UTC).isoformat()}
    m_qa = (await asyncio.to_thread(gql, QA, window, token_of("manager")))["data"]
    a_qa = (await asyncio.to_thread(gql, QA, window, token_of("analyst")))["data"]
    assert [e["feedback"] for e in m_qa["qaEvaluations"]] == ["client was upset about the delay"]
    assert [e["feedback"] for e in a_qa["qaEvaluations"]] == [None]
