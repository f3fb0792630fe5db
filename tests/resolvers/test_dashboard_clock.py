"""The dashboard reads the request's clock, not the wall clock: a backlog asked at a window end
later than the request's ``now`` is taken at that ``now``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from resolver_support import session_as

from resolvers.dashboards import dashboard_kpis

START = datetime(2026, 11, 6, tzinfo=UTC)
MIDDLE = datetime(2026, 11, 13, 9, 30, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)


async def test_the_backlog_is_taken_at_the_request_clock(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        # a request made at MIDDLE asking for [START, END): the backlog is the one at MIDDLE
        asked_early = await dashboard_kpis(s, START, END, now=MIDDLE)
        # the same instant as a window end, seen from a later clock
        at_middle = await dashboard_kpis(s, START, MIDDLE, now=END)
        at_end = await dashboard_kpis(s, START, END, now=END)
    assert asked_early.backlog.at == MIDDLE
    assert asked_early.backlog == at_middle.backlog
    # the clock matters: the backlog at END differs, so the comparison above could fail
    assert at_end.backlog.at == END and at_end.backlog.open != at_middle.backlog.open
    assert asked_early.previous_backlog == at_end.previous_backlog  # START precedes both clocks
