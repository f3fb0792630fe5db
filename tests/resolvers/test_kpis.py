"""KPI resolvers against the seeded database, each figure checked against an independent pandas
computation over the raw rows (``kpi_reference``), under row level security.

Tolerances: counts (n, ticket and backlog counts, distribution counts) exact; every other value,
interval bound, previous value and trend 1e-9 relative (absolute 1e-9 near zero). Percentiles:
the database's percentile_cont and numpy's default quantile are both linear interpolation.
Durations differ by at most an ulp (Postgres splits intervals into days + time).
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from kpi_reference import (
    TICKET_GROUPS,
    Est,
    Raw,
    Reference,
    Viewer,
    backlog_detail,
    backlog_rows,
    load,
    previous_window,
    restrict,
)
from resolver_support import close, expected_label, read_viewers, session_as
from testkit import SEED_END

import analytics.kpi_registry
import resolvers.kpis
from analytics.kpi_registry import registry, status
from resolvers.dashboards import dashboard_kpis
from resolvers.errors import UserInputError
from resolvers.kpi_results import KpiFigure, KpiGroupFigure

START = datetime(2026, 11, 6, tzinfo=UTC)
END = datetime(2026, 11, 20, tzinfo=UTC)
NOW = datetime.now(UTC)  # the request clock of these calls (after the windows)
PREV_START, _ = previous_window(START, END)
SOURCES = ("tickets", "backlog", "sla", "surveys", "workforce", "queues", "vip")
COUNTS = {"ticket_volume", "backlog", "backlog_unassigned", "backlog_unanswered"}
GROUPS: dict[str, tuple[str, ...]] = {
    "tickets": TICKET_GROUPS,
    "backlog": TICKET_GROUPS,
    "sla": (*TICKET_GROUPS, "policy"),
    "surveys": TICKET_GROUPS,
    "workforce": ("team", "agent"),
    "queues": ("queue",),
    "vip": ("vip_tier",),
}
ROLES = ("agent", "team_lead", "manager")
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def raw(seeded_dsn: str) -> Raw:
    assert END < NOW  # the sla and retention "as of" is then the window's end
    return load(seeded_dsn)


@pytest.fixture(scope="module")
def viewers(seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]) -> dict[str, Viewer]:
    return read_viewers(seeded_dsn, users_by_role, ROLES)


def reference(raw: Raw, viewer: Viewer) -> Reference:
    return Reference(restrict(raw, viewer), NOW)


def check(got: KpiFigure | KpiGroupFigure, want: Est, prev: Est | None, where: str) -> None:
    """One KPI figure: value, n and interval as ``want``; previous and trend from ``prev``."""
    label = f"{where} {got.name}"
    assert got.n == want.n, (label, got, want)
    if got.name in COUNTS:
        assert got.value == want.value, (label, got, want)
    for field in ("value", "ci_low", "ci_high"):
        assert close(getattr(got, field), getattr(want, field)), (label, field, got, want)
    p = prev.value if prev is not None else None
    assert close(got.previous, p), (label, "previous", got, prev)
    trend = None if want.value is None or p is None or p == 0 else (want.value - p) / p
    assert close(got.trend, trend), (label, "trend", got.trend, trend)
    defn = registry()[got.name]
    assert (got.target, got.unit) == (defn.target, defn.unit)
    assert got.status == status(defn, got.value)


def expected_all(ref: Reference, start: datetime, end: datetime) -> dict[str, Est]:
    out: dict[str, Est] = {}
    for source in SOURCES:
        out.update(ref.overall(source, start, end))
    return out


# --- the dashboard, per role ---------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
async def test_dashboard_matches_pandas_under_each_role(
    role: str,
    raw: Raw,
    viewers: dict[str, Viewer],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    async with session_as(seeded_dsn, users_by_role, role) as s:
        dash = await dashboard_kpis(s, START, END, now=NOW)
        assert s.statements == 3  # begin + session setup + the one dashboard statement
    ref = reference(raw, viewers[role])
    want, prev = expected_all(ref, START, END), expected_all(ref, PREV_START, START)
    # vip retention is for roles that see every client (see sql/queries/kpi_dashboard.sql)
    vip = {"vip_retention"}
    sees_all = role not in {"agent", "team_lead"}
    assert [k.name for k in dash.kpis] == [
        n for n in analytics.kpi_registry.names() if sees_all or n not in vip
    ]
    for k in dash.kpis:
        check(k, want[k.name], prev[k.name], role)
    assert (dash.start, dash.end, dash.previous_start) == (START, END, PREV_START)

    for snap, at in ((dash.backlog, END), (dash.previous_backlog, START)):
        rows = backlog_rows(ref.raw.tickets, at)
        detail = backlog_detail(rows, at)
        assert snap.at == at and snap.open == len(rows)
        got_buckets = [snap.age_under_1h, snap.age_1h_to_4h, snap.age_4h_to_24h,
                       snap.age_1d_to_3d, snap.age_over_3d]  # fmt: skip
        assert got_buckets == detail["buckets"]
        assert close(snap.mean_age_hours, detail["mean_age_hours"])
        assert close(snap.oldest_age_hours, detail["oldest_age_hours"])
        assert snap.uncertain == detail["uncertain"]

    created = ref.parts("tickets", START, END)["created"]
    for dist in dash.distributions:
        column = {"category": "root"}.get(dist.dimension, dist.dimension)
        counts = created[column].value_counts()
        assert dist.total == len(created)
        assert {b.key: b.tickets for b in dist.buckets if b.tickets} == {
            str(k): int(v) for k, v in counts.items()
        }
        for b in dist.buckets:
            assert close(b.share, b.tickets / len(created) * 100 if len(created) else None)
    dims = [d.dimension for d in dash.distributions]
    assert dims == ["channel", "category", "priority", "status"]
    assert [b.key for b in dash.distributions[0].buckets] == ["email", "chat", "phone", "social"]


async def test_agent_lead_and_manager_get_three_different_dashboards(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for role in ROLES:
        async with session_as(seeded_dsn, users_by_role, role) as s:
            dash = await dashboard_kpis(s, START, END, now=NOW)
        seen[role] = {k.name: (k.value, k.n) for k in dash.kpis}
    volumes = [seen[r]["ticket_volume"][1] for r in ROLES]
    assert 0 < volumes[0] < volumes[1] < volumes[2]  # agent ⊂ team ⊂ everything
    for a, b in (("agent", "team_lead"), ("team_lead", "manager"), ("agent", "manager")):
        differing = [n for n in seen[a] if seen[a][n] != seen[b][n]]
        assert len(differing) > 10, (a, b, differing)


# --- every kpi per group ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("source", "group"), [(src, g) for src, groups in GROUPS.items() for g in groups]
)
async def test_grouped_kpis_match_pandas(
    source: str,
    group: str,
    role: str,
    raw: Raw,
    viewers: dict[str, Viewer],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    ref = reference(raw, viewers[role])
    overall = ref.overall(source, START, END)
    overall_prev = ref.overall(source, PREV_START, START)
    want = ref.grouped(source, group, START, END)
    prev = ref.grouped(source, group, PREV_START, START)
    names = list(overall)
    async with session_as(seeded_dsn, users_by_role, role) as s:
        results = await resolvers.kpis.kpis(s, names, START, END, group_by=group)
        assert s.statements == 3
    for result in results:
        assert result.group_by == group
        name = result.overall.name
        check(result.overall, overall[name], overall_prev[name], f"{role}/{source}")
        assert sorted(g.key for g in result.groups) == sorted(want), (source, group)
        for g in result.groups:
            check(g, want[g.key][g.name], prev.get(g.key, {}).get(g.name), f"{group}={g.key}")
            assert g.label == expected_label(raw, group, g.key)


# --- agents, queues, backlog snapshots -------------------------------------------------------


def agent_slice(raw: Raw, agent: str) -> Raw:
    t = raw.tickets[raw.tickets["assigned_agent_id"] == agent]
    ids = set(t["id"])
    return Raw(
        t, raw.sla[raw.sla["ticket_id"].isin(ids)], raw.surveys[raw.surveys["ticket_id"].isin(ids)],
        raw.days[raw.days["agent_id"] == agent], raw.qa[raw.qa["agent_id"] == agent], raw.queues,
        raw.vip, raw.agents, raw.customers, raw.labels,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["manager", "team_lead"])
async def test_agent_kpis_match_pandas(
    role: str,
    raw: Raw,
    viewers: dict[str, Viewer],
    seeded_dsn: str,
    users_by_role: dict[str, list[uuid.UUID]],
) -> None:
    me = viewers[role]
    team = uuid.UUID(viewers["team_lead"].team_id or "")
    visible = restrict(raw, me)
    async with session_as(seeded_dsn, users_by_role, role) as s:
        agents = await resolvers.kpis.agent_kpis(s, START, END, team)
        assert s.statements == 3
    members = set(raw.agents[raw.agents["team_id"] == str(team)]["id"])
    expected_ids = set()
    for agent in members:
        ref = Reference(agent_slice(visible, agent), NOW)
        parts = [ref.parts(src, START, END) for src in ("tickets", "surveys", "workforce")]
        if any(len(df) for p in parts for df in p.values()):
            expected_ids.add(agent)
    assert {str(a.agent_id) for a in agents} == expected_ids
    assert [a.name for a in agents] == sorted(a.name for a in agents)
    for a in agents:
        ref = Reference(agent_slice(visible, str(a.agent_id)), NOW)
        want, prev = {}, {}
        for src in ("tickets", "surveys", "workforce"):
            want.update(ref.overall(src, START, END))
            prev.update(ref.overall(src, PREV_START, START))
        assert str(a.team_id) == str(team) and a.name == raw.labels[("agent", str(a.agent_id))]
        for k in a.kpis:
            check(k, want[k.name], prev[k.name], f"agent {a.name}")


async def test_queue_kpis_match_pandas(
    raw: Raw, viewers: dict[str, Viewer], seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    ref = reference(raw, viewers["team_lead"])
    async with session_as(seeded_dsn, users_by_role, "team_lead") as s:
        queues = await resolvers.kpis.queue_kpis(s, START, END)
    assert [q.queue for q in queues] == ["all", "email", "chat", "phone", "social", "vip"]
    want = ref.grouped("queues", "queue", START, END)
    prev = ref.grouped("queues", "queue", PREV_START, START)
    want["all"], prev["all"] = (
        ref.overall("queues", START, END),
        ref.overall("queues", PREV_START, START),
    )
    rows = ref.parts("queues", START, END)["q"]
    for q in queues:
        mine = rows if q.queue == "all" else rows[rows["queue"] == q.queue]
        assert (q.offered, q.answered, q.abandoned) == tuple(
            int(mine[c].sum()) for c in ("offered", "answered", "abandoned")
        )
        for k in q.kpis:
            check(k, want[q.queue][k.name], prev[q.queue][k.name], f"queue {q.queue}")


async def test_backlog_snapshot_by_group_matches_pandas(
    raw: Raw, viewers: dict[str, Viewer], seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    at = datetime(2026, 11, 12, 15, 30, tzinfo=UTC)
    ref = reference(raw, viewers["manager"])
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        snaps = await resolvers.kpis.backlog_at(s, at, "priority")
        overall = await resolvers.kpis.backlog_at(s, at)
    rows = backlog_rows(ref.raw.tickets, at)
    assert len(overall) == 1 and overall[0].open == len(rows) and overall[0].key == "all"
    assert {b.key: b.open for b in snaps} == {
        str(k): int(v) for k, v in rows["priority"].value_counts().items()
    }
    for b in snaps:
        detail = backlog_detail(rows[rows["priority"] == b.key], at)
        assert [b.age_under_1h, b.age_1h_to_4h, b.age_4h_to_24h, b.age_1d_to_3d,
                b.age_over_3d] == detail["buckets"]  # fmt: skip
        assert b.uncertain == detail["uncertain"]


def test_recomputed_sla_outcome_agrees_with_the_stored_status(raw: Raw) -> None:
    """Sanity of the as-of rule: for targets due before the seed's end, recomputing from due and
    achieved times gives the status the data set stored."""
    sla = raw.sla[raw.sla["due_at"] < pd.Timestamp(SEED_END)]
    achieved = sla["achieved_at"].notna() & (sla["achieved_at"] <= sla["due_at"])
    assert (sla["status"] == achieved.map({True: "achieved", False: "breached"})).all()


# --- edges: empty windows, bad input, statement counts, scope, targets ----------------------


async def test_empty_window_gives_zero_counts_and_no_values(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2020, 1, 8, tzinfo=UTC)
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        dash = await dashboard_kpis(s, start, end, now=NOW)
        grouped = await resolvers.kpis.kpi(s, "csat", start, end, "channel")
        agents = await resolvers.kpis.agent_kpis(s, start, end)
        queues = await resolvers.kpis.queue_kpis(s, start, end)
    for k in dash.kpis:
        assert k.previous in (None, 0.0) and k.trend is None and k.n == 0, k
        assert k.value == (0.0 if k.name in COUNTS else None), k
        assert k.status is None and k.ci_low is None and k.ci_high is None
    assert dash.backlog.open == 0 and dash.backlog.mean_age_hours is None
    assert all(d.total == 0 and all(b.share is None for b in d.buckets) for d in dash.distributions)
    assert grouped.groups == () and grouped.overall.value is None
    assert agents == ()
    assert [q.queue for q in queues] == ["all"]
    assert all(k.value is None for k in queues[0].kpis)


async def test_unknown_kpi_lists_the_valid_names_before_any_sql(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        with pytest.raises(UserInputError) as err:
            await resolvers.kpis.kpi(s, "first_reply_time", START, END)
        assert s.statements == 0
    assert str(err.value) == (
        "unknown KPI 'first_reply_time'; valid KPIs: " + ", ".join(analytics.kpi_registry.names())
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: resolvers.kpis.kpi(s, "service_level", START, END, "channel"),
         "KPI 'service_level' cannot be grouped by 'channel'; valid groupings: queue"),
        (lambda s: resolvers.kpis.kpi(s, "fcr", START, END, "policy"),
         "valid groupings: channel, category, priority, status, vip_tier, team, agent"),
        (lambda s: resolvers.kpis.kpi(s, "vip_retention", START, END, team_id=uuid.uuid4()),
         "organisation-wide"),
        (lambda s: resolvers.kpis.kpi(s, "csat", END, START), "'to' must be after 'from'"),
        (lambda s: resolvers.kpis.kpi(s, "csat", START.replace(tzinfo=None), END),
         "needs a timezone"),
        (lambda s: dashboard_kpis(s, START - timedelta(days=401), START, now=NOW),
         "at most 400 days"),
        (lambda s: dashboard_kpis(s, START, END, now=NOW, targets={"csat": math.inf}), "finite"),
        (lambda s: dashboard_kpis(s, START, END, now=NOW, targets={"cast": 4.0}),
         "unknown KPI 'cast'"),
        (lambda s: resolvers.kpis.backlog_at(s, END, "policy"), "valid groupings: channel"),
        (lambda s: resolvers.kpis.backlog_at(s, END.replace(tzinfo=None)), "needs a timezone"),
    ],
)  # fmt: skip
async def test_bad_input_is_a_user_error_before_any_sql(
    call: Any, message: str, seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        with pytest.raises(UserInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
            await call(s)
        assert s.statements == 0


async def test_statement_counts(seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]) -> None:
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        await resolvers.kpis.kpis(
            s, ["csat", "nps", "fcr", "backlog", "sla_compliance"], START, END
        )
        assert s.statements == 2 + 4  # setup + one per source (surveys, tickets, backlog, sla)
        await resolvers.kpis.kpi(s, "resolution_time", START, END, "agent")
        await resolvers.kpis.distributions(s, START, END)
        assert s.statements == 2 + 4 + 2


async def test_team_scoped_dashboard_is_the_team_and_its_agents(
    raw: Raw, viewers: dict[str, Viewer], seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    team = viewers["team_lead"].team_id or ""
    ref = Reference(restrict(raw, Viewer("team_lead", None, team)), NOW)
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        dash = await dashboard_kpis(s, START, END, now=NOW, team_id=uuid.UUID(team))
    want, prev = {}, {}
    for src in ("tickets", "backlog", "sla", "surveys", "workforce"):
        want.update(ref.overall(src, START, END))
        prev.update(ref.overall(src, PREV_START, START))
    assert [k.name for k in dash.kpis] == [n for n in analytics.kpi_registry.names() if n in want]
    for k in dash.kpis:
        check(k, want[k.name], prev[k.name], "team scope")


async def test_target_overrides_change_target_and_status(
    seeded_dsn: str, users_by_role: dict[str, list[uuid.UUID]]
) -> None:
    async with session_as(seeded_dsn, users_by_role, "manager") as s:
        base = await resolvers.kpis.kpi(s, "csat", START, END)
        custom = await resolvers.kpis.kpi(s, "csat", START, END, targets={"csat": 3.0})
    assert base.overall.value == custom.overall.value
    assert (custom.overall.target, custom.overall.status) == (3.0, "on_target")
    assert base.overall.target == 4.5
