"""High-value client trends: VIP tickets, white-glove use and CSAT per time bucket and tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sql
from resolvers.buckets import Granularity, clipped_bucket, validate_series
from resolvers.port import Session


@dataclass(frozen=True, slots=True)
class VipTierBucket:
    """One tier in one bucket (bucket bounds clipped to the window, label in the zone)."""

    bucket_start: datetime
    bucket_end: datetime
    local_label: str
    vip_tier: str
    tickets: int
    white_glove: int
    csat_n: int
    csat_mean: float | None


async def vip_tier_trends(
    session: Session, start: datetime, end: datetime, granularity: Granularity | str, tz: str
) -> list[VipTierBucket]:
    """Every bucket × tier of ``[start, end)`` (one statement, under the caller's rights)."""
    req = validate_series(start, end, granularity, tz)
    rows = await session.fetch(
        sql.load("vip_tier_trends"),
        req.window_from,
        req.window_to,
        req.granularity.value,
        req.timezone,
    )
    out = []
    for r in rows:
        bucket_start, bucket_end, label = clipped_bucket(r, req)
        out.append(
            VipTierBucket(
                bucket_start=bucket_start,
                bucket_end=bucket_end,
                local_label=label,
                vip_tier=r["vip_tier"],
                tickets=r["tickets"],
                white_glove=r["white_glove"],
                csat_n=r["csat_n"],
                csat_mean=r["csat_mean"],
            )
        )
    return out
