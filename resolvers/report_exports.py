"""Data exports for the API: any ticket filter and any ``timeSeries`` as CSV or XLSX, as a
short-lived link signed for the caller (the rows are streamed at download under the caller's
rights, :mod:`gateway.reports.exports`). A ticket export is refused up front when more rows
match than the caller's role may export (``EXPORT_ROW_CAPS``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.reports import Link, export_links
from resolvers.tickets import TicketSelection, tickets_count
from resolvers.windows import resolve_timezone

EXPORT_FORMATS = ("csv", "xlsx")


def filter_payload(f: TicketSelection) -> dict[str, Any]:
    """A ticket filter as JSON (the inverse of :func:`filter_from_payload`)."""
    out: dict[str, Any] = {}
    for key in TicketSelection.__dataclass_fields__:
        value = getattr(f, key)
        if value is None:
            continue
        out[key] = value.isoformat() if isinstance(value, datetime) else [str(v) for v in value]
    return out


def filter_from_payload(raw: Mapping[str, Any]) -> TicketSelection:
    """The ticket filter of an export link."""
    kinds: dict[str, Any] = {
        "category_ids": int,
        "agent_ids": UUID,
        "team_ids": UUID,
        "customer_ids": UUID,
    }
    args: dict[str, Any] = {}
    for key, value in raw.items():
        if key.endswith(("_from", "_to")):
            args[key] = datetime.fromisoformat(value)
        else:
            args[key] = [kinds.get(key, str)(v) for v in value]
    return TicketSelection(**args)


async def export_tickets(
    ctx: RequestContext, f: TicketSelection, fmt: str, timezone: str | None, bom: bool
) -> tuple[Link, int]:
    """A link to the tickets matching ``f`` as CSV or XLSX (times in ``timezone``, default the
    organisation's), and how many there are now; UserInputError when they exceed the caller's
    row cap."""
    if fmt not in EXPORT_FORMATS:
        raise UserInputError("exports are csv or xlsx", field="format")
    timezone = timezone or ctx.org_timezone
    resolve_timezone(timezone)
    links = export_links(ctx)
    count = await tickets_count(ctx.session, f)
    if count > links.row_cap:
        raise UserInputError(
            f"{count} tickets match; your role may export at most {links.row_cap} rows at once "
            "(narrow the filter, e.g. by createdFrom/createdTo)",
            field="filter",
        )
    payload = {"k": "tickets", "f": fmt, "tz": timezone, "bom": bom, "q": filter_payload(f)}
    return export_links(ctx).link(payload), count


def export_series(
    ctx: RequestContext,
    *,
    kpi: str,
    granularity: str,
    start: datetime,
    end: datetime,
    timezone: str,
    fmt: str,
    team_id: UUID | None,
    agent_id: UUID | None,
    group_by: str | None,
    bom: bool,
) -> Link:
    """A link to ``timeSeries(kpi, ...)`` as CSV or XLSX (checked now, computed at download)."""
    from resolvers.buckets import validate_series
    from resolvers.kpi_series import resolve_kpi

    if fmt not in EXPORT_FORMATS:
        raise UserInputError("exports are csv or xlsx", field="format")
    name = resolve_kpi(kpi)
    validate_series(start, end, granularity, timezone)
    payload = {
        "k": "series",
        "f": fmt,
        "bom": bom,
        "kpi": name,
        "g": granularity,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "tz": timezone,
        "team": str(team_id) if team_id else None,
        "agent": str(agent_id) if agent_id else None,
        "group": group_by,
    }
    return export_links(ctx).link(payload)
