"""Tests for analytics.erlang.

Independent reference: the textbook closed forms (Cooper 1981, Introduction to Queueing Theory,
eqs. for Erlang B and C) evaluated in exact rational arithmetic with ``fractions.Fraction``:

    B(N, A) = (A^N / N!) / Σ_{k=0}^{N} A^k / k!
    C(N, A) = (A^N / N! · N / (N − A)) / (Σ_{k=0}^{N−1} A^k / k! + A^N / N! · N / (N − A))

Note: the brief quoted P(wait) ≈ 0.4487 for A = 10 Erlangs, N = 12; the exact value of the
formula is 0.449388... (computed below), so that is what is asserted.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from reference_values import ERLANG_WORKED_CHECK

from analytics.erlang import (
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    service_level,
    traffic_intensity,
)


def exact_erlang_b(n: int, a: Fraction) -> Fraction:
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


CASES = [(12, 10.0), (11, 10.0), (14, 10.0), (3, 2.5), (30, 24.75), (215, 200.0), (1, 0.5)]


def test_metrics_worked_check() -> None:
    ref = ERLANG_WORKED_CHECK
    req = required_agents(
        ref["arrivals_per_interval"],
        ref["interval_seconds"],
        ref["aht_seconds"],
        ref["target_sl"],
        ref["answer_seconds"],
        shrinkage=ref["shrinkage"],
    )
    assert req.traffic == pytest.approx(ref["traffic"], rel=1e-12)
    assert req.agents == ref["agents"]
    assert req.rostered == ref["rostered"]
    assert req.service_level == pytest.approx(ref["service_level"], abs=5e-4)
    assert req.occupancy == pytest.approx(10 / 14, rel=1e-12)
    p_wait = float(exact_erlang_c(14, Fraction(10)))
    assert req.p_wait == pytest.approx(p_wait, rel=1e-12)
    assert req.asa == pytest.approx(p_wait * 180 / 4, rel=1e-12)
    # 13 agents would miss the target: that is why the answer is 14.
    sl13 = 1 - float(exact_erlang_c(13, Fraction(10))) * math.exp(-3 * 20 / 180)
    assert sl13 < 0.80


def test_erlang_c_textbook_value_a10_n12() -> None:
    exact = float(exact_erlang_c(12, Fraction(10)))
    assert exact == pytest.approx(0.449388, abs=1e-6)
    assert erlang_c(12, 10.0) == pytest.approx(exact, rel=1e-12)


@pytest.mark.parametrize(("n", "a"), CASES)
def test_erlang_b_and_c_match_exact_fractions(n: int, a: float) -> None:
    fa = Fraction(a)  # exact value of the binary float
    assert erlang_b(n, a) == pytest.approx(float(exact_erlang_b(n, fa)), rel=1e-12)
    assert erlang_c(n, a) == pytest.approx(float(exact_erlang_c(n, fa)), rel=1e-12)


@pytest.mark.parametrize(("n", "a"), CASES)
def test_service_level_and_asa_formulas(n: int, a: float) -> None:
    c = float(exact_erlang_c(n, Fraction(a)))
    aht, target = 240.0, 30.0
    expected_sl = 1 - c * math.exp(-(n - a) * target / aht)
    assert service_level(n, a, aht, target) == pytest.approx(expected_sl, rel=1e-12)
    assert asa(n, a, aht) == pytest.approx(c * aht / (n - a), rel=1e-12)


def test_large_traffic_is_stable() -> None:
    # A^N / N! overflows a double here; the recursion does not.
    p = erlang_c(1100, 1000.0)
    assert 0.0 < p < 1.0
    assert math.isfinite(p)


def test_unstable_queue() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(8, 10.0) == 1.0
    assert service_level(10, 10.0, 180, 20) == 0.0
    assert asa(9, 10.0, 180) == math.inf
    assert occupancy(8, 10.0) == 1.0


def test_zero_traffic() -> None:
    assert erlang_c(3, 0.0) == 0.0
    assert service_level(0, 0.0, 180, 20) == 1.0
    req = required_agents(0, 1800, 180, 0.8, 20)
    assert (req.agents, req.rostered, req.service_level) == (0, 0, 1.0)


def test_occupancy_constraint_binds() -> None:
    # A = 10: with a 600 s answer target 11 agents already give SL ≈ 0.976, but 10/11 > 0.85.
    req = required_agents(100, 1800, 180, 0.8, 600, max_occupancy=0.85)
    assert req.agents == 12
    assert service_level(11, 10.0, 180, 600) >= 0.8
    relaxed = required_agents(100, 1800, 180, 0.8, 600, max_occupancy=1.0)
    assert relaxed.agents == 11


def test_chat_concurrency_divides_workload() -> None:
    assert traffic_intensity(200, 3600, 600, concurrency=2) == pytest.approx(200 * 600 / 3600 / 2)
    chat = required_agents(200, 3600, 600, 0.8, 60, concurrency=2)
    voice = required_agents(100, 3600, 600, 0.8, 60)
    assert chat.traffic == pytest.approx(voice.traffic)
    assert chat.agents == voice.agents


@pytest.mark.parametrize(("agents", "shrinkage", "rostered"), [(14, 0.3, 20), (7, 0.3, 10)])
def test_rostered_rounding(agents: int, shrinkage: float, rostered: int) -> None:
    # ceil(N / (1 − s)) computed exactly: 14 / (7/10) = 20, 7 / (7/10) = 10.
    exact = math.ceil(Fraction(agents) / (1 - Fraction(str(shrinkage))))
    assert exact == rostered
    arrivals = {14: 100.0, 7: 40.0}[agents]
    req = required_agents(arrivals, 1800, 180, 0.8, 20, shrinkage=shrinkage)
    assert req.agents == agents
    assert req.rostered == rostered


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_sl": 1.0}, "target_sl"),
        ({"target_sl": 0.0}, "target_sl"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
        ({"concurrency": 0.5}, "concurrency"),
        ({"aht_seconds": 0.0}, "aht_seconds"),
        ({"interval_seconds": -1.0}, "interval_seconds"),
        ({"arrivals_per_interval": -5.0}, "arrivals_per_interval"),
        ({"answer_seconds": float("nan")}, "answer_seconds"),
    ],
)
def test_invalid_inputs(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {
        "arrivals_per_interval": 100.0,
        "interval_seconds": 1800.0,
        "aht_seconds": 180.0,
        "target_sl": 0.8,
        "answer_seconds": 20.0,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        required_agents(**args)  # type: ignore[arg-type]


def test_invalid_agent_counts() -> None:
    with pytest.raises(ValueError, match="n_agents"):
        erlang_c(-1, 2.0)
    with pytest.raises(ValueError, match="n_agents"):
        erlang_c(2.5, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="traffic"):
        erlang_b(3, -1.0)


def test_an_unreachable_occupancy_cap_is_refused_without_a_search() -> None:
    """A / max_occupancy agents are needed at least: with A = 10 and a cap of 1e-5 that is a
    million, past the search limit, so the answer is an error naming the reason."""
    with pytest.raises(ValueError, match="max occupancy 1e-05 needs 1000000 agents"):
        required_agents(100, 1800, 180, 0.8, 20, max_occupancy=1e-5)


def test_the_occupancy_cap_sets_the_floor_of_the_search() -> None:
    # A = 10; with a 50% cap N >= 20 even though 14 agents already meet 80/20
    r = required_agents(100, 1800, 180, 0.8, 20, max_occupancy=0.5)
    assert r.agents == 20 and r.occupancy == pytest.approx(0.5)
