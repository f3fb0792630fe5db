"""Operations root fields (queues, automation, finances) through the real API.

Every expectation is computed independently from the raw rows read as the database owner (who
bypasses RLS): ratios are recomputed with pandas from the stored counts, visibility is restated
in Python from the policy's wording. Ratio tolerance: 1e-12 absolute (both sides divide the same
integers in float64). Money tolerance: 1e-9 relative (the API divides Decimals, pandas floats).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pandas as pd
import pytest
from testkit import SEED_DAYS, SEED_END, tq

GQL = Callable[..., dict[str, Any]]
Token = Callable[..., str]

RATIO_TOL = 1e-12
MONEY_REL_TOL = 1e-9
START = SEED_END - timedelta(days=SEED_DAYS + 5)
END = SEED_END + timedelta(days=2)
DAY_FROM, DAY_TO = START.date().isoformat(), END.date().isoformat()

QUEUE_FIELDS = """queue bucketStart intervalSeconds offered answered answeredWithinThreshold
  abandoned abandonedAfterThreshold thresholdSeconds avgWaitSeconds longestWaitSeconds
  queueDepth agentsAvailable agentsStaffed ahtSeconds serviceLevel abandonmentRate"""
QUEUE_Q = f"""query($f: DateTime!, $t: DateTime!, $q: [Queue!]) {{
  queueMetrics(from: $f, to: $t, queue: $q) {{ {QUEUE_FIELDS} }} }}"""
AUTO_Q = """query($f: Date!, $t: Date!, $a: [AutomationType!], $c: [Channel!]) {
  automationMetrics(from: $f, to: $t, automationType: $a, channel: $c) {
    date automationType channel contactsHandled contained escalated containmentRate
    escalationRate costSaved } }"""
FIN_Q = """query($f: Date!, $t: Date!, $team: [ID!]) {
  financialMetrics(from: $f, to: $t, teamId: $team) {
    date ticketsHandled laborCost toolingCost totalCost costPerTicket team { id name } } }"""


def owner(dsn: str, name: str, *args: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(dsn)
        try:
            return [dict(r) for r in await conn.fetch(tq(name), *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def ok(graphql: GQL, query: str, variables: dict[str, Any], token: str | None) -> Any:
    body = graphql(query, variables, token)
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_of(graphql: GQL, query: str, variables: dict[str, Any], token: str | None) -> str:
    body = graphql(query, variables, token)
    assert body.get("errors"), body
    message: str = body["errors"][0]["message"]
    return message


def close(got: float | None, want: float | None, *, rel: float = 0.0) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None
    return got is not None and math.isclose(got, want, rel_tol=rel, abs_tol=RATIO_TOL)


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num ÷ den with NaN where den is 0 (the API's null)."""
    return num.astype(float) / den.astype(float).where(den != 0)


def viewer_ids(dsn: str, user_id: uuid.UUID) -> tuple[Any, Any]:
    row = owner(dsn, "owner_viewer_identity", user_id)[0]
    return row["agent_id"], row["team_id"]


# --- queues -------------------------------------------------------------------------------------


def test_queue_metrics_match_raw_rows(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = pd.DataFrame(owner(seeded_dsn, "owner_ops_queue_metrics", START, END))
    assert len(raw), "the seed has no queue metrics in the window"
    variables = {"f": START.isoformat(), "t": END.isoformat()}
    got = ok(graphql, QUEUE_Q, variables, make_token("manager"))["queueMetrics"]
    assert len(got) == len(raw)
    sl = ratio(raw.answered_within_threshold, raw.answered + raw.abandoned_after_threshold)
    ab = ratio(raw.abandoned, raw.offered)
    for i, g in enumerate(got):
        r = raw.iloc[i]
        assert (g["queue"].lower(), ts(g["bucketStart"])) == (r.queue, r.bucket_start)
        assert (g["offered"], g["answered"], g["abandoned"]) == (r.offered, r.answered, r.abandoned)
        assert g["answeredWithinThreshold"] == r.answered_within_threshold
        assert g["abandonedAfterThreshold"] == r.abandoned_after_threshold
        assert g["avgWaitSeconds"] == float(r.avg_wait_seconds)
        assert close(g["serviceLevel"], sl.iloc[i]), (g, r)
        assert close(g["abandonmentRate"], ab.iloc[i]), (g, r)
    starts = [ts(g["bucketStart"]) for g in got]
    assert starts == sorted(starts)
    # the ratios are real proportions somewhere, not all null
    assert any(g["serviceLevel"] is not None for g in got)


def test_queue_filter(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = owner(seeded_dsn, "owner_ops_queue_metrics", START, END)
    variables = {"f": START.isoformat(), "t": END.isoformat(), "q": ["CHAT", "VIP"]}
    got = ok(graphql, QUEUE_Q, variables, make_token("agent"))["queueMetrics"]
    assert {g["queue"] for g in got} <= {"CHAT", "VIP"}
    assert len(got) == sum(r["queue"] in ("chat", "vip") for r in raw)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-01-01T00:00:00Z", "2026-04-04T00:00:01Z", "at most 93 days"),
        ("2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", "'to' must be after 'from'"),
        ("2026-01-01T00:00:00", "2026-01-02T00:00:00Z", "'from' needs a timezone"),
        ("2026-01-01T00:00:00Z", "2026-01-02T00:00:00", "'to' needs a timezone"),
    ],
)
def test_queue_window_errors(
    graphql: GQL, make_token: Token, start: str, end: str, message: str
) -> None:
    assert message in error_of(graphql, QUEUE_Q, {"f": start, "t": end}, make_token("manager"))


# --- automation -----------------------------------------------------------------------------


def test_automation_metrics_match_raw_rows(
    graphql: GQL, make_token: Token, seeded_dsn: str
) -> None:
    raw = pd.DataFrame(owner(seeded_dsn, "owner_ops_automation_metrics", START.date(), END.date()))
    assert len(raw), "the seed has no automation metrics in the window"
    got = ok(graphql, AUTO_Q, {"f": DAY_FROM, "t": DAY_TO}, make_token("analyst"))
    rows = got["automationMetrics"]
    assert len(rows) == len(raw)
    contain = ratio(raw.contained, raw.contacts_handled)
    escalate = ratio(raw.escalated, raw.contacts_handled)
    for i, g in enumerate(rows):
        r = raw.iloc[i]
        key = (g["date"], g["automationType"].lower(), g["channel"].lower())
        assert key == (r.metric_date.isoformat(), r.automation_type, r.channel)
        assert close(g["containmentRate"], contain.iloc[i])
        assert close(g["escalationRate"], escalate.iloc[i])
        assert g["costSaved"] == float(r.cost_saved)

    variables = {"f": DAY_FROM, "t": DAY_TO, "a": ["CHATBOT"], "c": ["CHAT"]}
    some = ok(graphql, AUTO_Q, variables, make_token("agent"))["automationMetrics"]
    want = raw[(raw.automation_type == "chatbot") & (raw.channel == "chat")]
    assert len(some) == len(want)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-02-01", "2026-01-31", "'to' must not be before 'from'"),
        ("2025-01-01", "2026-02-05", "at most 400 days"),
    ],
)
def test_daily_range_errors(
    graphql: GQL, make_token: Token, start: str, end: str, message: str
) -> None:
    token = make_token("manager")
    assert message in error_of(graphql, AUTO_Q, {"f": start, "t": end}, token)
    assert message in error_of(graphql, FIN_Q, {"f": start, "t": end}, token)


# --- finances -------------------------------------------------------------------------------


def test_financial_metrics_match_raw_rows(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = pd.DataFrame(owner(seeded_dsn, "owner_ops_financial_metrics", START.date(), END.date()))
    assert len(raw), "the seed has no financial metrics in the window"
    labor = raw.labor_cost.map(float)
    total = labor + raw.tooling_cost.map(float)
    per_ticket = total / raw.tickets_handled.astype(float).where(raw.tickets_handled != 0)
    got = ok(graphql, FIN_Q, {"f": DAY_FROM, "t": DAY_TO}, make_token("manager"))
    rows = got["financialMetrics"]
    assert len(rows) == len(raw)
    for i, g in enumerate(rows):
        r = raw.iloc[i]
        assert g["date"] == r.metric_date.isoformat()
        assert g["laborCost"] == float(r.labor_cost)
        assert close(g["totalCost"], total.iloc[i], rel=MONEY_REL_TOL)
        assert close(g["costPerTicket"], per_ticket.iloc[i], rel=MONEY_REL_TOL)
        want_team = None if r.team_id is None else {"id": str(r.team_id), "name": r.team_name}
        assert g["team"] == want_team
    # hand check of one row, to the cent
    first = raw.iloc[0]
    assert rows[0]["totalCost"] == float(Decimal(first.labor_cost) + Decimal(first.tooling_cost))

    team = next(t for t in raw.team_id if t is not None)
    one = ok(
        graphql, FIN_Q, {"f": DAY_FROM, "t": DAY_TO, "team": [str(team)]}, make_token("manager")
    )
    assert len(one["financialMetrics"]) == int((raw.team_id == team).sum())
    assert {g["team"]["id"] for g in one["financialMetrics"]} == {str(team)}


@pytest.mark.parametrize(
    ("role", "sees"),
    [("agent", False), ("team_lead", False), ("analyst", True), ("executive", True)],
)
def test_financial_visibility(
    graphql: GQL, make_token: Token, seeded_dsn: str, role: str, sees: bool
) -> None:
    n = len(owner(seeded_dsn, "owner_ops_financial_metrics", START.date(), END.date()))
    got = ok(graphql, FIN_Q, {"f": DAY_FROM, "t": DAY_TO}, make_token(role))["financialMetrics"]
    assert len(got) == (n if sees else 0)
