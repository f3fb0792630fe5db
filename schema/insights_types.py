"""Result types of the risk models: scores with their factors, churn risk, upsell candidates,
model cards and prediction accuracy (``resolvers.insights``, ``resolvers.prediction_accuracy``)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from analytics.risk_model import CalibrationBin
from resolvers import customers, insights_scoring, prediction_accuracy
from resolvers.insights_models import StoredModel
from schema.common import Info, VipTier

if TYPE_CHECKING:
    from schema.customers import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("schema.customers")]


@strawberry.type(description="A factor's signed contribution to the log-odds.")
class RiskFactor:
    name: str
    contribution: float


@strawberry.type(
    description="A calibrated probability with the factors behind it: baselineLogOdds plus every "
    "feature's contribution is logOdds; topFactors are the largest by size."
)
class RiskScore:
    probability: float
    log_odds: float
    baseline_log_odds: float = strawberry.field(description="Log-odds at the training mean.")
    top_factors: list[RiskFactor]
    model_version: int
    calibration_observed: float | None = strawberry.field(
        description="Observed rate of held-out rows in this score's calibration bin."
    )
    calibration_low: float | None = strawberry.field(description="Its Wilson 95% interval.")
    calibration_high: float | None

    @classmethod
    def of(cls, s: insights_scoring.RiskScoreResult) -> RiskScore:
        return cls(
            probability=s.probability,
            log_odds=s.log_odds,
            baseline_log_odds=s.baseline_log_odds,
            top_factors=[RiskFactor(name=f.name, contribution=f.contribution) for f in s.factors],
            model_version=s.model_version,
            calibration_observed=s.calibration_observed,
            calibration_low=s.calibration_low,
            calibration_high=s.calibration_high,
        )


@strawberry.type(description="A VIP client's risk of churning within 90 days.")
class ChurnRisk:
    vip_tier: VipTier
    lifetime_value: float
    revenue_at_risk: float = strawberry.field(description="Lifetime value × probability.")
    recommended_action: str
    risk: RiskScore
    _customer_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, c: insights_scoring.ClientRisk) -> ChurnRisk:
        return cls(
            vip_tier=VipTier(c.vip_tier),
            lifetime_value=c.lifetime_value,
            revenue_at_risk=c.revenue_at_risk,
            recommended_action=c.action,
            risk=RiskScore.of(c.risk),
            _customer_id=c.customer_id,
        )

    @strawberry.field(description="The client (personal data masked for analysts).")
    async def customer(self, info: Info) -> CustomerRef | None:
        from schema.customers import Customer

        row = await customers.customer_by_id(info.context, self._customer_id)
        return Customer.from_row(row) if row else None


@strawberry.type
class ChurnRiskPage:
    total_count: int
    nodes: list[ChurnRisk]
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(
    description="An upgrade candidate. Rule: active VIP below diamond, mean CSAT >= 4.5 over 2+ "
    "ratings, 2+ tickets in 90 days, no SLA breach, churn risk < 0.15; ranked by lifetime "
    "value × (1 − churn probability)."
)
class UpsellCandidate:
    client: ChurnRisk
    next_tier: VipTier
    score: float
    reason: str


@strawberry.type(description="One calibration bin of held-out predictions.")
class CalibrationRow:
    low: float
    high: float
    n: int
    mean_predicted: float | None
    observed: float | None
    observed_low: float | None = strawberry.field(description="Wilson 95% interval.")
    observed_high: float | None

    @classmethod
    def of(cls, b: CalibrationBin) -> CalibrationRow:
        return cls(
            low=b.low,
            high=b.high,
            n=b.n,
            mean_predicted=b.mean_predicted,
            observed=b.observed,
            observed_low=b.observed_low,
            observed_high=b.observed_high,
        )


@strawberry.type(description="A stored model version and its held-out evaluation.")
class ModelCard:
    model_type: str
    version: int
    method: str
    features: list[str]
    trained_at: datetime
    training_from: datetime
    training_to: datetime
    trained_as: str = strawberry.field(description="Whose rights the training data was read with.")
    n_train: int
    n_test: int
    positives_test: int
    auc: float | None = strawberry.field(description="Held-out ROC AUC.")
    brier: float = strawberry.field(description="Held-out Brier score.")
    base_rate_brier: float = strawberry.field(
        description="Brier score of predicting the training base rate for everyone."
    )
    calibration: list[CalibrationRow]

    @classmethod
    def of(cls, m: StoredModel) -> ModelCard:
        ev = m.evaluation
        return cls(
            model_type=m.model_type,
            version=m.version,
            method=m.method,
            features=list(m.model.features),
            trained_at=m.trained_at,
            training_from=m.training_from,
            training_to=m.training_to,
            trained_as=m.trained_as,
            n_train=m.n_train,
            n_test=m.n_test,
            positives_test=ev.positives,
            auc=ev.auc,
            brier=ev.brier,
            base_rate_brier=ev.base_rate_brier,
            calibration=[CalibrationRow.of(b) for b in ev.calibration],
        )


@strawberry.type(
    description="Past predictions of one model version judged against what happened: MASE, "
    "WAPE and interval coverage for forecasts; AUC, Brier and calibration for risk scores."
)
class PredictionAccuracy:
    model: str
    version: str
    n: int = strawberry.field(description="Predictions judged (outcome known).")
    first_target: datetime
    last_target: datetime
    mase: float | None = strawberry.field(
        description="Mean absolute error / in-sample weekly seasonal-naive MAE of the 28 days "
        "before (null when undefined)."
    )
    wape: float | None
    coverage80: float | None
    coverage95: float | None
    auc: float | None
    brier: float | None
    base_rate_brier: float | None = strawberry.field(
        description="Brier score of predicting the observed rate for everyone."
    )
    calibration: list[CalibrationRow]

    @classmethod
    def of(cls, a: prediction_accuracy.ModelAccuracy) -> PredictionAccuracy:
        f, r = a.forecast, a.risk
        return cls(
            model=a.model,
            version=a.version,
            n=a.n,
            first_target=a.first_target,
            last_target=a.last_target,
            mase=_finite(f.mase) if f else None,
            wape=_finite(f.wape) if f else None,
            coverage80=f.coverage80 if f else None,
            coverage95=f.coverage95 if f else None,
            auc=r.auc if r else None,
            brier=r.brier if r else None,
            base_rate_brier=r.base_rate_brier if r else None,
            calibration=[CalibrationRow.of(b) for b in r.calibration] if r else [],
        )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
