"""A team's leaderboard and coaching list from its agents' KPIs (the rule of
``teamPerformance``: mean attainment over KPIs with targets; coaching on CSAT and quality score
with Benjamini–Hochberg correction, see :mod:`analytics.leaderboard`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.leaderboard import (
    AgentFigure,
    CoachingCandidate,
    LeaderboardEntry,
    coaching_opportunities,
    leaderboard,
)
from resolvers.kpi_results import AgentFigures
from resolvers.kpis import definitions

#: Mean-type KPIs that coaching tests (with their margins below target).
COACHING_MARGINS: Mapping[str, float] = {"csat": 0.2, "quality_score": 0.2}


@dataclass(frozen=True, slots=True)
class TeamRankings:
    """Top performers, most improved and coaching opportunities; ``names``: agent id → name."""

    top_performers: tuple[LeaderboardEntry, ...]
    most_improved: tuple[LeaderboardEntry, ...]
    coaching: tuple[CoachingCandidate, ...]
    names: Mapping[str, str]


def team_rankings(
    agents: Sequence[AgentFigures], targets: Mapping[str, float] | None, top: int = 5
) -> TeamRankings:
    """Rank ``agents`` (from :func:`resolvers.kpis.agent_kpis`) as ``teamPerformance`` does."""
    defs = definitions(targets)
    figures = {
        str(a.agent_id): {
            k.name: AgentFigure(k.value, k.previous, k.target, defs[k.name].direction, k.n, k.std)
            for k in a.kpis
        }
        for a in agents
    }
    best, improved = leaderboard(figures, top=top)
    coaching = coaching_opportunities(figures, list(COACHING_MARGINS), margins=COACHING_MARGINS)
    return TeamRankings(
        tuple(best), tuple(improved), tuple(coaching), {str(a.agent_id): a.name for a in agents}
    )
