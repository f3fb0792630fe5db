"""Leaderboards and coaching opportunities from per-agent KPI figures.

Pure: figures in, frozen rankings out.

Attainment of one KPI (for ranking only): value ÷ target when higher is better, target ÷ value
when lower is better, capped at :data:`ATTAINMENT_CAP` so one extreme KPI cannot dominate. An
agent's score is the mean attainment over the KPIs that have a target and a value; "most
improved" ranks by score − previous score. This is a transparent balanced-scorecard rule
(Kaplan & Norton 1992), not a statistical claim.

Coaching: an agent is a coaching opportunity on a mean-type KPI (CSAT, quality score) when a
one-sided t-test says their mean is below the target by more than a margin, with
Benjamini–Hochberg control of the false discovery rate across the team's agents
(:func:`analytics.statistics.agents_below_target`), so sampling noise is not flagged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.statistics import MeanEstimate, agents_below_target

ATTAINMENT_CAP = 1.5


@dataclass(frozen=True, slots=True)
class AgentFigure:
    """One KPI of one agent: value (and previous window's) with the mean's sample size/std."""

    value: float | None
    previous: float | None
    target: float | None
    direction: str
    n: int = 0
    std: float | None = None


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    agent: str
    score: float
    previous_score: float | None
    improvement: float | None


@dataclass(frozen=True, slots=True)
class CoachingCandidate:
    agent: str
    kpi: str
    value: float
    target: float
    margin: float
    p_value: float
    p_adjusted: float


def attainment(value: float | None, target: float | None, direction: str) -> float | None:
    """How well ``value`` meets ``target`` (1 = exactly on target), capped; None if undefined."""
    if value is None or target is None or target == 0:
        return None
    if direction == "higher":
        ratio = value / target
    elif direction == "lower":
        if value <= 0:
            return ATTAINMENT_CAP
        ratio = target / value
    else:  # "target": closeness to the target, symmetric
        ratio = 1 - abs(value - target) / abs(target)
    return max(0.0, min(ATTAINMENT_CAP, ratio))


def _score(figures: Mapping[str, AgentFigure], previous: bool) -> float | None:
    parts = [
        a
        for f in figures.values()
        if (a := attainment(f.previous if previous else f.value, f.target, f.direction)) is not None
    ]
    return sum(parts) / len(parts) if parts else None


def leaderboard(
    agents: Mapping[str, Mapping[str, AgentFigure]], top: int = 5
) -> tuple[tuple[LeaderboardEntry, ...], tuple[LeaderboardEntry, ...]]:
    """(top performers by score, most improved by score change), each at most ``top`` long.

    Ties are broken by agent key so the order is deterministic.
    """
    ranked: list[LeaderboardEntry] = []
    for agent, figures in agents.items():
        score = _score(figures, previous=False)
        if score is None:
            continue
        prev = _score(figures, previous=True)
        ranked.append(LeaderboardEntry(agent, score, prev, None if prev is None else score - prev))
    best = sorted(ranked, key=lambda r: (-r.score, r.agent))[:top]
    improved = sorted(
        (r for r in ranked if r.improvement is not None),
        key=lambda r: (-(r.improvement or 0.0), r.agent),
    )[:top]
    return tuple(best), tuple(improved)


def coaching_opportunities(
    agents: Mapping[str, Mapping[str, AgentFigure]],
    kpis: Sequence[str],
    *,
    margins: Mapping[str, float],
    alpha: float = 0.05,
) -> tuple[CoachingCandidate, ...]:
    """Agents significantly below target on each of ``kpis`` (higher-is-better means).

    For KPI k, the hypothesis "agent mean < target − margin[k]" is tested per agent (one-sided
    t-test on the agent's mean, n and std) and BH-corrected across the agents tested on k.
    """
    found: list[CoachingCandidate] = []
    for kpi in kpis:
        estimates: dict[str, MeanEstimate] = {}
        target: float | None = None
        for agent, figures in agents.items():
            f = figures.get(kpi)
            if f is None or f.value is None or f.target is None or f.direction != "higher":
                continue
            target = f.target
            estimates[agent] = MeanEstimate(f.value, f.n, None, None, f.std)
        if not estimates or target is None:
            continue
        margin = margins.get(kpi, 0.0)
        for result in agents_below_target(estimates, target, margin=margin, alpha=alpha):
            if result.significant and result.p_adjusted is not None:
                value = estimates[result.agent].value
                assert value is not None
                found.append(
                    CoachingCandidate(
                        result.agent,
                        kpi,
                        value,
                        target,
                        margin,
                        float(result.test.p_value or 0.0),
                        float(result.p_adjusted),
                    )
                )
    return tuple(sorted(found, key=lambda c: (c.kpi, c.p_adjusted, c.agent)))
