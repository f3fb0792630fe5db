"""The alert rules as pure functions: query rows (or counters) in, alert drafts out.

Each function documents its inputs (the columns of its named query) and returns
:class:`AlertDraft` values whose ``dedup_key`` names the underlying condition, so that storing
them with ``on conflict (dedup_key) do nothing`` raises one alert per condition however often
the rule runs. No I/O here: :mod:`gateway.alerting.engine` runs the queries and stores drafts.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from analytics.anomaly import hourly_period, modified_z_scores, score_buckets, transformed
from analytics.correlation import benjamini_hochberg
from analytics.statistics import mean_from_moments, two_sample_difference
from gateway.alerting.config import (
    PerformanceRule,
    SatisfactionRule,
    SlaBreachRule,
    SystemErrorRule,
    VolumeRule,
)
from gateway.alerting.errors import ErrorWindow
from resolvers.statistics import anomaly_transform

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert to store (columns of ``support_alerts``)."""

    alert_type: str
    severity: str
    dedup_key: str
    title: str
    message: str
    team_id: UUID | None = None
    agent_id: UUID | None = None
    ticket_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _iso(value: datetime | date) -> str:
    return value.isoformat()


def sla_breaches(rows: Sequence[Row], rule: SlaBreachRule) -> list[AlertDraft]:
    """Rows of ``alert_sla_breaches``: ticket_id, team_id, agent_id, priority, vip_tier, target
    (first_response | resolution), due_at, minutes_late."""
    out = []
    for r in rows:
        critical = r["priority"] in rule.critical_priorities or (
            r["vip_tier"] is not None and r["vip_tier"] in rule.critical_vip_tiers
        )
        target = "first reply" if r["target"] == "first_response" else "resolution"
        late = float(r["minutes_late"])
        out.append(
            AlertDraft(
                alert_type="sla_breach",
                severity="critical" if critical else "warning",
                dedup_key=f"sla_breach:{r['ticket_id']}:{r['target']}",
                title=f"SLA breached: ticket {r['ticket_id']} ({target})",
                message=f"Ticket {r['ticket_id']} ({r['priority']} priority) passed its {target} "
                f"due time {_iso(r['due_at'])}; {late:.0f} min late.",
                team_id=r["team_id"],
                agent_id=r["agent_id"],
                ticket_id=r["ticket_id"],
                details={
                    "target": r["target"],
                    "dueAt": _iso(r["due_at"]),
                    "minutesLate": round(late, 1),
                    "priority": r["priority"],
                    "vipTier": r["vip_tier"],
                },
            )
        )
    return out


#: Performance KPIs: (column, human name, +1 when high is bad / -1 when low is bad, unit, the
#: registry KPI whose anomalies transform scores it: log(1 + x) for the duration, none for the
#: share).
PERFORMANCE_KPIS = (
    ("aht_seconds", "average handle time", 1, "s", "aht"),
    ("adherence", "schedule adherence", -1, "", "schedule_adherence"),
)


def performance_deviations(
    rows: Sequence[Row], rule: PerformanceRule, last_day: date
) -> list[AlertDraft]:
    """Rows of ``alert_agent_kpis``: agent_id, team_id, display_name, contacts, aht_seconds,
    adherence (None when unmeasured), for the window ending ``last_day``."""
    eligible = [r for r in rows if r["contacts"] >= rule.min_contacts]
    out: list[AlertDraft] = []
    for column, name, direction, unit, kpi in PERFORMANCE_KPIS:
        measured = [r for r in eligible if r[column] is not None and math.isfinite(r[column])]
        if len(measured) < rule.min_agents:
            continue
        raw = [float(r[column]) for r in measured]
        # the anomalies field's robust z and transform (analytics.anomaly), across peers
        scores = modified_z_scores(transformed(raw, anomaly_transform(kpi)))
        median = statistics.median(raw)
        for r, z in zip(measured, scores.z, strict=True):
            if direction * z <= rule.z_threshold:
                continue
            value = float(r[column])
            shown = f"{value:.0f}{unit}" if unit else f"{value:.1%}"
            peers = f"{median:.0f}{unit}" if unit else f"{median:.1%}"
            out.append(
                AlertDraft(
                    alert_type="performance_deviation",
                    severity="warning",
                    dedup_key=f"performance_deviation:{r['agent_id']}:{column}:{last_day}",
                    title=f"{r['display_name']}: {name} far from peers",
                    message=f"{r['display_name']}'s {name} over the last {rule.window_days} days "
                    f"is {shown} (peer median {peers}; robust z {z:+.1f}).",
                    team_id=r["team_id"],
                    agent_id=r["agent_id"],
                    details={
                        "kpi": column,
                        "value": value,
                        "peerMedian": median,
                        "z": round(z, 3),
                        "threshold": rule.z_threshold,
                        "lastDay": str(last_day),
                    },
                )
            )
    return out


def satisfaction_drops(rows: Sequence[Row], rule: SatisfactionRule, day: date) -> list[AlertDraft]:
    """Rows of ``alert_csat_moments``: scope ('all' or a team id), team_id, team_name, and
    n/total/total_sq of CSAT ratings in the recent window (``recent_*``) and the baseline
    (``base_*``)."""
    tests = []
    for r in rows:
        if r["recent_n"] < rule.min_responses:
            continue
        recent = mean_from_moments(r["recent_n"], float(r["recent_total"]), float(r["recent_sq"]))
        base = mean_from_moments(r["base_n"], float(r["base_total"]), float(r["base_sq"]))
        test = two_sample_difference(
            recent, base, alternative="less", null_difference=-rule.margin, alpha=rule.alpha
        )
        if test.p_value is not None:
            tests.append((r, recent, base, test))
    adjusted = benjamini_hochberg([t.p_value for _, _, _, t in tests if t.p_value is not None])
    out = []
    for (r, recent, base, test), p_adj in zip(tests, adjusted, strict=True):
        if p_adj > rule.alpha or recent.value is None or base.value is None:
            continue
        drop = base.value - recent.value
        who = "the organisation" if r["scope"] == "all" else f"team {r['team_name']}"
        out.append(
            AlertDraft(
                alert_type="satisfaction_drop",
                severity="critical" if drop >= rule.critical_drop else "warning",
                dedup_key=f"satisfaction_drop:{r['scope']}:{day}",
                title=f"CSAT drop for {who}",
                message=f"CSAT over the last {rule.window_hours:g} h is {recent.value:.2f} "
                f"(n={recent.n}) against {base.value:.2f} over the previous "
                f"{rule.baseline_days} days (n={base.n}); adjusted p = {p_adj:.2g}.",
                team_id=r["team_id"],
                details={
                    "scope": r["scope"],
                    "recentMean": recent.value,
                    "recentN": recent.n,
                    "baselineMean": base.value,
                    "baselineN": base.n,
                    "pValue": test.p_value,
                    "pAdjusted": p_adj,
                    "alpha": rule.alpha,
                },
            )
        )
    return out


def volume_spike(rows: Sequence[Row], rule: VolumeRule) -> list[AlertDraft]:
    """Rows of ``alert_arrivals_hourly``: bucket (hour start), arrivals; oldest first, complete
    hours only, empty hours included as 0. Looks at the last hour."""
    period = hourly_period(len(rows), rule.period_hours)
    if len(rows) < 2 * period or len(rows) < 3:
        return []
    # exactly the anomalies field's definition (analytics.anomaly.score_buckets with the
    # field's transform for ticket volume, √ counts, and its period choice), so the alert's
    # score is the field's score of that hour; the alert also needs min_arrivals and min_ratio
    # x the expected count
    values = [float(r["arrivals"]) for r in rows]
    result = score_buckets(
        values, period, threshold=rule.z_threshold, transform=anomaly_transform("ticket_volume")
    )
    last = result.points[-1]
    expected = max(last.expected, 0.0)  # the anomalies field's expected value
    ratio = last.value / expected if expected > 0 else math.inf
    if not (
        last.flagged
        and last.residual > 0
        and last.value >= rule.min_arrivals
        and ratio >= rule.min_ratio
    ):
        return []
    hour = rows[-1]["bucket"]
    return [
        AlertDraft(
            alert_type="volume_spike",
            severity="critical" if ratio >= rule.critical_ratio else "warning",
            dedup_key=f"volume_spike:{_iso(hour)}",
            title=f"Ticket volume spike at {_iso(hour)}",
            message=f"{last.value:.0f} tickets arrived in the hour from {_iso(hour)}, against "
            f"about {expected:.1f} expected for that time (robust z {last.z:+.1f}).",
            details={
                "hour": _iso(hour),
                "arrivals": last.value,
                "expected": round(expected, 3),
                "ratio": None if math.isinf(ratio) else round(ratio, 3),
                "z": last.z,
                "period": period,
                "decomposition": result.decomposition,
            },
        )
    ]


def system_errors(window: ErrorWindow, rule: SystemErrorRule, now: datetime) -> list[AlertDraft]:
    """The gateway's error counts of the last ``rule.window_seconds``."""
    rate = window.rate
    if window.requests < rule.min_requests or rate is None or rate < rule.max_error_rate:
        return []
    start = int(now.timestamp()) // rule.window_seconds * rule.window_seconds
    started = datetime.fromtimestamp(start, tz=now.tzinfo)
    return [
        AlertDraft(
            alert_type="system_error",
            severity="critical" if rate >= 2 * rule.max_error_rate else "warning",
            dedup_key=f"system_error:{_iso(started)}",
            title="Gateway error rate is high",
            message=f"{window.errors} of {window.requests} operations failed in the last "
            f"{rule.window_seconds} s ({rate:.1%}; limit {rule.max_error_rate:.1%}).",
            details={
                "errors": window.errors,
                "requests": window.requests,
                "rate": rate,
                "windowSeconds": rule.window_seconds,
            },
        )
    ]
