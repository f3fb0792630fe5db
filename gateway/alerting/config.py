"""Alerting rules and thresholds: plain dataclasses, every field with a default.

``AlertingConfig()`` is a sensible production setup; tests and deployments override fields
(``dataclasses.replace``) or disable a rule with ``enabled=False``. ``clock`` exists so that an
evaluation can be run "as of" a given instant (tests over the fixed seeded data set).

Deployments set the overrides without code through the ``ALERTING`` setting, parsed by
:func:`parse_alerting`: ``off``, or ``name=value`` items separated by commas, where a name is a
field of :class:`AlertingConfig` (``interval_seconds``) or ``<rule>.<field>``
(``volume.z_threshold``, ``sla.enabled``); sets are written with ``|``
(``sla.critical_priorities=urgent|high``).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any


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
    (modified) z-scores across agents (analytics.anomaly.modified_z_scores, on the anomalies
    field's transform of the KPI: log(1 + x) for handle time, none for adherence); an agent is
    flagged beyond ``z_threshold`` in the bad direction. Agents with fewer than
    ``min_contacts`` contacts are left out; fewer than ``min_agents`` agents: no evaluation.
    One alert per agent, KPI and window end
    (dedup ``performance_deviation:<agent>:<kpi>:<last day>``).
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

    Hourly arrivals over ``history_days`` (empty hours = 0) are scored exactly as the
    ``anomalies`` field scores ticket volume (analytics.anomaly.score_buckets on √ counts):
    de-seasonalised with ``period_hours`` (168 = hour of week) when the history holds six of
    its cycles, else the daily cycle (24); the last hour is a spike when flagged
    (|z| > ``z_threshold``) above expectation, with at least ``min_arrivals`` tickets and
    ``min_ratio`` × the expected count. One alert per hour (dedup
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


_RULES = ("sla", "performance", "satisfaction", "volume", "system_errors")
_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}

#: Allowed values: (lowest, highest, lowest excluded) per number; allowed members per set.
#: Unlisted numbers must be >= 0.
_RANGES: dict[str, tuple[float, float | None, bool]] = {
    "interval_seconds": (5.0, None, False),
    "sla.lookback_hours": (0.0, None, True),
    "performance.window_days": (1, None, False),
    "performance.z_threshold": (0.0, None, True),
    "performance.min_agents": (2, None, False),
    "satisfaction.window_hours": (0.0, None, True),
    "satisfaction.baseline_days": (1, None, False),
    "satisfaction.alpha": (0.0, 1.0, True),
    "satisfaction.min_responses": (2, None, False),
    "volume.history_days": (1, None, False),
    "volume.period_hours": (1, None, False),
    "volume.z_threshold": (0.0, None, True),
    "volume.min_ratio": (1.0, None, False),
    "volume.critical_ratio": (1.0, None, False),
    "system_errors.window_seconds": (1, None, False),
    "system_errors.max_error_rate": (0.0, 1.0, True),
}
_MEMBERS: dict[str, frozenset[str]] = {
    "sla.critical_priorities": frozenset({"low", "normal", "high", "urgent"}),
    "sla.critical_vip_tiers": frozenset({"silver", "gold", "platinum", "diamond"}),
}


class AlertingConfigError(ValueError):
    """An ``ALERTING`` setting that cannot be applied; the message names the item and why."""


def _settable(config: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted name → current value of every overridable field (rules included, clock excluded)."""
    out: dict[str, Any] = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name in _RULES:
            out.update(_settable(value, f"{f.name}."))
        elif f.name != "clock":
            out[prefix + f.name] = value
    return out


def _convert(name: str, text: str, current: Any) -> Any:
    text = text.strip()
    if isinstance(current, bool):
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise AlertingConfigError(f"ALERTING {name} must be true or false, got {text!r}")
    if isinstance(current, frozenset):
        values = frozenset(v.strip().lower() for v in text.split("|") if v.strip())
        allowed = _MEMBERS.get(name)
        if allowed is not None and not values <= allowed:
            unknown = ", ".join(sorted(values - allowed))
            raise AlertingConfigError(
                f"ALERTING {name}: unknown {unknown}; allowed: {'|'.join(sorted(allowed))}"
            )
        return values
    try:
        number = int(text) if isinstance(current, int) else float(text)
    except ValueError:
        kind = "a whole number" if isinstance(current, int) else "a number"
        raise AlertingConfigError(f"ALERTING {name} must be {kind}, got {text!r}") from None
    if not math.isfinite(number) or number < 0:
        raise AlertingConfigError(f"ALERTING {name} must be a finite number >= 0, got {text!r}")
    low, high, open_low = _RANGES.get(name, (0, None, False))
    if number < low or (open_low and number == low) or (high is not None and number >= high):
        above = f"> {low:g}" if open_low else f">= {low:g}"
        limit = f"{above} and < {high:g}" if high is not None else above
        raise AlertingConfigError(f"ALERTING {name} must be {limit}, got {text!r}")
    return number


def parse_alerting(text: str, base: AlertingConfig | None = None) -> AlertingConfig | None:
    """The engine configuration ``text`` describes (see the module docstring): None for ``off``;
    ``base`` (default :class:`AlertingConfig`) with the overrides applied otherwise.

    Raises :class:`AlertingConfigError` naming the first bad item (unknown name, with the
    closest valid one; a value of the wrong kind; a negative number).
    """
    config = base or AlertingConfig()
    if text.strip().lower() == "off":
        return None
    settable = _settable(config)
    changes: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    seen: set[str] = set()
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep:
            raise AlertingConfigError(f"ALERTING item must be name=value, got {item.strip()!r}")
        if name not in settable:
            close = difflib.get_close_matches(name, sorted(settable), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            valid = ", ".join(sorted(settable))
            raise AlertingConfigError(f"ALERTING has no {name!r}{hint}; valid names: {valid}")
        if name in seen:
            raise AlertingConfigError(f"ALERTING sets {name!r} twice")
        seen.add(name)
        converted = _convert(name, value, settable[name])
        rule, _, attr = name.rpartition(".")
        if rule:
            changes.setdefault(rule, {})[attr] = converted
        else:
            top[attr] = converted
    rules = {rule: replace(getattr(config, rule), **kw) for rule, kw in changes.items()}
    return replace(config, **top, **rules)
