"""The KPI registry: one definition per KPI the API reports (docs/metrics.md), with target and
status.

Each :class:`KpiSpec` names a KPI, says in one line what it measures (the same meaning as
docs/metrics.md), its unit, which direction is better and its target (the product's default;
``None`` when it sets none). Targets are configurable:
:func:`registry` returns the definitions with targets overridden.

Units: rates are in ``percent`` (0-100, so "SLA ≥ 95%" is the target 95.0); durations in
``minutes`` (first response), ``hours`` (resolution) or ``seconds`` (handling, queue waits);
ratings on their survey scale.

Customer effort (CES): our survey asks for agreement from 1 to 7 with "the company made it easy
to handle my issue", 7 = very easy (``support_feedback_surveys`` comment), so on our scale **higher
is better**. The seed's target "CES ≤ 3" is stated on a 1-7 *effort* scale (1 = very low effort).
The two scales mirror each other (ease = 8 − effort), so "effort ≤ 3" is "ease ≥ 5": the CES
target here is 5.0 with direction ``higher``.

Status rule (:func:`status`), with the target T and the definition's ``at_risk_margin`` m (in the
KPI's unit):

* ``higher`` is better: ``on_target`` when value ≥ T, ``at_risk`` when T − m ≤ value < T,
  ``off_target`` below T − m.
* ``lower`` is better: ``on_target`` when value ≤ T, ``at_risk`` when T < value ≤ T + m,
  ``off_target`` above T + m.
* ``target`` (closer is better, e.g. utilization 85%): ``on_target`` when |value − T| ≤ m,
  ``at_risk`` when m < |value − T| ≤ 2m, ``off_target`` beyond 2m.
* ``None`` when the KPI has no target or no value (an empty window).

Boundaries belong to the better status. The status compares the point estimate only; whether a
shortfall is statistically significant is a separate question (``statistics.agents_below_target``).

Reference: the definitions and targets are docs/metrics.md's and the product's; the status bands
are this
module's convention (a KPI within its margin of the target is "at risk").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

Direction = Literal["higher", "lower", "target"]
Status = Literal["on_target", "at_risk", "off_target"]


@dataclass(frozen=True, slots=True)
class KpiSpec:
    """A KPI: ``name``, one-line ``description``, ``unit``, better ``direction``, ``target``
    (None: no target, so no status) and the ``at_risk_margin`` of the status rule (KPI's unit)."""

    name: str
    description: str
    unit: str
    direction: Direction
    target: float | None
    at_risk_margin: float

    def __post_init__(self) -> None:
        if self.direction not in ("higher", "lower", "target"):
            raise ValueError(f"direction must be higher, lower or target, got {self.direction!r}")
        if not (math.isfinite(self.at_risk_margin) and self.at_risk_margin >= 0):
            raise ValueError(f"at_risk_margin must be finite and >= 0, got {self.at_risk_margin}")
        if self.target is not None and not math.isfinite(self.target):
            raise ValueError(f"target of {self.name} must be finite, got {self.target}")


class UnknownKpiError(ValueError):
    """A KPI name that is not in the registry; the message lists the valid names."""

    def __init__(self, name: str, valid: list[str]) -> None:
        super().__init__(f"unknown KPI {name!r}; valid KPIs: {', '.join(valid)}")
        self.name = name
        self.valid = tuple(valid)


def _k(
    name: str,
    description: str,
    unit: str,
    direction: Direction,
    target: float | None = None,
    margin: float = 0.0,
) -> KpiSpec:
    return KpiSpec(name, description, unit, direction, target, margin)


#: Every KPI, in the order dashboards list them.
DEFINITIONS: tuple[KpiSpec, ...] = (
    # volume and backlog
    _k("ticket_volume", "tickets created in the window", "tickets", "lower"),
    _k("backlog", "tickets open at the window's end (created before, not yet resolved)",
       "tickets", "lower"),
    _k("backlog_unassigned", "open tickets at the window's end with no assigned agent",
       "tickets", "lower"),
    _k("backlog_unanswered", "open tickets at the window's end without a first agent reply",
       "tickets", "lower"),
    # responsiveness and resolution
    _k("first_response_time", "median time from creation to the first public agent reply, "
       "tickets created in the window (bots and internal notes excluded)", "minutes", "lower",
       60.0, 15.0),
    _k("first_response_time_mean", "mean time to the first public agent reply, tickets created "
       "in the window", "minutes", "lower"),
    _k("first_response_time_p90", "90th percentile of the time to the first public agent reply, "
       "tickets created in the window", "minutes", "lower"),
    _k("resolution_time", "median time from creation to the latest resolution, tickets resolved "
       "in the window", "hours", "lower", 24.0, 4.0),
    _k("resolution_time_mean", "mean time from creation to the latest resolution, tickets "
       "resolved in the window", "hours", "lower"),
    _k("resolution_time_p90", "90th percentile of the time from creation to the latest "
       "resolution, tickets resolved in the window", "hours", "lower"),
    _k("first_resolution_time", "median time from creation to the first solve, tickets resolved "
       "in the window", "hours", "lower"),
    _k("fcr", "first contact resolution: resolved tickets with exactly one agent reply and no "
       "reopening ÷ resolved tickets", "percent", "higher", 80.0, 5.0),
    _k("one_touch", "resolved tickets with fewer than two agent replies ÷ resolved tickets",
       "percent", "higher"),
    _k("reopen_rate", "resolved tickets reopened at least once ÷ resolved tickets", "percent",
       "lower"),
    # sla
    _k("sla_compliance", "sla targets achieved ÷ (achieved + breached), targets due in the "
       "window", "percent", "higher", 95.0, 3.0),
    _k("sla_first_response_compliance", "first-response sla targets achieved ÷ (achieved + "
       "breached), targets due in the window", "percent", "higher", 95.0, 3.0),
    _k("sla_resolution_compliance", "resolution sla targets achieved ÷ (achieved + breached), "
       "targets due in the window", "percent", "higher", 95.0, 3.0),
    # satisfaction
    _k("csat", "mean of 1-5 satisfaction ratings, surveys sent in the window", "score_1_5",
       "higher", 4.5, 0.2),
    _k("csat_percent", "share of 4-5 ratings among satisfaction ratings, surveys sent in the "
       "window", "percent", "higher"),
    _k("nps", "% promoters (9-10) − % detractors (0-6) over 0-10 answers, surveys sent in the "
       "window", "nps_points", "higher", 30.0, 10.0),
    _k("ces", "mean of 1-7 agreement that the company made it easy to handle the issue "
       "(7 = very easy, higher is better), surveys sent in the window", "score_1_7", "higher",
       5.0, 0.5),
    _k("survey_response_rate", "surveys answered ÷ surveys sent in the window", "percent",
       "higher", 50.0, 5.0),
    # agents
    _k("utilization", "(handle + available) time ÷ scheduled time, agent days in the window",
       "percent", "target", 85.0, 5.0),
    _k("occupancy", "handle time ÷ (handle + available) time, agent days in the window",
       "percent", "lower", 85.0, 5.0),
    _k("schedule_adherence", "time in the scheduled state ÷ scheduled time, agent days in the "
       "window", "percent", "higher", 90.0, 5.0),
    _k("quality_score", "mean qa evaluation score (1-5), evaluations in the window", "score_1_5",
       "higher", 4.5, 0.2),
    _k("aht", "average handle time: (talk + hold + after-contact work) ÷ handled contacts",
       "seconds", "lower"),
    _k("tickets_per_hour", "tickets solved ÷ logged-in hours, agent days in the window",
       "tickets_per_hour", "higher"),
    # queues
    _k("service_level", "answered within the threshold ÷ (answered + abandoned after the "
       "threshold), queue intervals in the window", "percent", "higher"),
    _k("abandonment_rate", "abandoned ÷ offered contacts, queue intervals in the window",
       "percent", "lower"),
    _k("average_speed_of_answer", "mean wait of answered contacts, queue intervals in the window",
       "seconds", "lower"),
    _k("longest_wait", "longest wait in any queue interval of the window", "seconds", "lower"),
    _k("queue_depth", "average number of contacts waiting per interval, summed over queues",
       "contacts", "lower"),
    # vip
    _k("vip_retention", "vip clients active at the window's start and still active at its end "
       "÷ active at its start", "percent", "higher", 95.0, 2.0),
    _k("white_glove_usage", "vip tickets handled with the white-glove service ÷ vip tickets, "
       "created in the window", "percent", "higher"),
)  # fmt: skip

_DEFAULT: Mapping[str, KpiSpec] = MappingProxyType({d.name: d for d in DEFINITIONS})
if len(_DEFAULT) != len(DEFINITIONS):  # pragma: no cover - guards the table above
    raise RuntimeError("duplicate KPI names in DEFINITIONS")


def names() -> list[str]:
    """Every KPI name, in registry order."""
    return list(_DEFAULT)


def registry(overrides: Mapping[str, float] | None = None) -> Mapping[str, KpiSpec]:
    """The definitions by name, with ``overrides`` (name → target) replacing default targets.

    Raises :class:`UnknownKpiError` for an override of an unknown KPI and :class:`ValueError` for
    a non-finite target. Without overrides the shared read-only default mapping is returned.
    """
    if not overrides:
        return _DEFAULT
    out = dict(_DEFAULT)
    for name, target in overrides.items():
        base = lookup(name)
        value = float(target)
        if not math.isfinite(value):
            raise ValueError(f"target of {name} must be finite, got {target!r}")
        out[name] = replace(base, target=value)
    return MappingProxyType(out)


def lookup(name: str, definitions: Mapping[str, KpiSpec] | None = None) -> KpiSpec:
    """The definition of ``name``; :class:`UnknownKpiError` (a ValueError) lists valid names."""
    defs = _DEFAULT if definitions is None else definitions
    try:
        return defs[name]
    except KeyError:
        raise UnknownKpiError(name, list(defs)) from None


def status(defn: KpiSpec, value: float | None) -> Status | None:
    """On target / at risk / off target of ``value`` under the module's rule (see docstring)."""
    if value is None or defn.target is None or math.isnan(value):
        return None
    target, margin = defn.target, defn.at_risk_margin
    # thresholds are computed once and compared with the value (not value − target against the
    # margin), so a value equal to a printed threshold such as 4.5 − 0.2 lands on the boundary.
    if defn.direction == "higher":
        if value >= target:
            return "on_target"
        return "at_risk" if value >= target - margin else "off_target"
    if defn.direction == "lower":
        if value <= target:
            return "on_target"
        return "at_risk" if value <= target + margin else "off_target"
    if target - margin <= value <= target + margin:
        return "on_target"
    if target - 2 * margin <= value <= target + 2 * margin:
        return "at_risk"
    return "off_target"
