"""Alerts, predictions, incidents and quality root fields through the real API.

Expectations come from the raw rows read as the database owner (who bypasses RLS); who may see
what is restated in Python from the wording of the policies in 20261125000200_rls_policies.sql.
The seed has no alerts or predictions (an alerting engine and forecasts produce them), so this
module inserts its own rows as the owner (``tests/queries/ops_insert_test_*.sql``, marked
``test-ops``) and removes them afterwards; expectations cover every row in the tables.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from testkit import SEED_END, tq

GQL = Callable[..., dict[str, Any]]
Token = Callable[..., str]
Users = dict[str, list[uuid.UUID]]

VALUE_TOL = 1e-9
ALERT_FIELDS = "id type severity status dedupKey details raisedAt team { id } agent { id }"
ALERTS_Q = f"""query($first: Int!, $after: String, $s: [AlertStatus!], $v: [Severity!]) {{
  alerts(first: $first, after: $after, status: $s, severity: $v) {{ totalCount
    edges {{ node {{ {ALERT_FIELDS} ticket {{ id }} }} }} pageInfo {{ hasNextPage endCursor }} }}
}}"""
ALERT_Q = "query($id: ID!) { alert(id: $id) { id agent { id } } }"
PRED_Q = """query($type: PredictionType!, $f: DateTime, $t: DateTime) {
  predictions(type: $type, from: $f, to: $t) {
    id type targetStart predictedValue lower80 upper95 customer { id } } }"""
INC_Q = """query($f: DateTime, $t: DateTime) {
  incidents(from: $f, to: $t) { id kind startsAt endsAt scope magnitude } }"""
QA_Q = """query($f: DateTime!, $t: DateTime!) {
  qaEvaluations(from: $f, to: $t) { id evaluatedAt score agent { id } } }"""
TRAIN_Q = """query($f: DateTime!, $t: DateTime!, $s: [TrainingStatus!]) {
  trainingRecords(from: $f, to: $t, status: $s) { id status assignedAt } }"""
Q_START = SEED_END - timedelta(days=399)
Q_END = SEED_END + timedelta(days=1)


def owner(dsn: str, name: str, *args: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(dsn)
        try:
            return [dict(r) for r in await conn.fetch(tq(name), *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module", autouse=True)
def test_rows(seeded_dsn: str) -> Iterator[None]:
    """257 alerts and a set of predictions of every type, present for this module only."""
    owner(seeded_dsn, "ops_insert_test_alerts", 257, SEED_END)
    owner(seeded_dsn, "ops_insert_test_predictions", SEED_END)
    try:
        yield
    finally:
        owner(seeded_dsn, "ops_delete_test_alerts")
        owner(seeded_dsn, "ops_delete_test_predictions")


def ok(graphql: GQL, query: str, variables: dict[str, Any], token: str | None) -> Any:
    body = graphql(query, variables, token)
    assert "errors" not in body, body["errors"]
    return body["data"]


def error_of(graphql: GQL, query: str, variables: dict[str, Any], token: str | None) -> str:
    body = graphql(query, variables, token)
    assert body.get("errors"), body
    message: str = body["errors"][0]["message"]
    return message


def all_alerts(graphql: GQL, token: str, **filters: Any) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"first": 100, "after": after, **filters}
        page = ok(graphql, ALERTS_Q, variables, token)["alerts"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [str(r["id"]) for r in rows]


def opt(value: Any) -> str | None:
    return None if value is None else str(value)


# --- alerts -------------------------------------------------------------------------------------


def test_alerts_match_raw_rows(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = owner(seeded_dsn, "owner_ops_alerts")
    assert raw, "the seed has no alerts"
    nodes, total = all_alerts(graphql, make_token("manager"))
    assert total == len(raw)
    assert ids(nodes) == ids(raw)  # newest first, ties by id, no skips or repeats across pages
    for g, r in zip(nodes, raw, strict=True):
        assert (g["type"], g["severity"], g["status"]) == (
            r["alert_type"].upper(),
            r["severity"].upper(),
            r["status"].upper(),
        )
        assert g["dedupKey"] == r["dedup_key"]
        assert g["details"] == json.loads(r["details"])
        assert datetime.fromisoformat(g["raisedAt"]) == r["raised_at"]
        assert (g["team"] or {}).get("id") == opt(r["team_id"])
        assert (g["agent"] or {}).get("id") == opt(r["agent_id"])
        assert (g["ticket"] or {}).get("id") == opt(r["ticket_id"])


def test_alert_filters(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = owner(seeded_dsn, "owner_ops_alerts")
    filters = {"s": ["OPEN", "ACKNOWLEDGED"], "v": ["CRITICAL", "WARNING"]}
    nodes, total = all_alerts(graphql, make_token("analyst"), **filters)
    want = [
        r
        for r in raw
        if r["status"] in ("open", "acknowledged") and r["severity"] in ("critical", "warning")
    ]
    assert ids(nodes) == ids(want)
    assert total == len(want)


def test_agent_sees_only_own_alerts(
    graphql: GQL, make_token: Token, seeded_dsn: str, users_by_role: Users
) -> None:
    raw = owner(seeded_dsn, "owner_ops_alerts")
    agent_of = {r["user_id"]: r["agent_id"] for r in owner(seeded_dsn, "owner_ops_agent_users")}
    per_agent = Counter(r["agent_id"] for r in raw)
    users = users_by_role["agent"]
    index = max(range(len(users)), key=lambda i: per_agent[agent_of.get(users[i])])
    me = agent_of[users[index]]
    token = make_token("agent", index)
    nodes, total = all_alerts(graphql, token)
    want = [r for r in raw if r["agent_id"] == me]
    assert want, "no agent with a user has alerts"
    assert ids(nodes) == ids(want)
    assert total == len(want)
    others = [r for r in raw if r["agent_id"] != me]
    if others:
        assert ok(graphql, ALERT_Q, {"id": str(others[0]["id"])}, token)["alert"] is None
    if want:
        got = ok(graphql, ALERT_Q, {"id": str(want[0]["id"])}, token)["alert"]
        assert got == {"id": str(want[0]["id"]), "agent": {"id": str(me)}}


def test_team_lead_sees_team_alerts(
    graphql: GQL, make_token: Token, seeded_dsn: str, users_by_role: Users
) -> None:
    raw = owner(seeded_dsn, "owner_ops_alerts")
    team = owner(seeded_dsn, "owner_viewer_identity", users_by_role["team_lead"][0])[0]["team_id"]
    want = [r for r in raw if team is not None and team in (r["team_id"], r["agent_team_id"])]
    assert want, "the team lead's team has no alerts"
    nodes, total = all_alerts(graphql, make_token("team_lead"))
    assert ids(nodes) == ids(want)
    assert total == len(want)


def test_alert_page_arguments(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    token = make_token("manager")
    n = len(owner(seeded_dsn, "owner_ops_alerts"))
    empty = ok(graphql, ALERTS_Q, {"first": 0}, token)["alerts"]
    assert (empty["edges"], empty["totalCount"]) == ([], n)
    too_many = error_of(graphql, ALERTS_Q, {"first": 501}, token)
    assert "first must be between 0 and 500" in too_many
    assert "malformed cursor" in error_of(graphql, ALERTS_Q, {"first": 5, "after": "xyz"}, token)
    assert "not a valid id" in error_of(graphql, ALERT_Q, {"id": "abc"}, token)


# --- predictions and incidents ------------------------------------------------------------------


def check_predictions(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert ids(got) == ids(want)
    for g, r in zip(got, want, strict=True):
        assert abs(g["predictedValue"] - float(r["predicted_value"])) <= VALUE_TOL
        assert (g["customer"] or {}).get("id") == opt(r["customer_id"])
        for key, col in (("lower80", "lower_80"), ("upper95", "upper_95")):
            assert g[key] == (None if r[col] is None else pytest.approx(float(r[col])))


@pytest.mark.parametrize("kind", ["volume", "csat", "churn_risk", "staffing"])
def test_predictions_match_raw_rows(
    graphql: GQL, make_token: Token, seeded_dsn: str, kind: str
) -> None:
    raw = owner(seeded_dsn, "owner_ops_predictions", kind)
    assert raw, f"no {kind} predictions"
    variables = {"type": kind.upper()}
    check_predictions(ok(graphql, PRED_Q, variables, make_token("manager"))["predictions"], raw)
    lead = ok(graphql, PRED_Q, variables, make_token("team_lead"))["predictions"]
    check_predictions(lead, [r for r in raw if r["customer_id"] is None])
    assert ok(graphql, PRED_Q, variables, make_token("agent"))["predictions"] == []
    starts = sorted({r["target_start"] for r in raw})
    if len(starts) >= 3:  # a window: target starts in [from, to)
        lo, hi = starts[len(starts) // 3], starts[2 * len(starts) // 3]
        variables = {"type": kind.upper(), "f": lo.isoformat(), "t": hi.isoformat()}
        windowed = ok(graphql, PRED_Q, variables, make_token("analyst"))["predictions"]
        check_predictions(windowed, [r for r in raw if lo <= r["target_start"] < hi])


def test_incidents(graphql: GQL, make_token: Token, seeded_dsn: str) -> None:
    raw = owner(seeded_dsn, "owner_ops_incidents")
    assert raw, "the seed has no incidents"
    got = ok(graphql, INC_Q, {}, make_token("manager"))["incidents"]
    assert ids(got) == ids(raw)
    for g, r in zip(got, raw, strict=True):
        assert g["kind"] == r["kind"].upper()
        assert g["scope"] == json.loads(r["scope"])
        assert abs(g["magnitude"] - float(r["magnitude"])) <= VALUE_TOL
    lo, hi = raw[0]["ends_at"] - timedelta(seconds=1), raw[-1]["starts_at"]
    variables = {"f": lo.isoformat(), "t": hi.isoformat()}
    windowed = ok(graphql, INC_Q, variables, make_token("analyst"))["incidents"]
    assert ids(windowed) == ids([r for r in raw if r["starts_at"] < hi and r["ends_at"] > lo])
    assert ok(graphql, INC_Q, {}, make_token("agent"))["incidents"] == []
    assert ok(graphql, INC_Q, {}, make_token("team_lead"))["incidents"] == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"f": "2026-02-01T00:00:00Z", "t": "2026-01-01T00:00:00Z"}, "must be after 'from'"),
        ({"f": "2024-01-01T00:00:00Z", "t": "2026-01-01T00:00:00Z"}, "at most 400 days"),
        ({"f": "2026-01-01T00:00:00"}, "'from' needs a timezone"),
    ],
)
def test_prediction_window_errors(
    graphql: GQL, make_token: Token, variables: dict[str, Any], message: str
) -> None:
    token = make_token("manager")
    assert message in error_of(graphql, PRED_Q, {"type": "VOLUME", **variables}, token)
    assert message in error_of(graphql, INC_Q, variables, token)


# --- quality ------------------------------------------------------------------------------------


def test_qa_evaluations_and_training(
    graphql: GQL, make_token: Token, seeded_dsn: str, users_by_role: Users
) -> None:
    window = {"f": Q_START.isoformat(), "t": Q_END.isoformat()}
    evals = [
        r
        for r in owner(seeded_dsn, "owner_ops_qa_evaluations")
        if Q_START <= r["evaluated_at"] < Q_END
    ]
    assert evals, "the seed has no qa evaluations in the window"
    evals.sort(key=lambda r: (r["evaluated_at"], r["id"]), reverse=True)
    got = ok(graphql, QA_Q, window, make_token("manager"))["qaEvaluations"]
    assert ids(got) == ids(evals)
    assert all(g["score"] == float(r["score"]) for g, r in zip(got, evals, strict=True))

    me = owner(seeded_dsn, "owner_viewer_identity", users_by_role["agent"][0])[0]["agent_id"]
    mine = ok(graphql, QA_Q, window, make_token("agent"))["qaEvaluations"]
    assert ids(mine) == ids([r for r in evals if r["agent_id"] == me])

    training = [
        r
        for r in owner(seeded_dsn, "owner_ops_training_records")
        if Q_START <= r["assigned_at"] < Q_END and r["status"] == "completed"
    ]
    training.sort(key=lambda r: (r["assigned_at"], r["id"]), reverse=True)
    got_t = ok(graphql, TRAIN_Q, {**window, "s": ["COMPLETED"]}, make_token("analyst"))
    assert ids(got_t["trainingRecords"]) == ids(training)
