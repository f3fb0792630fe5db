"""The generator's status history (synthetic/status_history.py) on the test fixture, read back as
the owner and checked with pandas: a chain from ``new`` ending in each ticket's current status,
consistent with its lifecycle columns, and the hold_delay incident (ground truth) visible as a
larger share of each wait spent on hold."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import numpy as np
import pandas as pd
import pytest
from testkit import SEED_END, tq

from synthetic.conversation import ON_HOLD_LEAVES
from synthetic.reference import LEAF_ID0


def owner_frame(dsn: str, query: str) -> pd.DataFrame:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query)))
        finally:
            await conn.close()

    return pd.DataFrame([dict(r) for r in asyncio.run(run())])


@pytest.fixture(scope="module")
def frames(seeded_dsn: str) -> dict[str, Any]:
    return {
        "history": owner_frame(seeded_dsn, "stats_owner_status_history"),
        "tickets": owner_frame(seeded_dsn, "stats_owner_ticket_lifecycle").set_index("id"),
        "incidents": owner_frame(seeded_dsn, "owner_ops_incidents"),
    }


def test_each_ticket_has_a_chain_from_new_to_its_status(frames: dict[str, Any]) -> None:
    h, tickets = frames["history"], frames["tickets"]
    assert set(h["ticket_id"]) == set(tickets.index)
    first = h.groupby("ticket_id").head(1).set_index("ticket_id")
    assert first["from_status"].isna().all() and (first["to_status"] == "new").all()
    assert (first["changed_at"] == tickets.loc[first.index, "created_at"]).all()
    rest = h[h["ticket_id"].duplicated()]
    previous = h.groupby("ticket_id")["to_status"].shift(1)
    assert (rest["from_status"] == previous[rest.index]).all()
    assert (h["from_status"] != h["to_status"]).all()
    assert (h.groupby("ticket_id")["changed_at"].diff().dropna() >= pd.Timedelta(0)).all()
    assert (h["changed_at"] <= SEED_END).all()
    last = h.groupby("ticket_id").tail(1).set_index("ticket_id")["to_status"]
    assert (last == tickets.loc[last.index, "status"]).all()
    scope = tickets.loc[h["ticket_id"], ["team_id", "assigned_agent_id"]].to_numpy()
    assert (h[["ticket_team_id", "ticket_agent_id"]].to_numpy() == scope).all()


def test_history_agrees_with_the_lifecycle_columns(frames: dict[str, Any]) -> None:
    """The first wait for the customer starts at the first response; solved rows count the
    resolutions (1 + reopenings for a solved ticket)."""
    h, tickets = frames["history"], frames["tickets"]
    waits = h[h["to_status"].isin(["pending", "on_hold"])]
    first_wait = waits.groupby("ticket_id")["changed_at"].min()
    answered = tickets[tickets["first_response_at"].notna()]
    assert (first_wait[answered.index] == answered["first_response_at"]).all()
    solved = h[h["to_status"] == "solved"].groupby("ticket_id").size()
    done = tickets[tickets["status"].isin(["solved", "closed"])]
    assert (solved[done.index] == done["reopen_count"] + 1).all()
    assert set(h["to_status"]) == {"new", "open", "pending", "on_hold", "solved", "closed"}


def _hold_share(h: pd.DataFrame, ids: pd.Index) -> float:
    """Hours on hold / hours waiting for the customer (on hold + pending), completed stays."""
    rows = h[h["ticket_id"].isin(ids)].copy()
    rows["left"] = rows.groupby("ticket_id")["changed_at"].shift(-1)
    rows = rows[rows["left"].notna()]
    hours = (rows["left"] - rows["changed_at"]).dt.total_seconds()
    on_hold = float(hours[rows["to_status"] == "on_hold"].sum())
    pending = float(hours[rows["to_status"] == "pending"].sum())
    return on_hold / (on_hold + pending)


def test_the_hold_delay_incident_keeps_its_tickets_on_hold(frames: dict[str, Any]) -> None:
    """Ground truth (support_incidents): hold tickets of the on-hold categories created in the
    window spend ~magnitude (0.9) of their waits on hold; outside it 0.15-0.45 (mean 0.3).
    Tolerances: at least 0.8 inside, at most 0.5 outside."""
    h, tickets, incidents = frames["history"], frames["tickets"], frames["incidents"]
    (inc,) = incidents[incidents["kind"] == "hold_delay"].itertuples()
    assert float(inc.magnitude) == pytest.approx(0.9)
    held = h[h["to_status"] == "on_hold"]["ticket_id"].unique()
    leaves = tickets["category_id"].isin([LEAF_ID0 + leaf for leaf in ON_HOLD_LEAVES])
    inside = (tickets["created_at"] >= inc.starts_at) & (tickets["created_at"] < inc.ends_at)
    hold = tickets.index.isin(held)
    assert not (hold & ~leaves).any()  # only those categories go on hold
    assert _hold_share(h, tickets.index[hold & inside]) >= 0.8
    assert _hold_share(h, tickets.index[hold & ~inside]) <= 0.5
    share_in = float(np.mean(hold[leaves & inside]))
    share_out = float(np.mean(hold[leaves & ~inside]))
    assert share_in > share_out  # more of them go on hold (0.8 against 0.35)
