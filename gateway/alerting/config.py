"""Alerting rules and thresholds: plain dataclasses, every field with a default.

``AlertingConfig()`` is a sensible production setup; tests and deployments override fields
(``dataclasses.replace``) or disable a rule with ``enabled=False``. ``clock`` exists so that an
evaluation can be run "as of" a given instant (tests over the fixed seeded data set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SlaBreachRule:
    """A ticket passed a due time without the target being met (first reply or resolution).

    One alert per ticket and target (dedup ``sla_breach:<ticket>:<target>``). Breaches whose due
    time is older than ``lookback_hours`` are not raised (they were, while the engine ran, or are
    history). Critical for ``critical_priorities`` and ``critical_vip_tiers``, warning otherwise.
    """

    enabled: bool = True
    lookback_hours: float = 72.0
    critical_priorities: frozenset[str] = frozenset({"urgent", "high"})
    critical_vip_tiers: frozenset[str] = frozenset({"platinum", "diamond"})


@dataclass(frozen=True, slots=True)
class PerformanceRule:
    """An agent's KPI over the last ``window_days`` complete days deviates from their peers'.

    KPIs from the daily workforce metrics: average handle time (seconds per contact; high is
    bad) and schedule adherence (share of scheduled time in adherence; low is bad). Robust
    (modified) z-scores across agents (analytics.anomaly.modified_z_scores); an agent is flagged
    beyond ``z_threshold`` in the bad direction. Agents with fewer than ``min_contacts`` contacts
    are left out; fewer than ``min_agents`` agents: no evaluation. One alert per agent, KPI and
    window end (dedup ``performance_deviation:<agent>:<kpi>:<last day>``).
    """

    enabled: bool = True
    window_days: int = 7
    z_threshold: float = 3.5
    min_contacts: int = 20
    min_agents: int = 5


@dataclass(frozen=True, slots=True)
class SatisfactionRule:
    """CSAT of the last ``window_hours`` significantly below its trailing baseline.

    Baseline: the ``baseline_days`` before the window. One-sided Welch test (recent mean <
    baseline mean − ``margin``; analytics.statistics.two_sample_difference) for the whole
    organisation and each team, Benjamini-Hochberg adjusted across those scopes, flagged at
    ``alpha``. Needs ``min_responses`` in the window. One alert per scope and day (dedup
    ``satisfaction_drop:<scope>:<day>``); critical when the drop exceeds ``critical_drop``.
    """

    enabled: bool = True
    window_hours: float = 72.0
    baseline_days: int = 28
    margin: float = 0.0
    alpha: float = 0.01
    min_responses: int = 20
    critical_drop: float = 0.5


@dataclass(frozen=True, slots=True)
class VolumeRule:
    """Arrivals of the last complete hour well above the seasonal expectation.

    Hourly arrivals over ``history_days`` (empty hours = 0) are de-seasonalised with
    ``period_hours`` (168 = hour of week) and scored by analytics.anomaly.detect_anomalies; the
    last hour is a spike when flagged (|z| > ``z_threshold``) above expectation, with at least
    ``min_arrivals`` tickets and ``min_ratio`` × the expected count. One alert per hour (dedup
    ``volume_spike:<hour start>``); critical from ``critical_ratio`` × expected.
    """

    enabled: bool = True
    history_days: int = 42
    period_hours: int = 168
    z_threshold: float = 3.5
    min_arrivals: int = 10
    min_ratio: float = 1.5
    critical_ratio: float = 2.5


@dataclass(frozen=True, slots=True)
class SystemErrorRule:
    """The gateway's own error rate over the last ``window_seconds`` is too high.

    Errors: operations with an unexpected (masked) error and HTTP 5xx answers, counted in this
    process. Needs ``min_requests`` operations in the window; raised at ``max_error_rate``,
    critical from twice that. One alert per window (dedup ``system_error:<window start>``).
    """

    enabled: bool = True
    window_seconds: int = 300
    min_requests: int = 20
    max_error_rate: float = 0.05


@dataclass(frozen=True, slots=True)
class AlertingConfig:
    """The engine's schedule and rules.

    Every rule is evaluated every ``interval_seconds``; the SLA rule also ``on_change_delay``
    seconds after a ticket change (changes in the meantime are coalesced).
    """

    interval_seconds: float = 60.0
    on_change_delay: float = 1.0
    sla: SlaBreachRule = field(default_factory=SlaBreachRule)
    performance: PerformanceRule = field(default_factory=PerformanceRule)
    satisfaction: SatisfactionRule = field(default_factory=SatisfactionRule)
    volume: VolumeRule = field(default_factory=VolumeRule)
    system_errors: SystemErrorRule = field(default_factory=SystemErrorRule)
    clock: Callable[[], datetime] = utc_now
