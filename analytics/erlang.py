"""Erlang C (M/M/N queue) staffing: probability of waiting, service level, ASA, occupancy.

With offered traffic A = λ·AHT Erlangs, N agents and answer target T seconds (docs/metrics.md,
"Queues and staffing"):

    P(wait) = C(N, A) = N·B(N, A) / (N − A·(1 − B(N, A)))        for N > A, else 1
    SL      = 1 − P(wait)·exp(−(N − A)·T / AHT)                   for N > A, else 0
    ASA     = P(wait)·AHT / (N − A)                               for N > A, else ∞
    occupancy = A / N (capped at 1)

B(N, A) is Erlang B, computed with the stable recursion B(0) = 1,
B(k) = A·B(k−1) / (k + A·B(k−1)); this avoids the overflow of A^N / N! in the textbook sum.
Chat handled ``concurrency`` at a time divides the workload: A = λ·AHT / concurrency.

References:
    Erlang, A. K. (1917), Elektroteknikeren 13, 5-13; Cooper, R. B. (1981), Introduction to
    Queueing Theory, 2nd ed., sections 3.4-3.5 (Erlang B recursion and the B-to-C relation);
    Gans, Koole & Mandelbaum (2003), "Telephone call centers: tutorial, review, and research
    prospects", M&SOM 5(2), 79-141 (service level and ASA for M/M/N).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_MAX_AGENTS = 100_000


@dataclass(frozen=True, slots=True)
class StaffingRequirement:
    """Smallest on-phone headcount meeting the targets, and the roster that covers shrinkage."""

    agents: int
    rostered: int
    service_level: float
    asa: float
    occupancy: float
    p_wait: float
    traffic: float


def _check_agents(n_agents: int) -> int:
    if isinstance(n_agents, bool) or int(n_agents) != n_agents or n_agents < 0:
        raise ValueError(f"n_agents must be a non-negative integer, got {n_agents!r}")
    return int(n_agents)


def _check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        qualifier = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a finite {qualifier} number, got {value!r}")
    return float(value)


def traffic_intensity(
    arrivals_per_interval: float,
    interval_seconds: float,
    aht_seconds: float,
    concurrency: float = 1.0,
) -> float:
    """Offered load in Erlangs: A = (arrivals / interval) · AHT / concurrency."""
    arrivals = _check_positive(arrivals_per_interval, "arrivals_per_interval", allow_zero=True)
    interval = _check_positive(interval_seconds, "interval_seconds")
    aht = _check_positive(aht_seconds, "aht_seconds")
    if not math.isfinite(concurrency) or concurrency < 1:
        raise ValueError(f"concurrency must be a finite number >= 1, got {concurrency!r}")
    return arrivals / interval * aht / concurrency


def erlang_b(n_agents: int, traffic: float) -> float:
    """Blocking probability B(N, A) by the recursion B(k) = A·B(k−1) / (k + A·B(k−1))."""
    n = _check_agents(n_agents)
    a = _check_positive(traffic, "traffic", allow_zero=True)
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n_agents: int, traffic: float) -> float:
    """P(wait) = C(N, A) = N·B / (N − A·(1 − B)); 1.0 when N ≤ A (the queue grows without bound)."""
    n = _check_agents(n_agents)
    a = _check_positive(traffic, "traffic", allow_zero=True)
    if a == 0.0:
        return 0.0
    if n <= a:
        return 1.0
    b = erlang_b(n, a)
    return n * b / (n - a * (1.0 - b))


def service_level(
    n_agents: int, traffic: float, aht_seconds: float, answer_seconds: float
) -> float:
    """Share answered within T: 1 − C(N, A)·exp(−(N − A)·T / AHT); 0 when N ≤ A."""
    aht = _check_positive(aht_seconds, "aht_seconds")
    target = _check_positive(answer_seconds, "answer_seconds", allow_zero=True)
    n, a = _check_agents(n_agents), _check_positive(traffic, "traffic", allow_zero=True)
    if a == 0.0:
        return 1.0
    if n <= a:
        return 0.0
    return 1.0 - erlang_c(n, a) * math.exp(-(n - a) * target / aht)


def asa(n_agents: int, traffic: float, aht_seconds: float) -> float:
    """Average speed of answer in seconds: C(N, A)·AHT / (N − A); ``inf`` when N ≤ A."""
    aht = _check_positive(aht_seconds, "aht_seconds")
    n, a = _check_agents(n_agents), _check_positive(traffic, "traffic", allow_zero=True)
    if a == 0.0:
        return 0.0
    if n <= a:
        return math.inf
    return erlang_c(n, a) * aht / (n - a)


def occupancy(n_agents: int, traffic: float) -> float:
    """A / N, capped at 1 (with N ≤ A every agent is always busy); 0 for no traffic."""
    n, a = _check_agents(n_agents), _check_positive(traffic, "traffic", allow_zero=True)
    if a == 0.0:
        return 0.0
    if n == 0:
        return 1.0
    return min(a / n, 1.0)


def required_agents(
    arrivals_per_interval: float,
    interval_seconds: float,
    aht_seconds: float,
    target_sl: float,
    answer_seconds: float,
    *,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.0,
    concurrency: float = 1.0,
) -> StaffingRequirement:
    """Smallest N with SL ≥ target_sl and A/N ≤ max_occupancy; rostered = ⌈N / (1 − shrinkage)⌉.

    Worked check (docs/metrics.md): 100 contacts per 1800 s, AHT 180 s, 80% in 20 s → A = 10,
    N = 14 (SL ≈ 0.888), 20 rostered at 30% shrinkage. No arrivals need no agents.
    """
    if not 0.0 < target_sl < 1.0:
        raise ValueError(f"target_sl must be in (0, 1), got {target_sl!r}")
    if not 0.0 < max_occupancy <= 1.0:
        raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    answer = _check_positive(answer_seconds, "answer_seconds", allow_zero=True)
    a = traffic_intensity(arrivals_per_interval, interval_seconds, aht_seconds, concurrency)
    if a == 0.0:
        return StaffingRequirement(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0)
    # N > A is necessary, and so is N >= A / max_occupancy: start at the larger (occupancy is
    # still checked exactly below), so a tiny max_occupancy is refused at once, not searched for
    n = max(math.floor(a) + 1, math.ceil(round(a / max_occupancy, 9)))
    if n > _MAX_AGENTS:
        raise ValueError(
            f"no staffing up to {_MAX_AGENTS} agents meets the targets (A = {a:.1f}, max "
            f"occupancy {max_occupancy:g} needs {n} agents)"
        )
    while n <= _MAX_AGENTS:
        sl = service_level(n, a, aht_seconds, answer)
        if sl >= target_sl and a / n <= max_occupancy:
            # round() guards against ceil(20.000000000000004) = 21 from binary fractions.
            rostered = math.ceil(round(n / (1.0 - shrinkage), 9))
            return StaffingRequirement(
                agents=n,
                rostered=rostered,
                service_level=sl,
                asa=asa(n, a, aht_seconds),
                occupancy=occupancy(n, a),
                p_wait=erlang_c(n, a),
                traffic=a,
            )
        n += 1
    raise ValueError(f"no staffing up to {_MAX_AGENTS} agents meets the targets (A = {a:.1f})")
