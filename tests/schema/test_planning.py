"""volumeForecast and staffingPlan through the API, against the raw rows (pandas) and an
independent Erlang C (the textbook sum, not analytics.erlang's recursion)."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import numpy as np
import pandas as pd
import pytest
from testkit import SEED_END, tq

from analytics.forecast_models import holiday_effect
from analytics.forecasting import forecast_counts
from resolvers.statistics_forecast import choose_forecast, forecast_points, holiday_flags

GQL = Callable[..., dict[str, Any]]
AS_OF = SEED_END
PARIS = ZoneInfo("Europe/Paris")

FORECAST = """
query($asOf: DateTime!, $g: ForecastGranularity!, $days: Int!, $bt: Boolean!) {
  volumeForecast(asOf: $asOf, granularity: $g, timezone: "Europe/Paris", historyDays: $days,
                 horizonDays: 7, backtest: $bt) {
    historyFrom historyTo historyTotal method
    buckets { bucketStart bucketEnd localLabel mean lo80 hi80 lo95 hi95 }
    backtest { origins mase coverage80 coverage95 } } }
"""

PLAN = """
query($asOf: DateTime!, $queue: Queue!) {
  staffingPlan(queue: $queue, asOf: $asOf, historyDays: 28, horizonDays: 2,
               serviceLevelTarget: 0.8, maxOccupancy: 0.85, shrinkage: 0.3) {
    historyFrom historyTo ahtSeconds answerSeconds method
    model { name description origins backtest { mase } seasonalNaive { mase }
            candidates { model mase } }
    hours { forecast { bucketStart mean hi80 }
            need { agents rostered serviceLevel occupancy trafficErlangs }
            needHigh { agents } } } }
"""


def owner_frame(dsn: str, query: str, *args: Any) -> pd.DataFrame:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(tq(query), *args))
        finally:
            await conn.close()

    return pd.DataFrame([dict(r) for r in asyncio.run(run())])


def erlang_c_textbook(n: int, a: float) -> float:
    """C(N, A) from its defining sums (Cooper 1981, eq. 3.4.3), independent of analytics.erlang."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def meets(n: int, a: float, aht: float, answer: float, target: float, occ: float) -> bool:
    if n <= a:
        return False
    sl = 1 - erlang_c_textbook(n, a) * math.exp(-(n - a) * answer / aht)
    return sl >= target and a / n <= occ


def test_daily_forecast_history_and_model_match_the_raw_rows(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    out = graphql(
        FORECAST,
        {"asOf": AS_OF.isoformat(), "g": "DAY", "days": 28, "bt": True},
        make_token("manager"),
    )
    assert "errors" not in out, out
    fc = out["data"]["volumeForecast"]
    start = pd.Timestamp(fc["historyFrom"])
    end = pd.Timestamp(fc["historyTo"])
    # the history is 28 whole local days ending at the local midnight before asOf
    assert end == pd.Timestamp(AS_OF.astimezone(PARIS).replace(hour=0, minute=0)).tz_convert("UTC")
    df = owner_frame(seeded_dsn, "dash_owner_tickets_created", start, end)
    assert fc["historyTotal"] == len(df)
    days = df["created_at"].dt.tz_convert(PARIS).dt.date.value_counts().sort_index()
    local_days = pd.date_range(start.tz_convert(PARIS).date(), periods=28, freq="D").date
    counts = [float(days.get(d, 0)) for d in local_days]
    # the model is chosen by backtest (analytics.model_selection, tested there); here the same
    # choice is recomputed from the raw rows and the calendars' holidays
    holidays = set(owner_frame(seeded_dsn, "stats_owner_holidays", "Europe/Paris")["holiday"])
    days = list(local_days) + [local_days[-1] + timedelta(days=i + 1) for i in range(7)]
    expected_choice = choose_forecast(counts, 7, 7, holidays=holiday_flags(days, holidays))
    expected = type("E", (), {"points": forecast_points(expected_choice.prediction),
                              "method": expected_choice.description})  # fmt: skip
    assert [b["localLabel"] for b in fc["buckets"]] == [
        (end.tz_convert(PARIS).date() + timedelta(days=i)).isoformat() for i in range(7)
    ]
    for got, want in zip(fc["buckets"], expected.points, strict=True):
        assert got["mean"] == pytest.approx(want.mean, rel=1e-9)
        assert got["lo95"] <= got["lo80"] <= got["mean"] <= got["hi80"] <= got["hi95"]
    assert fc["method"] == expected.method
    bt = fc["backtest"]
    assert bt["origins"] >= 1 and 0 <= bt["coverage80"] <= bt["coverage95"] <= 1


def test_an_agent_forecasts_from_their_own_tickets(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    variables = {"asOf": AS_OF.isoformat(), "g": "DAY", "days": 28, "bt": False}
    mine = graphql(FORECAST, variables, make_token("agent"))["data"]["volumeForecast"]
    everyone = graphql(FORECAST, variables, make_token("manager"))["data"]["volumeForecast"]
    agent_id = owner_frame(seeded_dsn, "owner_viewer_identity", users_by_role["agent"][0])
    start, end = pd.Timestamp(mine["historyFrom"]), pd.Timestamp(mine["historyTo"])
    own = owner_frame(seeded_dsn, "dash_owner_tickets", start, end)
    expected = int((own["assigned_agent_id"] == agent_id.iloc[0]["agent_id"]).sum())
    assert mine["historyTotal"] == expected < everyone["historyTotal"]


@pytest.mark.parametrize("queue", ["PHONE", "CHAT"])
def test_staffing_plan_follows_the_forecast_and_erlang_c(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str, queue: str
) -> None:
    """Per queue: the offered contacts recomputed from the raw queue rows, the model chosen by
    volumeForecast's backtest on them (never worse than seasonal naive, named in the result),
    its forecast, and Erlang C by the textbook formula."""
    out = graphql(PLAN, {"asOf": AS_OF.isoformat(), "queue": queue}, make_token("manager"))
    assert "errors" not in out, out
    plan = out["data"]["staffingPlan"]
    start, end = pd.Timestamp(plan["historyFrom"]), pd.Timestamp(plan["historyTo"])
    assert end == pd.Timestamp(AS_OF).floor("h") and end - start == pd.Timedelta(days=28)
    q = owner_frame(seeded_dsn, "owner_ops_queue_metrics", start, end)
    q = q[q["queue"] == queue.lower()]
    timed = q[q["aht_seconds"].notna()]
    aht = float(
        (timed["aht_seconds"].astype(float) * timed["answered"]).sum() / timed["answered"].sum()
    )
    assert plan["ahtSeconds"] == pytest.approx(aht, rel=1e-9)
    assert plan["answerSeconds"] == int(q.sort_values("bucket_start")["threshold_seconds"].iloc[-1])
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    offered = q.groupby(q["bucket_start"].dt.floor("h"))["offered"].sum()
    # modelled on local wall-clock hours: the repeated hour averaged, a skipped one carried
    real = pd.Series([float(offered.get(h, 0)) for h in hours], hours.tz_convert(PARIS))
    by_local = real.groupby(real.index.tz_localize(None)).mean()
    grid = by_local.reindex(pd.date_range(by_local.index[0], by_local.index[-1], freq="h"))
    grid = grid.ffill()
    future = pd.date_range(end, periods=48, freq="h").tz_convert(PARIS).tz_localize(None)
    steps = int((future.max() - grid.index[-1]) / pd.Timedelta(hours=1))
    holidays = set(owner_frame(seeded_dsn, "stats_owner_holidays", "Europe/Paris")["holiday"])
    days = [h.date() for h in grid.index] + [
        (grid.index[-1] + pd.Timedelta(hours=k + 1)).date() for k in range(steps)
    ]
    choice = choose_forecast(list(grid), steps, 168, periods=(24, 168),
                             holidays=holiday_flags(days, holidays), max_origins=3)  # fmt: skip
    assert choice.selection is not None
    model = plan["model"]
    assert (model["name"], model["description"], plan["method"]) == (
        choice.model, choice.description, choice.description,
    )  # fmt: skip
    assert model["origins"] == 3 and len(model["candidates"]) >= 4
    assert model["backtest"]["mase"] <= model["seasonalNaive"]["mase"]
    assert model["backtest"]["mase"] == min(c["mase"] for c in model["candidates"]) or (
        model["name"] == "seasonal_naive"
    )
    points = forecast_points(choice.prediction)
    expected_means = [points[int((f - grid.index[-1]) / pd.Timedelta(hours=1)) - 1].mean
                      for f in future]  # fmt: skip
    assert len(plan["hours"]) == 48
    for hour, mean in zip(plan["hours"], expected_means, strict=True):
        assert hour["forecast"]["mean"] == pytest.approx(mean, rel=1e-9)
        a = mean * plan["ahtSeconds"] / 3600
        need = hour["need"]
        assert need["trafficErlangs"] == pytest.approx(a, rel=1e-9)
        n, answer = need["agents"], plan["answerSeconds"]
        if a > 0:  # the smallest N meeting both targets, by the textbook formula
            assert meets(n, a, plan["ahtSeconds"], answer, 0.8, 0.85)
            assert not meets(n - 1, a, plan["ahtSeconds"], answer, 0.8, 0.85)
        assert need["rostered"] == math.ceil(round(n / 0.7, 9))
        assert hour["needHigh"]["agents"] >= n


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ volumeForecast(historyDays: 7) { method } }", "historyDays must be between 14"),
        ("{ volumeForecast(horizonDays: 30) { method } }", "horizonDays must be between 1"),
        ("{ staffingPlan(queue: CHAT, shrinkage: 1) { method } }", "shrinkage must be in"),
        ("{ staffingPlan(queue: CHAT, concurrency: 0.5) { method } }", "concurrency must be"),
        (
            '{ staffingPlan(queue: PHONE, asOf: "2026-11-20T12:00:00Z", maxOccupancy: 0.000000001)'
            " { method } }",
            "no staffing meets these targets",
        ),
    ],
)
def test_bad_arguments_are_clear_errors(
    graphql: GQL, make_token: Callable[..., str], query: str, message: str
) -> None:
    out = graphql(query, token=make_token("manager"))
    assert message in out["errors"][0]["message"]


def test_a_history_without_handled_contacts_is_a_clear_error(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    out = graphql(PLAN, {"asOf": "2020-01-01T00:00:00Z", "queue": "PHONE"}, make_token("manager"))
    assert "no answered phone contacts with a handle time" in out["errors"][0]["message"]


def test_a_staffing_plan_is_two_statements_then_a_cache_hit(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    variables = {"asOf": (AS_OF - timedelta(minutes=7)).isoformat(), "queue": "PHONE"}
    out = graphql(PLAN, variables, make_token("manager"))
    # begin + session setup + the data version + the queue's hours + the calendars' holidays
    assert out["extensions"]["sqlStatements"] == 5
    again = graphql(PLAN, variables, make_token("manager"))
    assert again["data"] == out["data"] and again["extensions"]["sqlStatements"] == 3


def test_hourly_forecast_follows_the_hours_before_as_of(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    out = graphql(
        "query($asOf: DateTime!) { volumeForecast(asOf: $asOf, granularity: HOUR, "
        'timezone: "Europe/Paris", historyDays: 14, horizonDays: 1) { historyFrom historyTo '
        "historyTotal buckets { bucketStart localLabel mean } } }",
        {"asOf": AS_OF.isoformat()},
        make_token("manager"),
    )
    fc = out["data"]["volumeForecast"]
    start, end = pd.Timestamp(fc["historyFrom"]), pd.Timestamp(fc["historyTo"])
    assert end == pd.Timestamp(AS_OF).floor("h") and end - start == pd.Timedelta(days=14)
    df = owner_frame(seeded_dsn, "dash_owner_tickets_created", start, end)
    per_hour = df.groupby(df["created_at"].dt.floor("h")).size()
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    counts = [float(per_hour.get(h, 0)) for h in hours]
    assert fc["historyTotal"] == sum(counts) == len(df)
    # 14 days leave no backtest origin: ETS(A,N,A) with the holiday (11 November) replaced
    holidays = set(owner_frame(seeded_dsn, "stats_owner_holidays", "Europe/Paris")["holiday"])
    local = [h.tz_convert(PARIS).date() for h in hours]
    flags = holiday_flags(local + [local[-1]] * 24, holidays)
    expected = forecast_counts(counts, 24, 168)
    if flags is not None:
        cleaned, _ = holiday_effect(np.asarray(counts), flags[: len(counts)], 168, "sqrt")
        expected = forecast_counts(cleaned, 24, 168)
    assert [pd.Timestamp(b["bucketStart"]) for b in fc["buckets"]] == list(
        pd.date_range(end, periods=24, freq="h")
    )
    assert fc["buckets"][0]["localLabel"] == end.tz_convert(PARIS).strftime("%Y-%m-%dT%H:%M+01:00")
    for got, want in zip(fc["buckets"], expected.points, strict=True):
        assert got["mean"] == pytest.approx(want.mean, rel=1e-9)
