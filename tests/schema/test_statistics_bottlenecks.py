"""rootCause's lifecycle bottlenecks through the API against pandas over the raw rows (tickets
and their status history, as the owner), and the generator's hold_delay incident (ground
truth): over its window against the week before, the on-hold stage is the one whose time grew
most."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from stats_support import GQL, ok, owner_rows

ROOT = """query($from: DateTime!, $to: DateTime!, $cf: DateTime!, $ct: DateTime!) {
  rootCause(kpi: "fcr", window: {from: $from, to: $to}, compareTo: {from: $cf, to: $ct},
            dimensions: [CHANNEL]) {
    bottlenecks { stage n previousN meanHours previousMeanHours growthHours } } }"""


def _hours(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 3600.0


def stage_means(tickets: pd.DataFrame, history: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """(n, mean hours) per stage of ``tickets`` (the SQL's definitions, docs in
    sql/queries/stats_lifecycle_stages.sql), recomputed with pandas."""
    t = tickets
    out: dict[str, tuple[int, float]] = {}

    def span(rows: pd.DataFrame, start: str, end: str) -> tuple[int, float]:
        return len(rows), float(_hours(rows[end] - rows[start]).mean())

    answered = t[t["first_response_at"].notna()]
    out["first_response"] = span(answered, "created_at", "first_response_at")
    progress = answered[answered["first_resolved_at"] >= answered["first_response_at"]]
    out["in_progress"] = span(progress, "first_response_at", "first_resolved_at")
    reopened = t[(t["reopen_count"] > 0) & t["resolved_at"].notna()]
    out["reopened"] = span(reopened, "first_resolved_at", "resolved_at")
    h = history[history["ticket_id"].isin(t.index)].copy()
    h["left"] = h.groupby("ticket_id")["changed_at"].shift(-1)
    h = h[h["left"].notna()]
    h["hours"] = _hours(h["left"] - h["changed_at"])
    for stage, status in (("pending_customer", "pending"), ("on_hold", "on_hold")):
        per_ticket = h[h["to_status"] == status].groupby("ticket_id")["hours"].sum()
        out[stage] = (len(per_ticket), float(per_ticket.mean()) if len(per_ticket) else np.nan)
    return out


def test_bottlenecks_match_pandas_and_the_hold_incident_ranks_first(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    incidents = owner_rows(seeded_dsn, "owner_ops_incidents")
    (inc,) = incidents[incidents["kind"] == "hold_delay"].itertuples()
    start, end = inc.starts_at, inc.ends_at
    before = start - (end - start)
    variables = {"from": start.isoformat(), "to": end.isoformat(),
                 "cf": before.isoformat(), "ct": start.isoformat()}  # fmt: skip
    out = ok(graphql(ROOT, variables, make_token("manager")))["rootCause"]["bottlenecks"]
    assert out[0]["stage"] == "on_hold", out
    assert {b["stage"] for b in out} == {
        "first_response", "in_progress", "pending_customer", "on_hold", "reopened",
    }  # fmt: skip
    tickets = owner_rows(seeded_dsn, "stats_owner_ticket_lifecycle").set_index("id")
    history = owner_rows(seeded_dsn, "stats_owner_status_history")
    now = stage_means(tickets[(tickets["created_at"] >= start) & (tickets["created_at"] < end)],
                      history)  # fmt: skip
    then = stage_means(
        tickets[(tickets["created_at"] >= before) & (tickets["created_at"] < start)], history
    )
    for b in out:
        assert (b["n"], b["previousN"]) == (now[b["stage"]][0], then[b["stage"]][0]), b
        assert b["meanHours"] == pytest.approx(now[b["stage"]][1], rel=1e-9), b
        assert b["previousMeanHours"] == pytest.approx(then[b["stage"]][1], rel=1e-9), b
    growth = {s: now[s][1] - then[s][1] for s in now}
    assert max(growth, key=lambda s: growth[s]) == "on_hold"
