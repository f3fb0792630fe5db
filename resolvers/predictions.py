"""Stored predictions and the synthetic data's injected incidents, by window."""

from __future__ import annotations

from datetime import datetime

import sql
from resolvers.context import RequestContext
from resolvers.port import Row
from resolvers.windows import validate_optional_window


async def predictions(
    ctx: RequestContext, prediction_type: str, start: datetime | None, end: datetime | None
) -> list[Row]:
    """Predictions of ``prediction_type`` whose target start is in ``[start, end)`` (either end
    may be None; at most :data:`~resolvers.windows.MAX_WINDOW_DAYS` days when both are given)."""
    validate_optional_window(start, end)
    return list(await ctx.session.fetch(sql.load("predictions_list"), prediction_type, start, end))


async def incidents(ctx: RequestContext, start: datetime | None, end: datetime | None) -> list[Row]:
    """Incidents overlapping ``[start, end)``, earliest first (bounds as :func:`predictions`)."""
    validate_optional_window(start, end)
    return list(await ctx.session.fetch(sql.load("predictions_incidents"), start, end))
