"""What a series request may ask and what it costs: the deprecated first_response_minutes alias,
every invalid request refused before any SQL (zone, window, granularity, bucket count, unknown
KPI, HOUR for daily sources, grouping, scope), row level security, one statement per series.

Data: the hand-built tickets of ``series_handbuilt`` (a database of their own).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from resolver_support import principal
from series_handbuilt import (
    AGENT_A,
    MANAGER,
    PARIS,
    TICKETS,
    USER_A,
    Run,
    expected_by_day,
    handbuilt_database,
    local,
    runner,
    volume,
    z,
)

import analytics.kpi_registry
from gateway.db import Database
from resolvers.buckets import MAX_BUCKETS, Granularity
from resolvers.errors import UserInputError
from resolvers.kpi_series import series
from resolvers.port import Row


@pytest.fixture(scope="module")
async def db(pg_server: str) -> AsyncIterator[Database]:
    async with handbuilt_database(pg_server) as database:
        yield database


@pytest.fixture
def run(db: Database) -> Run:
    return runner(db)


# ---------------------------------------------------------------------------------------------
# median first response per local day, under its registry name and its deprecated alias
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi", ["first_response_time", "first_response_minutes"])
@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2026, 3, 28), date(2026, 4, 1)), (date(2026, 10, 24), date(2026, 10, 28))],
)
async def test_first_response_median_per_local_day(
    run: Run, kpi: str, first: date, last: date
) -> None:
    lo = local(PARIS, first.year, first.month, first.day)
    hi = local(PARIS, last.year, last.month, last.day)
    points = await run(series, kpi, lo, hi, Granularity.DAY, "Europe/Paris")
    minutes: dict[date, list[int]] = defaultdict(list)
    for c, m, _ in TICKETS:
        if lo <= c < hi and m is not None:
            minutes[c.astimezone(PARIS).date()].append(m)
    days = [first + timedelta(days=k) for k in range((last - first).days)]
    assert [p.local_label for p in points] == [d.isoformat() for d in days]
    assert [p.n for p in points] == [len(minutes[d]) for d in days]
    # seconds ÷ 60 in the database: equal to the minutes' median within rounding
    assert [p.value for p in points] == [
        pytest.approx(statistics.median(minutes[d]), rel=1e-12) if minutes[d] else None
        for d in days
    ]
    assert all(p.ci_low is None and p.ci_high is None for p in points)  # a median: no interval


async def test_first_response_by_hand(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    points = await run(series, "first_response_minutes", lo, hi, "DAY", "Europe/Paris")
    # 24th: 5; 25th: 15, 25, 35 (the 02:30 winter-time ticket has no reply); 26th: 45; 27th: none
    assert [(p.n, p.value) for p in points] == [(1, 5.0), (3, 25.0), (1, 45.0), (0, None)]


# ---------------------------------------------------------------------------------------------
# validation happens before any SQL
# ---------------------------------------------------------------------------------------------


class NoSql:
    """A session that fails the test if a statement is sent."""

    statements = 0

    async def fetch(self, query: str, *args: Any) -> Sequence[Row]:
        raise AssertionError("SQL was sent")

    async def fetchrow(self, query: str, *args: Any) -> Row | None:
        raise AssertionError("SQL was sent")

    async def fetchval(self, query: str, *args: Any) -> Any:
        raise AssertionError("SQL was sent")


HOURLESS = "has no HOUR series: {}; use one of DAY, WEEK, MONTH"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"timezone": "Europe/Pariss"}, "did you mean 'Europe/Paris'"),
        ({"timezone": "+02:00"}, "IANA time zone name"),
        ({"timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"window_from": datetime(2026, 3, 1)}, "'from' needs a timezone"),
        ({"window_to": datetime(2026, 3, 2)}, "'to' needs a timezone"),
        ({"window_to": z("2026-03-01T00:00")}, "'to' must be after 'from'"),
        ({"window_to": z("2026-02-01T00:00")}, "'to' must be after 'from'"),
        ({"granularity": "fortnight"}, "expected one of HOUR, DAY, WEEK, MONTH"),
        (
            {"granularity": Granularity.HOUR, "window_to": z("2026-06-01T00:00")},
            f"more than {MAX_BUCKETS} hour buckets",
        ),
        (
            {"kpi": "volume"},
            "unknown KPI 'volume'; valid KPIs: " + ", ".join(analytics.kpi_registry.names()),
        ),
        (
            {"kpi": "utilization", "granularity": "hour"},
            "KPI 'utilization' "
            + HOURLESS.format("its agent figures are daily rows (one per agent and UTC day)"),
        ),
        ({"kpi": "quality_score", "granularity": Granularity.HOUR}, "'quality_score' has no HOUR"),
        ({"kpi": "vip_retention", "granularity": Granularity.HOUR}, "'vip_retention' has no HOUR"),
        (
            {"kpi": "service_level", "group_by": "channel"},
            "KPI 'service_level' cannot be grouped by 'channel'; valid groupings: queue",
        ),
        ({"kpi": "utilization", "group_by": "channel"}, "valid groupings: team, agent"),
        ({"kpi": "fcr", "group_by": "policy"}, "valid groupings: channel, category, priority"),
        ({"kpi": "backlog", "group_by": "queue"}, "'backlog' cannot be grouped by 'queue'"),
        ({"kpi": "vip_retention", "group_by": "channel"}, "valid groupings: vip_tier"),
        ({"kpi": "service_level", "team_id": MANAGER}, "'service_level' is organisation-wide"),
        ({"kpi": "vip_retention", "agent_id": AGENT_A}, "'vip_retention' is organisation-wide"),
    ],
)
async def test_invalid_requests_are_user_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "kpi": "ticket_volume",
        "window_from": z("2026-03-01T00:00"),
        "window_to": z("2026-03-08T00:00"),
        "granularity": Granularity.DAY,
        "timezone": "Europe/Paris",
    }
    args.update(kwargs)
    with pytest.raises(UserInputError, match=re.escape(message)):
        await series(NoSql(), **args)


async def test_errors_name_the_argument() -> None:
    lo, hi = z("2026-03-01T00:00"), z("2026-03-08T00:00")
    cases = [
        ({"kpi": "volume"}, "kpi"),
        ({"kpi": "aht", "granularity": "hour"}, "granularity"),
        ({"kpi": "aht", "group_by": "status"}, "groupBy"),
    ]
    for kwargs, field in cases:
        args: dict[str, Any] = {"kpi": "csat", "granularity": "day", **kwargs}
        with pytest.raises(UserInputError) as err:
            await series(NoSql(), args.pop("kpi"), lo, hi, args.pop("granularity"), "UTC", **args)
        assert err.value.field == field


# ---------------------------------------------------------------------------------------------
# row level security and cost
# ---------------------------------------------------------------------------------------------


async def test_series_run_under_the_callers_rls(run: Run) -> None:
    lo, hi = local(PARIS, 2026, 10, 24), local(PARIS, 2026, 10, 28)
    everyone = await volume(run, lo, hi, Granularity.DAY, "Europe/Paris")
    own = await volume(run, lo, hi, Granularity.DAY, "Europe/Paris", as_user=USER_A, role="agent")
    by_day_a = expected_by_day(PARIS, lo, hi, agent=AGENT_A)
    assert [p.n for p in own] == [by_day_a[date.fromisoformat(p.local_label)] for p in own]
    assert [p.n for p in own] == [1, 2, 1, 0]
    assert [p.n for p in everyone] == [1, 4, 1, 0]
    assert [p.local_label for p in own] == [p.local_label for p in everyone]


#: One KPI of each source, with a granularity it accepts.
ONE_PER_SOURCE = [
    ("ticket_volume", "hour"),
    ("backlog", "hour"),
    ("sla_compliance", "hour"),
    ("csat", "week"),
    ("utilization", "day"),
    ("service_level", "hour"),
    ("vip_retention", "month"),
]


async def test_a_series_is_one_statement_whatever_its_source(db: Database) -> None:
    session = db.session(principal(MANAGER, "manager"))
    try:
        lo, hi = z("2026-01-01T00:00"), z("2026-03-01T00:00")
        await series(session, "ticket_volume", lo, hi, "hour", "Asia/Kolkata")
        sent = session.statements  # begin, session setup, the series
        assert sent == 3
        for kpi, granularity in ONE_PER_SOURCE:
            await series(session, kpi, lo, hi, granularity, "Europe/Paris")
            sent += 1
            assert session.statements == sent, kpi
    finally:
        await session.close()
