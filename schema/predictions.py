"""Stored predictions (forecasts and churn scores) and the injected ground-truth incidents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

import resolvers.customers
import resolvers.predictions
from resolvers.port import Row
from resolvers.windows import MAX_WINDOW_DAYS
from schema.alerts import json_value
from schema.common import Info
from schema.window import WindowArg, open_window_of

if TYPE_CHECKING:
    from schema.customers import Customer

CustomerRef = Annotated["Customer", strawberry.lazy("schema.customers")]

FromTime = Annotated[
    datetime | None, strawberry.argument(name="from", description="Inclusive; omit for open.")
]
ToTime = Annotated[
    datetime | None, strawberry.argument(name="to", description="Exclusive; omit for open.")
]


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@strawberry.enum(description="What a prediction forecasts.")
class PredictionType(Enum):
    VOLUME = "volume"
    CSAT = "csat"
    CHURN_RISK = "churn_risk"
    STAFFING = "staffing"
    SATISFACTION_RISK = "satisfaction_risk"


@strawberry.enum(description="Kind of incident injected by the synthetic data generator.")
class IncidentKind(Enum):
    VOLUME_SPIKE = "volume_spike"
    SLA_BREACH_WAVE = "sla_breach_wave"
    SATISFACTION_DROP = "satisfaction_drop"
    HOLD_DELAY = "hold_delay"


@strawberry.type(
    description="A stored prediction for the period [targetStart, targetEnd), with prediction "
    "intervals. Units follow the type: VOLUME contacts, CSAT mean rating 1-5, STAFFING agents, "
    "CHURN_RISK a probability 0..1 of churning within 90 days."
)
class Prediction:
    id: strawberry.ID
    type: PredictionType
    target_start: datetime = strawberry.field(description="Start of the predicted period.")
    target_end: datetime = strawberry.field(description="End of the predicted period (exclusive).")
    scope: str = strawberry.field(description="What is predicted for: 'all' or a segment name.")
    predicted_value: float = strawberry.field(description="Point prediction, in the type's unit.")
    lower_80: float | None = strawberry.field(description="Lower bound, 80% interval.")
    upper_80: float | None = strawberry.field(description="Upper bound, 80% interval.")
    lower_95: float | None = strawberry.field(description="Lower bound, 95% interval.")
    upper_95: float | None = strawberry.field(description="Upper bound, 95% interval.")
    model: str = strawberry.field(description="Model that produced it.")
    created_at: datetime
    _customer_id: strawberry.Private[UUID | None]

    @classmethod
    def from_row(cls, r: Row) -> Prediction:
        return cls(
            id=strawberry.ID(str(r["id"])),
            type=PredictionType(r["prediction_type"]),
            target_start=r["target_start"],
            target_end=r["target_end"],
            scope=r["scope"],
            predicted_value=float(r["predicted_value"]),
            lower_80=_float(r["lower_80"]),
            upper_80=_float(r["upper_80"]),
            lower_95=_float(r["lower_95"]),
            upper_95=_float(r["upper_95"]),
            model=r["model"],
            created_at=r["created_at"],
            _customer_id=r["customer_id"],
        )

    @strawberry.field(description="The client scored (churn risk only), if you may see them.")
    async def customer(self, info: Info) -> CustomerRef | None:
        from schema.customers import Customer

        if self._customer_id is None:
            return None
        row = await resolvers.customers.customer_by_id(info.context, self._customer_id)
        return Customer.from_row(row) if row else None


@strawberry.type(
    description="An incident injected into the synthetic data (ground truth for anomaly and "
    "alert checks), active during [startsAt, endsAt)."
)
class Incident:
    id: strawberry.ID
    kind: IncidentKind
    starts_at: datetime
    ends_at: datetime
    scope: JSON = strawberry.field(description="What it affected (e.g. channel, team, category).")
    magnitude: float = strawberry.field(
        description="Strength of the injected effect (e.g. volume multiplier)."
    )
    description: str

    @classmethod
    def from_row(cls, r: Row) -> Incident:
        return cls(
            id=strawberry.ID(str(r["id"])),
            kind=IncidentKind(r["kind"]),
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            scope=json_value(r["scope"]),
            magnitude=float(r["magnitude"]),
            description=r["description"],
        )


@strawberry.type
class PredictionsQuery:
    @strawberry.field(
        description="Stored predictions of one type whose targetStart is in [from, to) (either "
        f"end may be omitted; at most {MAX_WINDOW_DAYS} days when both are given), by targetStart."
        " Team leads "
        "see organisation-level forecasts only; agents see none."
    )
    async def predictions(
        self,
        info: Info,
        type: PredictionType,
        start: FromTime = None,
        end: ToTime = None,
        window: WindowArg = None,
    ) -> list[Prediction]:
        start, end = open_window_of(info, window, start, end)
        rows = await resolvers.predictions.predictions(info.context, type.value, start, end)
        return [Prediction.from_row(r) for r in rows]

    @strawberry.field(
        description="Injected incidents overlapping [from, to) (either end may be omitted; at "
        f"most {MAX_WINDOW_DAYS} days when both are given), earliest first. Managers, executives,"
        " admins and "
        "analysts only."
    )
    async def incidents(
        self, info: Info, start: FromTime = None, end: ToTime = None, window: WindowArg = None
    ) -> list[Incident]:
        start, end = open_window_of(info, window, start, end)
        rows = await resolvers.predictions.incidents(info.context, start, end)
        return [Incident.from_row(r) for r in rows]
