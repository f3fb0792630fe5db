"""The statistics fields through the API (real Postgres, real server) against independent
computations: scipy's Kendall/Theil-Sen and correlations on the timeSeries values, pandas over
the raw ticket rows for the heatmap, the generator's ground truth for anomalies, scipy's Welch
test on the raw ratings for the benchmark, and the kpi field for root-cause totals."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_support import FROM, GQL, PARIS, TO, WINDOW, agent_of, ok, owner_rows
from testkit import tq

SERIES = """query($kpi: String!, $g: Granularity!, $from: DateTime!, $to: DateTime!) {
  timeSeries(kpi: $kpi, granularity: $g, from: $from, to: $to, timezone: "Europe/Paris") {
    bucketStart localLabel n value } }"""

TREND = """query($kpi: String!, $from: DateTime!, $to: DateTime!, $seasonal: Boolean!) {
  trend(kpi: $kpi, granularity: DAY, window: {from: $from, to: $to, timezone: "Europe/Paris"},
        seasonal: $seasonal) {
    method seasonal overall { buckets points s varS z pValue tau direction slope slopeCiLow
      slopeCiHigh changePointPValue changePoint { bucketStart statistic pValue } } } }"""


def series_values(graphql: GQL, token: str, kpi: str, g: str = "DAY") -> list[float | None]:
    pts = ok(graphql(SERIES, {"kpi": kpi, "g": g, **WINDOW}, token))["timeSeries"]
    return [p["value"] for p in pts]


def test_trend_matches_scipy_on_the_series(graphql: GQL, make_token: Callable[..., str]) -> None:
    token = make_token("manager")
    values = np.array([np.nan if v is None else v for v in series_values(graphql, token, "csat")])
    got = ok(graphql(TREND, {"kpi": "csat", **WINDOW, "seasonal": False}, token))["trend"]
    t = got["overall"]
    keep = ~np.isnan(values)
    x, pos = values[keep], np.flatnonzero(keep)
    s = int(sum(np.sign(x[j] - x[i]) for i in range(x.size) for j in range(i + 1, x.size)))
    assert (t["points"], t["s"]) == (x.size, s)
    ref = stats.theilslopes(x, pos, alpha=0.95)
    assert t["slope"] == pytest.approx(ref.slope, rel=1e-9)
    assert t["slopeCiLow"] == pytest.approx(ref.low_slope, rel=1e-9)
    assert t["slopeCiHigh"] == pytest.approx(ref.high_slope, rel=1e-9)
    tau = stats.kendalltau(pos, x).statistic
    assert t["tau"] == pytest.approx(s / (x.size * (x.size - 1) / 2), rel=1e-12)
    assert math.copysign(1, t["tau"]) == math.copysign(1, tau) or s == 0
    n = x.size
    u = [np.sign(x[: k + 1, None] - x[None, k + 1 :]).sum() for k in range(n - 1)]
    k_stat = float(np.abs(u).max())
    assert t["changePointPValue"] == pytest.approx(
        min(1.0, 2 * math.exp(-6 * k_stat**2 / (n**3 + n**2))), rel=1e-9
    )
    seasonal = ok(graphql(TREND, {"kpi": "ticket_volume", **WINDOW, "seasonal": True}, token))
    assert seasonal["trend"]["seasonal"] and "period 7" in seasonal["trend"]["method"]


SEASONALITY = """query($from: DateTime!, $to: DateTime!) {
  seasonality(kpi: "ticket_volume", window: {from: $from, to: $to, timezone: "Europe/Paris"}) {
    method heatmap { weekday hour value cycles n ciLow ciHigh } intraday { hour value }
    weekly { weekday value cycles } components { name periodHours strength } } }"""


def test_heatmap_matches_pandas_over_the_raw_rows(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    got = ok(graphql(SEASONALITY, WINDOW, make_token("manager")))["seasonality"]
    df = owner_rows(seeded_dsn, "dash_owner_tickets_created", FROM, TO)
    hour = df["created_at"].dt.tz_convert("UTC").dt.floor("h")  # Paris offsets are whole hours
    hours = pd.date_range(FROM, TO, freq="h", inclusive="left").tz_convert("UTC")
    counts = hour.value_counts().reindex(hours, fill_value=0)
    frame = pd.DataFrame({"n": counts.to_numpy()}, index=hours.tz_convert(PARIS))
    frame["d"], frame["h"] = frame.index.day_of_week + 1, frame.index.hour
    ref = frame.groupby(["d", "h"])["n"].agg(["mean", "count", "sum"])
    assert len(got["heatmap"]) == 168
    for cell in got["heatmap"]:
        row = ref.loc[(cell["weekday"], cell["hour"])]
        assert cell["value"] == pytest.approx(row["mean"], rel=1e-12)
        assert (cell["cycles"], cell["n"]) == (int(row["count"]), int(row["sum"]))
    by_hour = frame.groupby("h")["n"].mean()
    assert [c["value"] for c in got["intraday"]] == pytest.approx(list(by_hour), rel=1e-12)
    days = frame.groupby(frame.index.date)["n"].sum()
    weekdays = pd.Series(days.to_numpy(), index=[d.isoweekday() for d in days.index])
    by_day = weekdays.groupby(level=0).agg(["mean", "count"])
    assert [c["value"] for c in got["weekly"]] == pytest.approx(list(by_day["mean"]), rel=1e-12)
    assert [c["cycles"] for c in got["weekly"]] == list(by_day["count"])
    assert got["method"] == "MSTL"
    assert {c["name"] for c in got["components"]} == {"daily", "weekly"}
    daily = next(c for c in got["components"] if c["name"] == "daily")
    assert daily["strength"] > 0.5  # the generator's strong intraday pattern


ANOMALIES = """query($kpi: String!, $g: Granularity!, $from: DateTime!, $to: DateTime!) {
  anomalies(kpi: $kpi, granularity: $g, window: {from: $from, to: $to, timezone: "Europe/Paris"}) {
    period threshold method buckets
    anomalies { bucketStart observed expected expectedLow expectedHigh score severity } } }"""


def test_anomalies_find_the_injected_volume_spike(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    incidents = owner_rows(seeded_dsn, "owner_ops_incidents")
    spike = incidents[incidents.kind == "volume_spike"].iloc[0]
    window = {"from": (FROM - timedelta(days=7)).isoformat(), "to": TO.isoformat()}
    out = ok(graphql(ANOMALIES, {"kpi": "ticket_volume", "g": "HOUR", **window},
                     make_token("manager")))["anomalies"]  # fmt: skip
    assert out["period"] == 24 and out["threshold"] == 3.5  # < 6 weeks: daily cycle
    flagged = [pd.Timestamp(a["bucketStart"]) for a in out["anomalies"]]
    inside = [t for t in flagged if spike.starts_at <= t < spike.ends_at]
    assert inside, (flagged, spike.starts_at)
    # a window not aligned to the hour (first and last buckets clipped) is scored too
    unaligned = {"from": (FROM + timedelta(minutes=29)).isoformat(),
                 "to": (TO - timedelta(minutes=7)).isoformat()}  # fmt: skip
    ok(graphql(ANOMALIES, {"kpi": "ticket_volume", "g": "HOUR", **unaligned},
               make_token("manager")))  # fmt: skip
    for a in out["anomalies"]:
        assert not a["expectedLow"] <= a["observed"] <= a["expectedHigh"]
        assert abs(a["score"]) > 3.5
        assert a["severity"] == ("CRITICAL" if abs(a["score"]) >= 7 else "WARNING")


CORRELATIONS = """query($from: DateTime!, $to: DateTime!) {
  correlations(kpis: ["first_response_time_mean", "csat", "ticket_volume"], granularity: DAY,
               window: {from: $from, to: $to, timezone: "Europe/Paris"}, maxLag: 2) {
    buckets pairs { first second n spearman spearmanPValue pearson pearsonPValue }
    lagged { first second lag n rho pValue pAdjusted } } }"""


def test_correlations_match_scipy_on_the_series(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    token = make_token("manager")
    got = ok(graphql(CORRELATIONS, WINDOW, token))["correlations"]
    cols = {
        k: np.array([np.nan if v is None else v for v in series_values(graphql, token, k)])
        for k in ("first_response_time_mean", "csat", "ticket_volume")
    }
    for pair in got["pairs"]:
        a, b = cols[pair["first"]], cols[pair["second"]]
        keep = ~(np.isnan(a) | np.isnan(b))
        assert pair["n"] == int(keep.sum())
        sp, pe = stats.spearmanr(a[keep], b[keep]), stats.pearsonr(a[keep], b[keep])
        assert pair["spearman"] == pytest.approx(sp.statistic, rel=1e-9)
        assert pair["spearmanPValue"] == pytest.approx(sp.pvalue, rel=1e-6)
        assert pair["pearson"] == pytest.approx(pe.statistic, rel=1e-9)
        assert pair["pearsonPValue"] == pytest.approx(pe.pvalue, rel=1e-6)
    lead = next(
        p
        for p in got["lagged"]
        if (p["first"], p["second"], p["lag"]) == ("first_response_time_mean", "csat", 1)
    )
    a, b = cols["first_response_time_mean"][:-1], cols["csat"][1:]
    keep = ~(np.isnan(a) | np.isnan(b))
    assert lead["rho"] == pytest.approx(stats.spearmanr(a[keep], b[keep]).statistic, rel=1e-9)
    assert len(got["lagged"]) == 3 * 2 * 2


BENCHMARK = """query($agent: ID!, $from: DateTime!, $to: DateTime!) {
  benchmark(agentId: $agent, window: {from: $from, to: $to}, kpis: ["csat", "ticket_volume"]) {
    subject name kpis { name value n
      team { peers peerObservations percentile peerMean difference ciLow ciHigh pValue }
      organisation { peers peerObservations peerMean difference pValue significant } } } }"""


def test_benchmark_matches_welch_on_the_raw_ratings(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    agent, team = agent_of(seeded_dsn, users_by_role["agent"][0])
    out = ok(graphql(BENCHMARK, {"agent": agent, **WINDOW}, make_token("manager")))["benchmark"]
    csat = next(k for k in out["kpis"] if k["name"] == "csat")
    raw = owner_rows(seeded_dsn, "stats_owner_csat_by_agent", FROM, TO)
    raw["agent_id"] = raw["agent_id"].astype(str)
    raw["team_id"] = raw["team_id"].astype(str)
    mine = raw[raw.agent_id == agent].rating.to_numpy()
    team_peers = raw[(raw.team_id == team) & (raw.agent_id != agent)
                     & (raw.agent_id != "None")].rating.to_numpy()  # fmt: skip
    org_peers = raw[(raw.agent_id != agent) & (raw.agent_id != "None")].rating.to_numpy()
    assert csat["n"] == mine.size and csat["value"] == pytest.approx(mine.mean(), rel=1e-9)
    for got, peers in ((csat["team"], team_peers), (csat["organisation"], org_peers)):
        assert got["peerObservations"] == peers.size
        assert got["peerMean"] == pytest.approx(peers.mean(), rel=1e-9)
        ref = stats.ttest_ind(mine, peers, equal_var=False)
        assert got["pValue"] == pytest.approx(ref.pvalue, rel=1e-6)
    assert 0 <= csat["team"]["percentile"] <= 100


ROOT_CAUSE = """query($from: DateTime!, $to: DateTime!, $cf: DateTime!, $ct: DateTime!,
                      $kpi: String!) {
  rootCause(kpi: $kpi, window: {from: $from, to: $to}, compareTo: {from: $cf, to: $ct},
            dimensions: [TEAM, CATEGORY, CHANNEL], top: 50) {
    value previousValue change n previousN
    dimensions { dimension mix rate drivers { key label contribution mix rate n previousN } }
    bottlenecks { stage meanHours previousMeanHours growthHours } } }"""

KPI = """query($kpi: String!, $from: DateTime!, $to: DateTime!) {
  kpi(name: $kpi, from: $from, to: $to) { overall { value n } } }"""


def test_root_cause_sums_exactly_and_ranks_the_injected_team_drop(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    incidents = owner_rows(seeded_dsn, "owner_ops_incidents")
    drop = incidents[incidents.kind == "satisfaction_drop"].iloc[0]
    start, end = drop.starts_at.to_pydatetime(), drop.ends_at.to_pydatetime()
    before = start - (end - start)
    variables = {"kpi": "csat", "from": start.isoformat(), "to": end.isoformat(),
                 "cf": before.isoformat(), "ct": start.isoformat()}  # fmt: skip
    token = make_token("manager")
    out = ok(graphql(ROOT_CAUSE, variables, token))["rootCause"]
    now = ok(graphql(KPI, {"kpi": "csat", "from": variables["from"], "to": variables["to"]},
                     token))["kpi"]["overall"]  # fmt: skip
    prev = ok(graphql(KPI, {"kpi": "csat", "from": variables["cf"], "to": variables["ct"]},
                      token))["kpi"]["overall"]  # fmt: skip
    assert out["value"] == pytest.approx(now["value"], rel=1e-9) and out["n"] == now["n"]
    assert out["previousValue"] == pytest.approx(prev["value"], rel=1e-9)
    for dim in out["dimensions"]:
        total = math.fsum(d["contribution"] for d in dim["drivers"])
        assert abs(total - out["change"]) < 1e-9, dim["dimension"]
        assert abs(dim["mix"] + dim["rate"] - out["change"]) < 1e-9
        assert sum(d["n"] for d in dim["drivers"]) == out["n"]
    team = next(d for d in out["dimensions"] if d["dimension"] == "team")
    assert team["drivers"][0]["key"] == json.loads(drop.scope)["team_id"]  # the beauty team first
    assert team["drivers"][0]["rate"] < 0
    stages = {b["stage"] for b in out["bottlenecks"]}
    assert stages == {"first_response", "in_progress", "pending_customer", "on_hold", "reopened"}


SCOPED = {
    "trend": """query($from: DateTime!, $to: DateTime!, $team: ID, $agent: ID) {
      trend(kpi: "ticket_volume", window: {from: $from, to: $to}, teamId: $team,
            agentId: $agent) { overall { s slope observations } } }""",
    "anomalies": """query($from: DateTime!, $to: DateTime!, $team: ID, $agent: ID) {
      anomalies(kpi: "ticket_volume", granularity: DAY, window: {from: $from, to: $to},
                teamId: $team,
                agentId: $agent) {
        buckets anomalies { bucketStart observed expected } } }""",
    "seasonality": """query($from: DateTime!, $to: DateTime!, $team: ID, $agent: ID) {
      seasonality(window: {from: $from, to: $to}, teamId: $team, agentId: $agent) {
        heatmap { value n } weekly { value } } }""",
    "correlations": """query($from: DateTime!, $to: DateTime!, $team: ID, $agent: ID) {
      correlations(kpis: ["ticket_volume", "fcr"], window: {from: $from, to: $to}, teamId: $team,
                   agentId: $agent) { pairs { n spearman } } }""",
    "rootCause": """query($from: DateTime!, $to: DateTime!, $team: ID, $agent: ID) {
      rootCause(kpi: "fcr", window: {from: $from, to: $to}, teamId: $team, agentId: $agent,
                dimensions: [CHANNEL]) {
        value previousValue n dimensions { drivers { key contribution } }
        bottlenecks { stage n previousN meanHours previousMeanHours } } }""",
}


def test_every_field_under_three_roles_uses_only_the_callers_rows(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    agent, _ = agent_of(seeded_dsn, users_by_role["agent"][0])
    _, lead_team = agent_of(seeded_dsn, users_by_role["team_lead"][0])
    manager = make_token("manager")
    for name, query in SCOPED.items():
        everyone = ok(graphql(query, WINDOW, manager))
        for role, scope in (("agent", {"agent": agent}), ("team_lead", {"team": lead_team})):
            mine = ok(graphql(query, WINDOW, make_token(role)))
            scoped = ok(graphql(query, {**WINDOW, **scope}, manager))
            assert mine == scoped, (name, role)
            assert mine != everyone, (name, role)
    # an agent benchmarked sees no peers: only their own rows are visible to them
    out = ok(graphql(BENCHMARK, {"agent": agent, **WINDOW}, make_token("agent")))["benchmark"]
    assert all(k["organisation"]["peers"] == 0 for k in out["kpis"])
    assert all(k["organisation"]["pValue"] is None for k in out["kpis"])


def test_statements_cache_and_invalidation(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    token = make_token("executive")
    variables = {"from": FROM.isoformat(), "to": (TO - timedelta(days=1)).isoformat()}
    first = graphql(SCOPED["rootCause"], variables, token)
    ok(first)
    # begin + setup, data version, one grouped KPI statement, the lifecycle stages
    assert first["extensions"]["sqlStatements"] <= 5
    again = graphql(SCOPED["rootCause"], variables, token)
    assert again["data"] == first["data"]
    assert again["extensions"]["sqlStatements"] <= 3  # a cache hit: setup + data version

    async def touch() -> None:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            await conn.execute(tq("stats_touch_ticket"))  # the change log moves
        finally:
            await conn.close()

    asyncio.run(touch())
    after = graphql(SCOPED["rootCause"], variables, token)
    assert after["data"] == first["data"]  # the data did not change, only its version
    assert after["extensions"]["sqlStatements"] == first["extensions"]["sqlStatements"]
    for name, query in SCOPED.items():
        out = graphql(query, variables, token)
        ok(out)
        assert out["extensions"]["sqlStatements"] <= 6, name
