"""Predictive insights: satisfaction drivers, risk and forecast, VIP churn risk and its model
card, upsell candidates (``resolvers.insights``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from analytics.drivers import DriverEffect, DriversResult
from resolvers import insights
from resolvers.insights import DriverGrouping
from schema.common import Info, VipTier
from schema.insights_types import (
    ChurnRisk,
    ChurnRiskPage,
    ModelCard,
    PredictionAccuracy,
    RiskScore,
    UpsellCandidate,
)
from schema.predictions import PredictionType
from schema.window import WindowArg, window_of

#: The driver groupings (:class:`resolvers.insights.DriverGrouping`), under their GraphQL name.
strawberry.enum(
    DriverGrouping,
    name="DriverGroupBy",
    description="How satisfaction drivers are split into groups.",
)


@strawberry.type(description="One factor's effect on CSAT (points of the 1-5 mean per unit).")
class SatisfactionDriver:
    factor: str = strawberry.field(
        description="first_response_time, resolution_time, reopened, agent_replies, agent_skill, "
        "agent_tenure, sentiment, first_response_breached, resolution_breached, channel, "
        "category or vip_tier."
    )
    level: str | None = strawberry.field(
        description="For channel, category and vip_tier: the level compared with the reference."
    )
    unit: str = strawberry.field(description="What one unit of the factor is.")
    direction: str = strawberry.field(
        description="raises, lowers, or none (not significant after BH correction)."
    )
    effect: float = strawberry.field(description="OLS coefficient (CSAT points per unit).")
    ci_low: float = strawberry.field(description="95% interval, HC3 robust standard errors.")
    ci_high: float
    p_value: float
    p_adjusted: float = strawberry.field(description="Benjamini-Hochberg adjusted p-value.")
    significant: bool
    n: int = strawberry.field(description="Surveys with the level (all surveys for numbers).")
    permutation_importance: float = strawberry.field(
        description="Cross-check: held-out R² drop of a gradient boosted tree model when the "
        "factor is shuffled (mean over repeats)."
    )
    permutation_importance_sd: float

    @classmethod
    def of(cls, e: DriverEffect) -> SatisfactionDriver:
        return cls(
            factor=e.factor,
            level=e.level,
            unit=e.unit,
            direction=e.direction,
            effect=e.effect,
            ci_low=e.ci_low,
            ci_high=e.ci_high,
            p_value=e.p_value,
            p_adjusted=e.p_adjusted,
            significant=e.significant,
            n=e.n,
            permutation_importance=e.importance,
            permutation_importance_sd=e.importance_sd,
        )


@strawberry.type(description="Drivers fitted on one set of surveys, largest |effect| first.")
class SatisfactionDriverSet:
    n: int
    mean_csat: float
    r_squared: float
    alpha: float = strawberry.field(description="False discovery rate of the BH correction.")
    drivers: list[SatisfactionDriver]

    @classmethod
    def of(cls, r: DriversResult) -> SatisfactionDriverSet:
        return cls(
            n=r.n,
            mean_csat=r.mean_csat,
            r_squared=r.r_squared,
            alpha=r.alpha,
            drivers=[SatisfactionDriver.of(e) for e in r.effects],
        )


@strawberry.type
class SatisfactionDriverGroup:
    key: str
    result: SatisfactionDriverSet


@strawberry.type(
    description="What moves CSAT: OLS of the rating on the ticket's factors with HC3 robust "
    "errors, BH-corrected, cross-checked by permutation importance of a tree model."
)
class SatisfactionDrivers:
    window_from: datetime
    window_to: datetime
    overall: SatisfactionDriverSet
    groups: list[SatisfactionDriverGroup] = strawberry.field(
        description="Per group of at least 100 surveys, when groupBy is given."
    )


@strawberry.type(description="One forecast day of mean CSAT with prediction intervals.")
class CsatForecastDay:
    day_start: datetime
    day_end: datetime
    local_label: str
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@strawberry.type(description="Daily mean CSAT ahead, ETS(A,N,N) on the daily means you may see.")
class SatisfactionForecast:
    method: str
    timezone: str
    history_from: datetime
    history_to: datetime
    days: list[CsatForecastDay]

    @classmethod
    def of(cls, f: insights.SatisfactionForecastResult) -> SatisfactionForecast:
        return cls(
            method=f.method,
            timezone=f.timezone,
            history_from=f.history_from,
            history_to=f.history_to,
            days=[
                CsatForecastDay(
                    day_start=d.start,
                    day_end=d.end,
                    local_label=d.local_label,
                    mean=d.mean,
                    lo80=d.lo80,
                    hi80=d.hi80,
                    lo95=d.lo95,
                    hi95=d.hi95,
                )
                for d in f.days
            ],
        )


async def ticket_satisfaction_risk(info: Info, ticket_id: int) -> RiskScore | None:
    """``Ticket.satisfactionRisk`` (batched per request)."""
    score = await insights.ticket_satisfaction_risk(info.context, ticket_id)
    return RiskScore.of(score) if score is not None else None


async def customer_churn_risk(info: Info, customer_id: UUID) -> ChurnRisk | None:
    """``Customer.churnRisk`` (batched per request)."""
    risk = await insights.customer_churn_risk(info.context, customer_id)
    return ChurnRisk.of(risk) if risk is not None else None


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        description="Which factors move CSAT over the answered surveys sent in the window that "
        "you may see (default: the resolvers' default window), overall and per group."
    )
    async def satisfaction_drivers(
        self, info: Info, window: WindowArg = None, group_by: DriverGrouping | None = None
    ) -> SatisfactionDrivers:
        w = window_of(info, window, None, None, None, None)
        r = await insights.drivers(info.context, w.start, w.end, group_by)
        return SatisfactionDrivers(
            window_from=r.window_from,
            window_to=r.window_to,
            overall=SatisfactionDriverSet.of(r.overall),
            groups=[
                SatisfactionDriverGroup(key=g.key, result=SatisfactionDriverSet.of(g.result))
                for g in r.groups
            ],
        )

    @strawberry.field(
        description="Daily mean CSAT for the next horizonDays local days after asOf (default "
        "now), with 80%/95% prediction intervals."
    )
    async def satisfaction_forecast(
        self,
        info: Info,
        timezone: str | None = None,
        as_of: datetime | None = None,
        history_days: int = 56,
        horizon_days: int = 7,
    ) -> SatisfactionForecast:
        f = await insights.csat_forecast(
            info.context,
            timezone=timezone,
            as_of=as_of,
            history_days=history_days,
            horizon=horizon_days,
        )
        return SatisfactionForecast.of(f)

    @strawberry.field(
        description="Active VIP clients you may see by descending probability of churning "
        "within 90 days (calibrated classifier; see churnModel), scored from the support "
        "history you may see."
    )
    async def churn_risk(
        self,
        info: Info,
        tier: list[VipTier] | None = None,
        min_probability: float = 0.0,
        first: int = 50,
        after: str | None = None,
    ) -> ChurnRiskPage:
        page = await insights.churn_risk(
            info.context,
            tiers=[t.value for t in tier] if tier else None,
            min_probability=min_probability,
            first=first,
            after=after,
        )
        return ChurnRiskPage(
            total_count=page.total,
            nodes=[ChurnRisk.of(c) for c in page.nodes],
            has_next_page=page.has_next,
            end_cursor=page.end_cursor,
        )

    @strawberry.field(description="The churn model's card (latest version).")
    async def churn_model(self, info: Info) -> ModelCard:
        return ModelCard.of(await insights.churn_model_card(info.context))

    @strawberry.field(description="The low-satisfaction risk model's card (latest version).")
    async def satisfaction_risk_model(self, info: Info) -> ModelCard:
        return ModelCard.of(await insights.satisfaction_model_card(info.context))

    @strawberry.field(
        description="VIP clients whose support signals suggest an upgrade (the rule is on "
        "UpsellCandidate), best first."
    )
    async def upsell_candidates(self, info: Info, first: int = 50) -> list[UpsellCandidate]:
        found = await insights.upsell(info.context, first)
        return [
            UpsellCandidate(
                client=ChurnRisk.of(u.client),
                next_tier=VipTier(u.next_tier),
                score=u.score,
                reason=u.reason,
            )
            for u in found
        ]

    @strawberry.field(
        description="How accurate the stored predictions of one type with targetStart in the "
        "window were, per model version (managers, executives, admins, analysts)."
    )
    async def prediction_accuracy(
        self, info: Info, type: PredictionType, window: WindowArg = None
    ) -> list[PredictionAccuracy]:
        w = window_of(info, window, None, None, None, None)
        found = await insights.accuracy(info.context, type.value, w.start, w.end)
        return [PredictionAccuracy.of(a) for a in found]
