"""Satisfaction drivers on simulated surveys with known effects (the generator's form: a latent
mean shifted by reopenings, breaches and skill, then rounded and clipped to 1-5)."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
import statsmodels.formula.api as smf

from analytics.drivers import DriversResult, driver_frame, satisfaction_drivers

TRUTH = {  # latent-scale effects, as in synthetic/outcomes.py
    "reopened": -0.6,
    "first_response_breached": -0.55,
    "resolution_breached": -0.45,
    "agent_skill": 0.12,
}
NULLS = {"resolution_time", "agent_tenure", "agent_replies", "channel", "vip_tier", "category"}


def _rows(n: int, seed: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    reopened = rng.random(n) < 0.12
    fr = rng.random(n) < 0.08
    res = rng.random(n) < 0.1
    skill = rng.integers(1, 6, n)
    mu = 4.5 - 0.6 * reopened - 0.55 * fr - 0.45 * res + 0.12 * (skill - 3)
    csat = np.clip(np.round(mu + rng.normal(0, 0.75, n)), 1, 5).astype(int)
    channel = rng.choice(["email", "chat", "phone", "social"], n)
    return [
        {
            "csat": int(csat[i]),
            "first_response_minutes": float(rng.lognormal(3, 1)),
            "resolution_minutes": float(rng.lognormal(6, 1)),
            "reopen_count": int(reopened[i]) * int(rng.integers(1, 3)),
            "agent_replies": int(rng.integers(1, 6)),
            "agent_skill": int(skill[i]),
            "agent_tenure_years": float(rng.uniform(0.2, 8)),
            "sentiment": None if rng.random() < 0.1 else float(rng.uniform(-1, 1)),
            "fr_breached": bool(fr[i]),
            "res_breached": bool(res[i]),
            "channel": str(channel[i]),
            "category_root": str(rng.choice(["billing", "account", "orders"])),
            "vip_tier": str(rng.choice(["standard", "gold"], p=[0.8, 0.2])),
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return driver_frame(_rows(12_000, 7))


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame) -> DriversResult:
    return satisfaction_drivers(frame, random_state=1)


def test_true_effects_in_true_order_and_sign(result: DriversResult) -> None:
    found = {e.factor: e for e in result.effects if e.level is None}
    for factor, truth in TRUTH.items():
        e = found[factor]
        assert e.significant and np.sign(e.effect) == np.sign(truth)
        # rounding and clipping at 5 attenuate the latent effects: within 55-105% of the truth
        assert 0.55 * abs(truth) <= abs(e.effect) <= 1.05 * abs(truth), factor
    order = [f for f in sorted(TRUTH, key=lambda f: -abs(TRUTH[f]))]
    assert sorted(TRUTH, key=lambda f: -abs(found[f].effect)) == order


def test_no_false_discoveries_among_absent_effects(result: DriversResult) -> None:
    nulls = [e for e in result.effects if e.factor in NULLS or e.factor == "sentiment"]
    assert nulls and not [e for e in nulls if e.significant]
    assert result.n == 12_000 and 0 < result.r_squared < 1


def test_effects_and_intervals_match_statsmodels(
    frame: pd.DataFrame, result: DriversResult
) -> None:
    cols = ["reopened", "first_response_breached", "resolution_breached", "agent_skill"]
    # an independent fit of the same terms (numeric subset + the same dummies) by formula
    formula = (
        "csat ~ first_response_time + resolution_time + reopened + agent_replies + agent_skill"
        " + agent_tenure + sentiment + first_response_breached + resolution_breached"
        " + C(channel, Treatment('email')) + C(category, Treatment('orders'))"
        " + C(vip_tier, Treatment('standard'))"
    )
    reference = smf.ols(formula, data=frame).fit(cov_type="HC3")
    found = {e.factor: e for e in result.effects if e.level is None}
    for c in cols:
        assert found[c].effect == pytest.approx(reference.params[c], abs=1e-9)
        assert found[c].ci_low == pytest.approx(reference.conf_int().loc[c, 0], abs=1e-9)


def test_permutation_importance_ranks_the_strong_factors_first(result: DriversResult) -> None:
    importance = {e.factor: e.importance for e in result.effects}
    strongest_null = max(importance[f] for f in NULLS)
    for factor in ("reopened", "first_response_breached", "resolution_breached"):
        assert importance[factor] > strongest_null


def test_too_few_surveys_refused() -> None:
    with pytest.raises(ValueError, match="at least 50"):
        satisfaction_drivers(driver_frame(_rows(20, 1)))
