"""volumeForecast per channel, both forecasts under a team lead's rights and volumeForecast under
an agent's (kpiForecast under an agent's: tests/schema/test_statistics_forecasts.py), against
the raw rows (pandas, as the owner, restricted as row level security restricts the caller) and
the model choice recomputed from them: daily counts (or daily mean ratings) over local Paris
days, the business calendars' holidays, and the same rolling-origin backtest choice
(resolvers.statistics_forecast.choose_forecast, whose selection is tested in tests/analytics);
means and intervals to rel 1e-9."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from stats_support import END_LOCAL, GQL, PARIS, agent_of, ok, owner_rows
from testkit import SEED_END

from resolvers.statistics_forecast import DAILY_ORIGINS, choose_forecast, holiday_flags

VOLUME = """query($asOf: DateTime!, $channel: Channel) {
  volumeForecast(asOf: $asOf, granularity: DAY, historyDays: 28, horizonDays: 7,
                 channel: $channel, timezone: "Europe/Paris") {
    historyFrom historyTo historyTotal method channel
    model { name description backtest { mase } seasonalNaive { mase } }
    buckets { localLabel mean lo95 hi95 } } }"""

CSAT = """query($asOf: DateTime!) {
  kpiForecast(kpi: "csat", asOf: $asOf, timezone: "Europe/Paris", historyDays: 28,
              horizonDays: 7) {
    historyFrom historyTo observedDays model { name description }
    buckets { mean lo95 hi95 } } }"""


def local_days(fc: dict[str, Any]) -> list[date]:
    start = pd.Timestamp(fc["historyFrom"]).tz_convert(PARIS).date()
    return list(pd.date_range(start, periods=28, freq="D").date)


def flags(seeded_dsn: str, days: list[date]) -> list[bool]:
    holidays = set(owner_rows(seeded_dsn, "stats_owner_holidays", "Europe/Paris")["holiday"])
    return holiday_flags([*days, *(days[-1] + timedelta(days=i + 1) for i in range(7))], holidays)


def check_volume(fc: dict[str, Any], created: pd.Series, seeded_dsn: str) -> None:
    """The forecast's history total and model against the daily counts of ``created``."""
    days = local_days(fc)
    per_day = created.dt.tz_convert(PARIS).dt.date.value_counts()
    counts = [float(per_day.get(d, 0)) for d in days]
    assert fc["historyTotal"] == len(created) == int(sum(counts))
    want = choose_forecast(counts, 7, 7, holidays=flags(seeded_dsn, days),
                           max_origins=DAILY_ORIGINS)  # fmt: skip
    model = fc["model"]
    assert (model["name"], model["description"], fc["method"]) == (
        want.model, want.description, want.description)  # fmt: skip
    assert model["backtest"]["mase"] <= model["seasonalNaive"]["mase"]
    assert [b["mean"] for b in fc["buckets"]] == pytest.approx(list(want.prediction.mean),
                                                               rel=1e-9)  # fmt: skip
    assert [b["hi95"] for b in fc["buckets"]] == pytest.approx(list(want.prediction.hi95),
                                                               rel=1e-9)  # fmt: skip


@pytest.fixture(scope="module")
def tickets(seeded_dsn: str) -> pd.DataFrame:
    end = pd.Timestamp(END_LOCAL)
    return owner_rows(seeded_dsn, "stats_owner_tickets_team_channel", end - pd.Timedelta(days=29),
                      end)  # fmt: skip


@pytest.mark.parametrize("channel", ["EMAIL", "CHAT", "PHONE", "SOCIAL"])
def test_each_channels_forecast_matches_its_raw_history_and_backtest_choice(
    graphql: GQL, make_token: Callable[..., str], seeded_dsn: str, tickets: pd.DataFrame,
    channel: str,
) -> None:  # fmt: skip
    out = graphql(VOLUME, {"asOf": SEED_END.isoformat(), "channel": channel},
                  make_token("manager"))  # fmt: skip
    fc = ok(out)["volumeForecast"]
    assert fc["channel"] == channel
    start, end = pd.Timestamp(fc["historyFrom"]), pd.Timestamp(fc["historyTo"])
    assert end == pd.Timestamp(END_LOCAL)
    rows = tickets[(tickets.created_at >= start) & (tickets.created_at < end)]
    mine = rows[rows.channel == channel.lower()]
    assert 0 < len(mine) < len(rows)
    check_volume(fc, mine.created_at, seeded_dsn)


def test_a_team_leads_forecasts_use_only_the_teams_rows(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str, tickets: pd.DataFrame,
) -> None:  # fmt: skip
    _, team = agent_of(seeded_dsn, users_by_role["team_lead"][0])
    variables = {"asOf": SEED_END.isoformat(), "channel": None}
    lead, manager = make_token("team_lead"), make_token("manager")
    fc = ok(graphql(VOLUME, variables, lead))["volumeForecast"]
    everyone = ok(graphql(VOLUME, variables, manager))["volumeForecast"]
    start, end = pd.Timestamp(fc["historyFrom"]), pd.Timestamp(fc["historyTo"])
    rows = tickets[(tickets.created_at >= start) & (tickets.created_at < end)]
    check_volume(fc, rows[rows.team_id == team].created_at, seeded_dsn)
    assert fc["historyTotal"] < everyone["historyTotal"]

    mine = ok(graphql(CSAT, {"asOf": SEED_END.isoformat()}, lead))["kpiForecast"]
    others = ok(graphql(CSAT, {"asOf": SEED_END.isoformat()}, manager))["kpiForecast"]
    start, end = pd.Timestamp(mine["historyFrom"]), pd.Timestamp(mine["historyTo"])
    raw = owner_rows(seeded_dsn, "stats_owner_csat_sent_rows", start, end)
    own = raw[raw.team_id == team]
    assert 0 < len(own) < len(raw)
    per_day = own.groupby(own.sent_at.dt.tz_convert(PARIS).dt.date)["rating"].mean()
    days = local_days(mine)
    values = pd.Series([per_day.get(d, np.nan) for d in days], dtype=float)
    assert mine["observedDays"] == int(values.notna().sum())
    filled = values.interpolate(limit_direction="both").to_numpy()
    want = choose_forecast(list(filled), 7, 7, transform="none", holidays=flags(seeded_dsn, days))
    assert (mine["model"]["name"], mine["model"]["description"]) == (want.model, want.description)
    assert [b["mean"] for b in mine["buckets"]] == pytest.approx(list(want.prediction.mean),
                                                                 rel=1e-9)  # fmt: skip
    assert [b["hi95"] for b in mine["buckets"]] == pytest.approx(list(want.prediction.hi95),
                                                                 rel=1e-9)  # fmt: skip
    assert mine["buckets"] != others["buckets"]


def test_an_agents_volume_forecast_is_recomputed_from_their_own_tickets(
    graphql: GQL, make_token: Callable[..., str], users_by_role: dict[str, list[uuid.UUID]],
    seeded_dsn: str, tickets: pd.DataFrame,
) -> None:  # fmt: skip
    agent, _ = agent_of(seeded_dsn, users_by_role["agent"][0])
    variables = {"asOf": SEED_END.isoformat(), "channel": None}
    fc = ok(graphql(VOLUME, variables, make_token("agent")))["volumeForecast"]
    start, end = pd.Timestamp(fc["historyFrom"]), pd.Timestamp(fc["historyTo"])
    rows = tickets[(tickets.created_at >= start) & (tickets.created_at < end)]
    check_volume(fc, rows[rows.agent_id == agent].created_at, seeded_dsn)
