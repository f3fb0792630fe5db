"""Result objects of the KPI resolvers (:mod:`resolvers.kpis`): frozen, no behaviour but lookups.

Conventions shared by every KPI figure (METRICS.md, "Time windows"):

* ``value`` is in the KPI's ``unit`` (see :mod:`analytics.kpis`); ``None`` when nothing was
  measured (an empty window), while counts are 0, never ``None``.
* ``n`` is the count behind the value (tickets, responses, targets, agent days...).
* ``ci_low``/``ci_high`` is the 95% confidence interval where the figure is a sample estimate:
  means (Student t), proportions (Wilson) and NPS (trinomial variance). Counts, medians and
  percentiles, workforce time ratios and queue maxima/averages carry no interval (``None``).
* ``std`` is the sample standard deviation of mean-type KPIs (for significance tests such as
  ``analytics.statistics.agents_below_target``), ``None`` otherwise.
* ``previous`` is the value over the previous window of the same length, ``trend`` =
  (value − previous) / previous (``None`` when either is missing or previous is 0).
* ``status`` is :func:`analytics.kpis.status` of ``value`` against ``target``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from analytics.kpis import Status


@dataclass(frozen=True, slots=True)
class KpiValue:
    """One KPI over the window, compared with its target and with the previous window."""

    name: str
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: Status | None
    previous: float | None
    trend: float | None
    unit: str
    std: float | None = None


@dataclass(frozen=True, slots=True)
class KpiGroupValue:
    """One KPI for one group (``key`` as stored, e.g. a channel or an agent id; ``label`` for
    people). Keys: 'none' = no team / unassigned, 'standard' = no vip tier, category = root slug."""

    key: str
    label: str
    name: str
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: Status | None
    previous: float | None
    trend: float | None
    unit: str
    std: float | None = None
    #: withheld for k-anonymity (resolvers.privacy.k_anonymous)
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class KpiResult:
    """A KPI overall and, when a grouping was asked for, per group (ordered by key)."""

    overall: KpiValue
    group_by: str | None
    groups: tuple[KpiGroupValue, ...]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Tickets open at instant ``at`` (created before it, not resolved by then).

    ``uncertain``: reopened tickets first solved by ``at``; the data has no reopen timestamp, so
    whether each was open at ``at`` is unknown: ``open`` may over-count by at most this many.
    ``unassigned`` uses the current assignment. Ages are in hours (``None`` when nothing is open).
    """

    at: datetime
    key: str
    label: str
    open: int
    unassigned: int
    unanswered: int
    age_under_1h: int
    age_1h_to_4h: int
    age_4h_to_24h: int
    age_1d_to_3d: int
    age_over_3d: int
    mean_age_hours: float | None
    oldest_age_hours: float | None
    uncertain: int


@dataclass(frozen=True, slots=True)
class DistributionBucket:
    """Tickets created in the window with one value of a dimension, and their share (percent)."""

    key: str
    label: str
    tickets: int
    share: float | None


@dataclass(frozen=True, slots=True)
class Distribution:
    """Tickets created in the window by ``dimension`` (channel, category, priority, status)."""

    dimension: str
    total: int
    buckets: tuple[DistributionBucket, ...]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Headline KPIs of ``[start, end)`` against ``[previous_start, start)``.

    ``backlog`` is at ``min(end, now)`` and ``previous_backlog`` at ``min(start, now)``. Queue
    and VIP KPIs are organisation-wide and absent from a dashboard scoped to a team or an agent.
    """

    start: datetime
    end: datetime
    previous_start: datetime
    kpis: tuple[KpiValue, ...]
    backlog: Backlog
    previous_backlog: Backlog
    distributions: tuple[Distribution, ...]

    def kpi(self, name: str) -> KpiValue:
        """The KPI called ``name``; KeyError if the dashboard does not have it."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class AgentKpis:
    """One agent's KPIs over the window (tickets assigned to the agent, their surveys, the
    agent's own workforce days and quality evaluations)."""

    agent_id: UUID
    name: str
    team_id: UUID
    kpis: tuple[KpiValue, ...]

    def kpi(self, name: str) -> KpiValue:
        """The KPI called ``name``; KeyError if absent."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class QueueKpis:
    """One queue ('all' = every queue) over the window: counts and KPIs."""

    queue: str
    offered: int
    answered: int
    answered_within_threshold: int
    abandoned: int
    abandoned_after_threshold: int
    kpis: tuple[KpiValue, ...]

    def kpi(self, name: str) -> KpiValue:
        """The KPI called ``name``; KeyError if absent."""
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)
