"""KPI series against the seeded database: in every bucket, value, n and 95% interval equal an
independent pandas computation (``kpi_reference``) over that bucket's raw rows, under row level
security. Every KPI of the registry is checked per Paris day across the fall-back change of
2026-10-25 (a 25-hour day); representative KPIs of each source also per hour, per ISO week, over
a window cut mid-bucket, scoped to a team or an agent, grouped, and as three different viewers.

Buckets here come from zoneinfo (local midnights, ISO Mondays, hours of a local day), not from
the gateway. A bucket's expectation is the reference's window figure over the bucket clipped to
the window, the definition timeSeries promises; backlog KPIs are the backlog at the bucket's end
(capped at now), workforce KPIs count daily rows by their 00:00 UTC start.

Tolerances (as test_kpis): n exact; values and interval bounds 1e-9 relative (1e-9 absolute near
zero); a bucket with n = 0 has null value and interval.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from kpi_reference import Est, Raw, Reference, Viewer, load, restrict
from resolver_support import close, expected_label, read_viewers, session_as
from testkit import tq

import analytics.kpi_registry
import sql
from resolvers.kpi_measures import MEASURES, SOURCES
from resolvers.kpi_series import (
    ALIASES,
    NO_HOUR,
    NOT_SERIESABLE,
    SERIES_QUERIES,
    SeriesFigure,
    series,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.now(UTC)
ROLES = ("agent", "team_lead", "manager")
#: KPIs the seeded data never makes non-zero (every seeded ticket has an agent); the backlog
#: series tests (test_series_backlog) cover them on tickets of their own.
SEED_NEVER = {"backlog_unassigned"}
#: A bucket: its local label and its [start, end) instants.
TimeBucket = tuple[str, datetime, datetime]
Expect = Callable[[datetime, datetime], dict[str, Est]]


def midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=PARIS).astimezone(UTC)


def paris_days(first: date, last: date) -> list[TimeBucket]:
    """Local days ``first`` … ``last`` − 1 from zoneinfo's local midnights."""
    days = [first + timedelta(days=k) for k in range((last - first).days)]
    return [(d.isoformat(), midnight(d), midnight(d + timedelta(days=1))) for d in days]


def paris_weeks(first_monday: date, weeks: int) -> list[TimeBucket]:
    out = []
    for k in range(weeks):
        d = first_monday + timedelta(weeks=k)
        year, week, _ = d.isocalendar()
        out.append((f"{year}-W{week:02d}", midnight(d), midnight(d + timedelta(weeks=1))))
    return out


def paris_hours(day: date) -> list[TimeBucket]:
    """The real hours of a local day, labelled with their local time and UTC offset."""
    out, at = [], midnight(day)
    while at < midnight(day + timedelta(days=1)):
        out.append(
            (at.astimezone(PARIS).isoformat(timespec="minutes"), at, at + timedelta(hours=1))
        )
        at += timedelta(hours=1)
    return out


def clip(buckets: list[TimeBucket], lo: datetime, hi: datetime) -> list[TimeBucket]:
    return [(label, max(a, lo), min(b, hi)) for label, a, b in buckets if b > lo and a < hi]


DAYS = paris_days(date(2026, 10, 21), date(2026, 10, 31))
#: The first seven days, the window starting at 09:30 on the first and ending at 17:00 on the last.
CUT_DAYS = clip(DAYS, DAYS[0][1] + timedelta(hours=9.5), DAYS[6][2] - timedelta(hours=7))
FALL_BACK_HOURS = paris_hours(date(2026, 10, 25))
WEEKS = paris_weeks(date(2026, 10, 19), 4)


def test_the_buckets_cross_the_dst_change() -> None:
    lengths = [(b - a) / timedelta(hours=1) for _, a, b in DAYS]
    assert lengths.count(25) == 1 and lengths.count(24) == len(DAYS) - 1
    assert len(FALL_BACK_HOURS) == 25


def check(
    points: Sequence[SeriesFigure], buckets: list[TimeBucket], expect: Expect, name: str
) -> None:
    """One series (one group's) against the reference, bucket by bucket."""
    assert [(p.local_label, p.bucket_start, p.bucket_end) for p in points] == buckets
    for p, (label, lo, hi) in zip(points, buckets, strict=True):
        want = expect(lo, hi)[name]
        where = (name, label, p.group)
        assert p.n == want.n, (where, p, want)
        if want.n == 0:
            assert (p.value, p.ci_low, p.ci_high) == (None, None, None), where
            continue
        for field in ("value", "ci_low", "ci_high"):
            assert close(getattr(p, field), getattr(want, field)), (where, field, p, want)


@dataclass(frozen=True)
class Seeded:
    """The seeded database: its raw rows (as the owner), its users and who they are."""

    dsn: str
    users: dict[str, list[uuid.UUID]]
    raw: Raw
    viewers: dict[str, Viewer]

    def reference(self, viewer: Viewer | None = None) -> Reference:
        """Expectations over the rows ``viewer`` sees (all rows: a manager)."""
        return Reference(self.raw if viewer is None else restrict(self.raw, viewer), NOW)

    async def series(
        self,
        name: str,
        buckets: list[TimeBucket],
        granularity: str,
        role: str = "manager",
        **kwargs: Any,
    ) -> list[SeriesFigure]:
        """KPI ``name`` over the buckets' window in Paris, as the first user of ``role``."""
        lo, hi = buckets[0][1], buckets[-1][2]
        async with session_as(self.dsn, self.users, role) as s:
            points = await series(s, name, lo, hi, granularity, "Europe/Paris", **kwargs)
            assert s.statements == 3  # begin, session setup, the series
        return points


@pytest.fixture(scope="module")
def seeded(seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]) -> Seeded:
    viewers = read_viewers(seeded_dsn, users_by_role, ROLES)
    return Seeded(seeded_dsn, users_by_role, load(seeded_dsn), viewers)


def source_kpis(source: str) -> list[str]:
    return [n for n, m in MEASURES.items() if m.source == source]


# --- every KPI, per Paris day across DST ------------------------------------------------------


@pytest.mark.parametrize("source", list(SOURCES))
async def test_every_kpi_per_paris_day_matches_pandas(source: str, seeded: Seeded) -> None:
    ref = seeded.reference()  # a manager sees every row
    want = {(lo, hi): ref.overall(source, lo, hi) for _, lo, hi in DAYS}
    for name in source_kpis(source):
        points = await seeded.series(name, DAYS, "day")
        check(points, DAYS, lambda lo, hi: want[(lo, hi)], name)
        assert all(p.group is None for p in points)
        assert sum(p.n for p in points) > 0 or name in SEED_NEVER, name


# --- other bucket shapes: hours of the 25-hour night, ISO weeks, a window cut mid-bucket ------


@pytest.mark.parametrize(
    ("name", "granularity", "buckets"),
    [
        ("service_level", "hour", FALL_BACK_HOURS),
        ("fcr", "hour", FALL_BACK_HOURS),
        ("backlog", "hour", FALL_BACK_HOURS),
        ("sla_compliance", "hour", FALL_BACK_HOURS),
        ("nps", "week", WEEKS),
        ("ces", "week", WEEKS),
        ("utilization", "week", WEEKS),
        ("resolution_time", "week", WEEKS),
        ("fcr", "day", CUT_DAYS),
        ("backlog", "day", CUT_DAYS),
    ],
)
async def test_hours_weeks_and_partial_buckets_match_pandas(
    name: str,
    granularity: str,
    buckets: list[TimeBucket],
    seeded: Seeded,
) -> None:
    ref, source = seeded.reference(), MEASURES[name].source
    points = await seeded.series(name, buckets, granularity)
    check(points, buckets, lambda lo, hi: ref.overall(source, lo, hi), name)


# --- row level security: three viewers, three correct series ---------------------------------


@pytest.mark.parametrize("name", ["fcr", "resolution_time", "backlog", "csat", "utilization"])
async def test_each_viewer_gets_the_series_of_their_rows(
    name: str,
    seeded: Seeded,
) -> None:
    source, seen = MEASURES[name].source, {}
    for role in ROLES:
        ref = seeded.reference(seeded.viewers[role])
        points = await seeded.series(name, DAYS, "day", role)
        check(points, DAYS, lambda lo, hi, ref=ref: ref.overall(source, lo, hi), name)
        seen[role] = [(p.n, p.value) for p in points]
    assert seen["agent"] != seen["team_lead"] != seen["manager"] != seen["agent"]
    assert 0 < sum(n for n, _ in seen["agent"]) < sum(n for n, _ in seen["manager"])


# --- team and agent scope -------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["team_id", "agent_id"])
@pytest.mark.parametrize("name", ["fcr", "backlog", "sla_compliance", "ces", "utilization"])
async def test_team_and_agent_scope_match_pandas(
    scope: str,
    name: str,
    seeded: Seeded,
) -> None:
    if scope == "team_id":
        key = seeded.viewers["team_lead"].team_id or ""
        ref = seeded.reference(Viewer("team_lead", None, key))
    else:
        key = seeded.viewers["agent"].agent_id or ""
        ref = seeded.reference(Viewer("agent", key, None))
    source = MEASURES[name].source
    points = await seeded.series(name, DAYS, "day", **{scope: uuid.UUID(key)})
    check(points, DAYS, lambda lo, hi: ref.overall(source, lo, hi), name)
    assert sum(p.n for p in points) > 0


# --- groupBy: every group with data gets every bucket ----------------------------------------


@pytest.mark.parametrize(
    ("name", "group", "granularity", "buckets"),
    [
        ("nps", "channel", "week", WEEKS),
        ("resolution_time", "agent", "week", WEEKS),
        ("sla_compliance", "policy", "week", WEEKS),
        ("backlog", "priority", "day", DAYS),
        ("utilization", "team", "day", DAYS),
        ("service_level", "queue", "day", DAYS),
        ("fcr", "category", "day", DAYS),
    ],
)
async def test_grouped_series_match_pandas(
    name: str,
    group: str,
    granularity: str,
    buckets: list[TimeBucket],
    seeded: Seeded,
) -> None:
    ref, source = seeded.reference(), MEASURES[name].source
    want = {(lo, hi): ref.grouped(source, group, lo, hi) for _, lo, hi in buckets}
    points = await seeded.series(name, buckets, granularity, group_by=group)
    with_data = sorted(
        {k for per_key in want.values() for k, kpis in per_key.items() if kpis[name].n > 0}
    )
    assert len(with_data) > 1
    assert [p.group for p in points] == [k for k in with_data for _ in buckets]
    nothing = {name: Est(None, 0)}  # a group without rows in a bucket
    for i, key in enumerate(with_data):
        mine = points[i * len(buckets) : (i + 1) * len(buckets)]
        assert {p.group_label for p in mine} == {expected_label(seeded.raw, group, key)}
        check(mine, buckets, lambda lo, hi, key=key: want[(lo, hi)].get(key, nothing), name)


# --- empty buckets: before the data, and backlog buckets after now ----------------------------


@pytest.mark.parametrize(
    "name", ["ticket_volume", "fcr", "nps", "sla_compliance", "utilization", "service_level"]
)
async def test_buckets_before_the_data_have_n_zero_and_null(name: str, seeded: Seeded) -> None:
    buckets = paris_days(date(2026, 10, 8), date(2026, 10, 20))  # the data starts on the 16th
    ref, source = seeded.reference(), MEASURES[name].source
    points = await seeded.series(name, buckets, "day")
    check(points, buckets, lambda lo, hi: ref.overall(source, lo, hi), name)
    assert points[0].n == 0 and points[0].value is None and points[0].ci_low is None
    assert points[-1].n > 0 and points[-1].value is not None


async def test_backlog_buckets_after_now_are_empty(seeded: Seeded) -> None:
    today = NOW.astimezone(PARIS).date()
    buckets = paris_days(today - timedelta(days=2), today + timedelta(days=3))
    points = await seeded.series("backlog", buckets, "day")
    ref = Reference(seeded.raw, datetime.now(UTC))  # the reference caps each instant at now
    check(points[:3], buckets[:3], lambda lo, hi: ref.overall("backlog", lo, hi), "backlog")
    assert points[2].n > 0  # today: the backlog now (the seeded tickets still open)
    assert [(p.n, p.value) for p in points[3:]] == [(0, None), (0, None)]


# --- the registry: every KPI has a series or a reason ----------------------------------------


def test_every_registry_kpi_has_a_series_or_a_stated_reason() -> None:
    for name in analytics.kpi_registry.names():
        seriesable = MEASURES[name].source in SERIES_QUERIES
        assert seriesable != (name in NOT_SERIESABLE), name
        assert name not in NOT_SERIESABLE or NOT_SERIESABLE[name].strip(), name
    assert set(NOT_SERIESABLE) <= set(analytics.kpi_registry.names())
    assert set(SERIES_QUERIES) == set(SOURCES) and set(NO_HOUR) <= set(SOURCES)
    for query in SERIES_QUERIES.values():
        assert sql.load(query).startswith("-- ")
    for alias, name in ALIASES.items():
        assert (
            alias not in analytics.kpi_registry.names() and name in analytics.kpi_registry.names()
        )


# --- the statistics functions are inlined into the series statements -------------------------


@pytest.mark.parametrize("source", list(SOURCES))
async def test_statistics_functions_are_inlined(source: str, seeded_dsn: str) -> None:
    """A stats function that stopped being inlinable (a SET option, plpgsql, SECURITY DEFINER)
    would run once per bucket with a generic plan; inlined, it is never called as a function."""
    lo, hi = DAYS[0][1], DAYS[-1][2]
    args: list[object] = [lo, hi, "hour", "Europe/Paris", None]
    if SOURCES[source].scoped:
        args += [None, None]
    conn = await asyncpg.connect(seeded_dsn)
    try:
        async with conn.transaction():
            await conn.execute(tq("series_track_functions"))
            assert len(await conn.fetch(sql.load(SERIES_QUERIES[source]), *args)) >= 240
            calls = {r["name"]: r["calls"] for r in await conn.fetch(tq("series_function_calls"))}
    finally:
        await conn.close()
    stats_functions = {"ticket_stats", "sla_stats", "survey_stats", "workforce_stats",
                       "queue_stats", "vip_stats", "backlog_at", "backlog_series"}  # fmt: skip
    assert calls.get("series_buckets") == 1
    assert {f: n for f, n in calls.items() if f in stats_functions} == {}
