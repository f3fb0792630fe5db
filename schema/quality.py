"""Root lists of quality evaluations and training records (types live in schema.agents)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

import resolvers.quality
from resolvers.windows import MAX_WINDOW_DAYS
from schema.agents import QaEvaluation, TrainingRecord
from schema.common import Info, parse_uuid, values
from schema.window import WindowArg, required_window_of

FromTime = Annotated[
    datetime | None, strawberry.argument(name="from", description="Inclusive (or give window).")
]
ToTime = Annotated[
    datetime | None, strawberry.argument(name="to", description="Exclusive (or give window).")
]


@strawberry.enum(description="Progress of a training record.")
class TrainingStatus(Enum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@strawberry.type
class QualityQuery:
    @strawberry.field(
        description=f"QA evaluations made in [from, to) (at most {MAX_WINDOW_DAYS} days), newest"
        " first; an "
        "agent sees their own, a team lead their team's, management and analysts all. Give window"
        " or both from and to."
    )
    async def qa_evaluations(
        self,
        info: Info,
        start: FromTime = None,
        end: ToTime = None,
        agent_id: list[strawberry.ID] | None = None,
        window: WindowArg = None,
    ) -> list[QaEvaluation]:
        start, end = required_window_of(info, window, start, end)
        agents = [parse_uuid(a, "agentId") for a in agent_id] if agent_id is not None else None
        rows = await resolvers.quality.qa_evaluations(info.context, start, end, agents)
        return [QaEvaluation.from_row(r) for r in rows]

    @strawberry.field(
        description=f"Training records assigned in [from, to) (at most {MAX_WINDOW_DAYS} days),"
        " newest "
        "assignment first; visible like qaEvaluations. Give window or both from and to."
    )
    async def training_records(
        self,
        info: Info,
        start: FromTime = None,
        end: ToTime = None,
        agent_id: list[strawberry.ID] | None = None,
        status: list[TrainingStatus] | None = None,
        window: WindowArg = None,
    ) -> list[TrainingRecord]:
        start, end = required_window_of(info, window, start, end)
        agents = [parse_uuid(a, "agentId") for a in agent_id] if agent_id is not None else None
        rows = await resolvers.quality.training_records(
            info.context, start, end, agents, values(status)
        )
        return [TrainingRecord.from_row(r) for r in rows]
