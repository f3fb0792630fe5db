"""The forecast fields through the API against independent computations: kpiForecast and
volumeForecast name their model and never lose to seasonal naive; an agent's kpiForecast is
recomputed from the raw ratings of the agent's own tickets."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from stats_support import END_LOCAL, GQL, PARIS, agent_of, ok, owner_rows
from testkit import SEED_END

from resolvers.statistics_forecast import choose_forecast, holiday_flags

FORECAST = """query($asOf: DateTime!) {
  kpiForecast(kpi: "csat", asOf: $asOf, timezone: "Europe/Paris", historyDays: 28,
              horizonDays: 7) {
    observedDays model { name description origins backtest { mase wape coverage95 }
      seasonalNaive { mase wape } candidates { model mase } }
    buckets { localLabel mean lo80 hi80 lo95 hi95 } } }"""

VOLUME = """query($asOf: DateTime!, $channel: Channel) {
  volumeForecast(asOf: $asOf, granularity: DAY, historyDays: 28, horizonDays: 7,
                 channel: $channel, timezone: "Europe/Paris") {
    historyFrom historyTo historyTotal method channel
    model { name holidayEffects backtest { mase } seasonalNaive { mase } candidates { model } }
    buckets { mean lo95 hi95 } } }"""


def test_kpi_forecast_names_its_model_and_never_loses_to_seasonal_naive(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    out = ok(graphql(FORECAST, {"asOf": SEED_END.isoformat()}, make_token("manager")))
    fc = out["kpiForecast"]
    model = fc["model"]
    assert model["name"] in {c["model"] for c in model["candidates"]}
    assert {"seasonal_naive", "ets_ana", "ets_aaa", "ets_aada"} <= {
        c["model"] for c in model["candidates"]
    }
    assert model["backtest"]["mase"] <= model["seasonalNaive"]["mase"]
    assert len(fc["buckets"]) == 7
    for b in fc["buckets"]:
        assert b["lo95"] <= b["lo80"] <= b["mean"] <= b["hi80"] <= b["hi95"]


def test_volume_forecast_per_channel(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str
) -> None:
    token = make_token("manager")
    fc = ok(graphql(VOLUME, {"asOf": SEED_END.isoformat(), "channel": "CHAT"}, token))
    chat = fc["volumeForecast"]
    df = owner_rows(seeded_dsn, "dash_owner_tickets_channel",
                    pd.Timestamp(chat["historyFrom"]), pd.Timestamp(chat["historyTo"]))  # fmt: skip
    assert chat["historyTotal"] == int((df["channel"] == "chat").sum())
    assert chat["channel"] == "CHAT"
    assert chat["model"]["backtest"]["mase"] <= chat["model"]["seasonalNaive"]["mase"]
    assert chat["method"]


AGENT_FORECAST = """query($asOf: DateTime!) {
  kpiForecast(kpi: "csat", asOf: $asOf, timezone: "Europe/Paris", historyDays: 28,
              horizonDays: 7) {
    historyFrom historyTo observedDays model { name description holidayEffects }
    buckets { localLabel mean lo95 hi95 } } }"""


def test_an_agents_kpi_forecast_uses_only_the_agents_rows(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str,
) -> None:  # fmt: skip
    """The agent's CSAT forecast equals the forecast recomputed from the raw ratings of the
    agent's own tickets (daily means over local Paris days, pandas; empty days interpolated;
    the business calendars' holidays), and differs from the manager's."""
    agent, _ = agent_of(seeded_dsn, users_by_role["agent"][0])
    variables = {"asOf": SEED_END.isoformat()}
    mine = ok(graphql(AGENT_FORECAST, variables, make_token("agent")))["kpiForecast"]
    everyone = ok(graphql(AGENT_FORECAST, variables, make_token("manager")))["kpiForecast"]
    start, end = pd.Timestamp(mine["historyFrom"]), pd.Timestamp(mine["historyTo"])
    assert end == pd.Timestamp(END_LOCAL)
    raw = owner_rows(seeded_dsn, "stats_owner_csat_sent_by_agent", start, end)
    own = raw[raw["agent_id"].astype(str) == agent]
    assert 0 < len(own) < len(raw)
    local_day = own["sent_at"].dt.tz_convert(PARIS).dt.date
    per_day = own.groupby(local_day)["rating"].mean()
    days = pd.date_range(start.tz_convert(PARIS).date(), periods=28, freq="D").date
    values = pd.Series([per_day.get(d, np.nan) for d in days], dtype=float)
    assert mine["observedDays"] == int(values.notna().sum())
    filled = values.interpolate(limit_direction="both").to_numpy()
    holidays = set(owner_rows(seeded_dsn, "stats_owner_holidays", "Europe/Paris")["holiday"])
    horizon = [days[-1] + timedelta(days=i + 1) for i in range(7)]
    flags = holiday_flags([*days, *horizon], holidays)
    want = choose_forecast(list(filled), 7, 7, transform="none", holidays=flags)
    assert (mine["model"]["name"], mine["model"]["description"]) == (want.model, want.description)
    assert [b["mean"] for b in mine["buckets"]] == pytest.approx(list(want.prediction.mean),
                                                                 rel=1e-9)  # fmt: skip
    assert [b["hi95"] for b in mine["buckets"]] == pytest.approx(list(want.prediction.hi95),
                                                                 rel=1e-9)  # fmt: skip
    assert mine["buckets"] != everyone["buckets"]
