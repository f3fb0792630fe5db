"""trend(groupBy) and the seasonal trend through the API against independent computations on
series rebuilt from the raw ticket rows with pandas (daily ticket counts per Paris day, per
channel; empty days are 0 for a count KPI): Mann-Kendall S by brute force, Var(S) with the tie
correction, Z with the continuity correction and its normal p (scipy), Sen's slope and CI against
scipy.stats.theilslopes; the seasonal test (period 7) against a numpy re-implementation of
Hirsch et al. (1982) and against analytics.trends.seasonal_mann_kendall, the analytics reference
(validated on published data in tests/analytics/test_trends.py), on the same raw series.
Tolerances: floating point (rel 1e-9; p-values 1e-9)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from stats_support import FROM, GQL, PARIS, TO, WINDOW, ok, owner_rows

from analytics.trends import seasonal_mann_kendall

FIELDS = "group buckets points s varS z pValue tau slope slopeCiLow slopeCiHigh"
TREND = """query($from: DateTime!, $to: DateTime!, $seasonal: Boolean!, $by: KpiGroupBy) {
  trend(kpi: "ticket_volume", granularity: DAY, seasonal: $seasonal, groupBy: $by,
        window: {from: $from, to: $to, timezone: "Europe/Paris"}) {
    method seasonal overall { FIELDS } groups { FIELDS } } }""".replace("FIELDS", FIELDS)


def daily_counts(created: pd.Series) -> np.ndarray:
    """Tickets per Paris day of the window, 0 on days without any."""
    days = pd.date_range(FROM.date(), TO.date(), freq="D", inclusive="left").date
    local = created.dt.tz_convert(PARIS).dt.date
    return local.value_counts().reindex(days, fill_value=0).to_numpy(dtype=float)


def ties_term(x: np.ndarray) -> float:
    _, t = np.unique(x, return_counts=True)
    return float(np.sum(t * (t - 1) * (2 * t + 5)))


def s_and_var(x: np.ndarray) -> tuple[int, float]:
    n = x.size
    s = int(sum(np.sign(x[j] - x[i]) for i in range(n) for j in range(i + 1, n)))
    return s, (n * (n - 1) * (2 * n + 5) - ties_term(x)) / 18


def z_and_p(s: int, var_s: float) -> tuple[float, float]:
    z = 0.0 if s == 0 else (s - math.copysign(1, s)) / math.sqrt(var_s)
    return z, float(2 * stats.norm.sf(abs(z)))


def check_plain(got: dict[str, Any], x: np.ndarray) -> None:
    pos = np.arange(x.size, dtype=float)
    s, var_s = s_and_var(x)
    z, p = z_and_p(s, var_s)
    assert (got["points"], got["s"]) == (x.size, s)
    assert got["varS"] == pytest.approx(var_s, rel=1e-12)
    assert got["z"] == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert got["pValue"] == pytest.approx(p, rel=1e-9)
    assert got["tau"] == pytest.approx(s / (x.size * (x.size - 1) / 2), rel=1e-12)
    ref = stats.theilslopes(x, pos, alpha=0.95)
    assert got["slope"] == pytest.approx(ref.slope, rel=1e-9, abs=1e-12)
    assert got["slopeCiLow"] == pytest.approx(ref.low_slope, rel=1e-9, abs=1e-12)
    assert got["slopeCiHigh"] == pytest.approx(ref.high_slope, rel=1e-9, abs=1e-12)


@pytest.fixture(scope="module")
def tickets(seeded_dsn: str) -> pd.DataFrame:
    return owner_rows(seeded_dsn, "dash_owner_tickets_channel", FROM, TO)


def test_each_groups_trend_matches_scipy_on_its_raw_series(
    graphql: GQL, make_token: Callable[..., str], tickets: pd.DataFrame
) -> None:
    variables = {**WINDOW, "seasonal": False, "by": "CHANNEL"}
    got = ok(graphql(TREND, variables, make_token("manager")))["trend"]
    check_plain(got["overall"], daily_counts(tickets.created_at))
    channels = sorted(tickets.channel.unique())
    assert sorted(g["group"] for g in got["groups"]) == channels and len(channels) >= 3
    for group in got["groups"]:
        assert group["buckets"] == 28
        check_plain(group, daily_counts(tickets[tickets.channel == group["group"]].created_at))


def test_the_seasonal_trend_matches_hirsch_and_the_analytics_reference(
    graphql: GQL, make_token: Callable[..., str], tickets: pd.DataFrame
) -> None:
    got = ok(graphql(TREND, {**WINDOW, "seasonal": True, "by": None}, make_token("manager")))
    trend = got["trend"]
    assert trend["seasonal"] and "period 7" in trend["method"]
    x = daily_counts(tickets.created_at)
    s = 0
    var_s = 0.0
    pairs = 0
    slopes: list[float] = []
    for season in range(7):
        idx = np.arange(season, x.size, 7)
        s_g, var_g = s_and_var(x[idx])
        s, var_s, pairs = s + s_g, var_s + var_g, pairs + idx.size * (idx.size - 1) // 2
        slopes += [(x[j] - x[i]) / (j - i) for a, i in enumerate(idx) for j in idx[a + 1 :]]
    z, p = z_and_p(s, var_s)
    t = trend["overall"]
    assert (t["points"], t["s"]) == (x.size, s)
    assert t["varS"] == pytest.approx(var_s, rel=1e-12)
    assert t["z"] == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert t["pValue"] == pytest.approx(p, rel=1e-9)
    assert t["tau"] == pytest.approx(s / pairs, rel=1e-12)
    assert t["slope"] == pytest.approx(float(np.median(slopes)), rel=1e-9, abs=1e-12)
    ref = seasonal_mann_kendall(x, 7)
    assert t["slopeCiLow"] == pytest.approx(ref.slope_ci_low, rel=1e-12, abs=1e-12)
    assert t["slopeCiHigh"] == pytest.approx(ref.slope_ci_high, rel=1e-12, abs=1e-12)
    assert (t["s"], t["pValue"]) == (ref.s, pytest.approx(ref.p_value, rel=1e-12))
    # the seasonal test differs from the plain one on this weekly-patterned series
    plain = ok(graphql(TREND, {**WINDOW, "seasonal": False, "by": None}, make_token("manager")))
    assert plain["trend"]["overall"]["varS"] != t["varS"]
