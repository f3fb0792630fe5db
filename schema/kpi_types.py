"""KPI figures as GraphQL types: values with CI, target, status and trend; groups; backlog;
distributions; time series. Definitions (units, directions, targets) come from the registry."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum

import strawberry

from analytics.kpi_registry import KpiSpec
from resolvers.kpi_results import (
    AgentFigures,
    BacklogSnapshot,
    KpiBreakdown,
    KpiFigure,
    KpiGroupFigure,
    QueueFigures,
    TicketDistribution,
)
from resolvers.kpi_series import SeriesFigure


@strawberry.enum(description="Whether a KPI meets its target.")
class KpiStatus(Enum):
    ON_TARGET = "on_target"
    AT_RISK = "at_risk"
    OFF_TARGET = "off_target"


@strawberry.enum(description="Ways to break a KPI down.")
class KpiGroupBy(Enum):
    CHANNEL = "channel"
    CATEGORY = "category"
    PRIORITY = "priority"
    STATUS = "status"
    VIP_TIER = "vip_tier"
    TEAM = "team"
    AGENT = "agent"
    POLICY = "policy"
    QUEUE = "queue"


@strawberry.type(description="A KPI of the registry (definitions as in docs/metrics.md).")
class KpiDefinition:
    name: str
    description: str
    unit: str
    direction: str = strawberry.field(description="higher, lower (is better) or target.")
    target: float | None

    @classmethod
    def of(cls, d: KpiSpec) -> KpiDefinition:
        return cls(
            name=d.name,
            description=d.description,
            unit=d.unit,
            direction=d.direction,
            target=d.target,
        )


def _status(value: str | None) -> KpiStatus | None:
    return KpiStatus(value) if value is not None else None


@strawberry.type(
    description=(
        "One KPI over a window: value (null when nothing was measured), the count behind it, a "
        "95% CI when it is a sample estimate, target and status, and the trend against the "
        "previous window of the same length: (value − previous) ÷ previous."
    )
)
class KpiValue:
    name: str
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: KpiStatus | None
    previous: float | None
    trend: float | None
    unit: str

    @classmethod
    def of(cls, v: KpiFigure | KpiGroupFigure) -> KpiValue:
        return cls(
            name=v.name,
            value=v.value,
            n=v.n,
            ci_low=v.ci_low,
            ci_high=v.ci_high,
            target=v.target,
            status=_status(v.status),
            previous=v.previous,
            trend=v.trend,
            unit=v.unit,
        )


@strawberry.type(description="A KPI for one group (key as stored; label for people).")
class KpiGroupValue(KpiValue):
    key: str
    label: str
    suppressed: bool = strawberry.field(
        default=False,
        description="True when the figure is withheld: shown to an analyst, the group has fewer "
        "customers than the k-anonymity threshold (PRIVACY_K_ANONYMITY).",
    )

    @classmethod
    def of_group(cls, v: KpiGroupFigure) -> KpiGroupValue:
        base = KpiValue.of(v)
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        return cls(key=v.key, label=v.label, suppressed=v.suppressed, **fields)


@strawberry.type(description="A KPI overall and, when grouped, per group.")
class KpiResult:
    overall: KpiValue
    group_by: str | None
    groups: list[KpiGroupValue]

    @classmethod
    def of(cls, r: KpiBreakdown) -> KpiResult:
        return cls(
            overall=KpiValue.of(r.overall),
            group_by=r.group_by,
            groups=[KpiGroupValue.of_group(g) for g in r.groups],
        )


@strawberry.type(description="Tickets open at an instant, with age buckets (hours).")
class Backlog:
    at: datetime
    key: str = strawberry.field(description="The group ('all' when not grouped).")
    label: str
    open: int
    unassigned: int
    unanswered: int = strawberry.field(description="Open with no public agent reply yet.")
    age_under_1h: int
    age_1h_to_4h: int
    age_4h_to_24h: int
    age_1d_to_3d: int
    age_over_3d: int
    mean_age_hours: float | None
    oldest_age_hours: float | None
    uncertain: int = strawberry.field(
        description="Reopened tickets whose state at that instant is unknown (open may over-count)."
    )

    @classmethod
    def of(cls, b: BacklogSnapshot) -> Backlog:
        return cls(
            at=b.at,
            key=b.key,
            label=b.label,
            open=b.open,
            unassigned=b.unassigned,
            unanswered=b.unanswered,
            age_under_1h=b.age_under_1h,
            age_1h_to_4h=b.age_1h_to_4h,
            age_4h_to_24h=b.age_4h_to_24h,
            age_1d_to_3d=b.age_1d_to_3d,
            age_over_3d=b.age_over_3d,
            mean_age_hours=b.mean_age_hours,
            oldest_age_hours=b.oldest_age_hours,
            uncertain=b.uncertain,
        )


@strawberry.type(description="Tickets created in the window with one value of a dimension.")
class DistributionBucket:
    key: str
    label: str
    tickets: int
    share: float | None = strawberry.field(description="Percent of the window's tickets.")


@strawberry.type(description="Tickets created in the window by channel/category/priority/status.")
class Distribution:
    dimension: str
    total: int
    buckets: list[DistributionBucket]

    @classmethod
    def of(cls, d: TicketDistribution) -> Distribution:
        return cls(
            dimension=d.dimension,
            total=d.total,
            buckets=[DistributionBucket(key=b.key, label=b.label, tickets=b.tickets,
                                        share=b.share) for b in d.buckets],
        )  # fmt: skip


@strawberry.type(description="One time bucket (UTC instants; label in the requested timezone).")
class SeriesPoint:
    bucket_start: datetime
    bucket_end: datetime
    local_label: str
    n: int = strawberry.field(description="The observations behind the value (0: no data).")
    value: float | None = strawberry.field(description="Null when the bucket has no data.")
    ci_low: float | None = strawberry.field(
        description="Lower bound of the 95% CI where the KPI is a sample estimate, else null."
    )
    ci_high: float | None = strawberry.field(
        description="Upper bound of the 95% CI where the KPI is a sample estimate, else null."
    )
    group: str | None = strawberry.field(description="The group's key when grouped, else null.")
    group_label: str | None = strawberry.field(
        description="The group's name for people (team, agent, category, policy) when grouped."
    )
    suppressed: bool = strawberry.field(
        default=False,
        description="True when the point is withheld: shown to an analyst, the group has fewer "
        "customers over the window than the k-anonymity threshold (PRIVACY_K_ANONYMITY).",
    )

    @classmethod
    def of(cls, p: SeriesFigure) -> SeriesPoint:
        return cls(
            bucket_start=p.bucket_start,
            bucket_end=p.bucket_end,
            local_label=p.local_label,
            n=p.n,
            value=p.value,
            ci_low=p.ci_low,
            ci_high=p.ci_high,
            group=p.group,
            group_label=p.group_label,
            suppressed=p.suppressed,
        )


@strawberry.type(description="One agent's KPIs over the window.")
class AgentKpis:
    agent_id: strawberry.ID
    name: str
    team_id: strawberry.ID
    kpis: list[KpiValue]

    @classmethod
    def of(cls, a: AgentFigures) -> AgentKpis:
        return cls(
            agent_id=strawberry.ID(str(a.agent_id)),
            name=a.name,
            team_id=strawberry.ID(str(a.team_id)),
            kpis=[KpiValue.of(k) for k in a.kpis],
        )

    @strawberry.field(description="One KPI by name (null if this view does not have it).")
    def kpi(self, name: str) -> KpiValue | None:
        return next((k for k in self.kpis if k.name == name), None)


@strawberry.type(description="One queue ('all' = every queue) over the window.")
class QueueKpis:
    queue: str
    offered: int
    answered: int
    answered_within_threshold: int
    abandoned: int
    abandoned_after_threshold: int
    kpis: list[KpiValue]

    @classmethod
    def of(cls, q: QueueFigures) -> QueueKpis:
        return cls(
            queue=q.queue,
            offered=q.offered,
            answered=q.answered,
            answered_within_threshold=q.answered_within_threshold,
            abandoned=q.abandoned,
            abandoned_after_threshold=q.abandoned_after_threshold,
            kpis=[KpiValue.of(k) for k in q.kpis],
        )
