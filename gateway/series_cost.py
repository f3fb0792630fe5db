"""Points of a series field, for the static cost (:mod:`gateway.cost`): buckets × groups.

A series field returns one point per bucket (its window divided by its granularity) and per
group (``groupBy``). Computing and completing those points is the work (an hourly 83-day
backlog series grouped by agent is 87,648 points: seconds of SQL and of GraphQL completion), so
a series costs one per point on top of its weight, estimated from the document before it runs:

- **window**: ``from``/``to`` (or ``window: {from, to}``) as literals or variables; a missing
  ``to`` is now, a missing ``from`` is ``to`` minus the ``period`` (or the field's default
  period); an unreadable value counts as the default period (validation rejects it anyway);
- **granularity**: ``HOUR`` 1 h, ``DAY`` 24 h, ``WEEK`` 168 h, ``MONTH`` 744 h (the longest);
- **groups**: :data:`GROUP_SIZES` per ``groupBy`` value (an upper estimate of the distinct
  values in a support organisation: 50 agents, 20 teams...), 1 without ``groupBy``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import (
    EnumValueNode,
    FieldNode,
    GraphQLField,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)


@dataclass(frozen=True, slots=True)
class Series:
    """A series field: its default window and its default granularity (None: required)."""

    default_hours: float
    default_granularity: str | None = None


#: The series fields (``Type.field``) and their defaults (as the resolvers apply them).
SERIES: Mapping[str, Series] = {
    "Query.timeSeries": Series(7 * 24),
    "Query.trend": Series(30 * 24, "DAY"),
    "Query.anomalies": Series(30 * 24, "HOUR"),
}
#: Hours per bucket of each granularity.
BUCKET_HOURS: Mapping[str, float] = {"HOUR": 1, "DAY": 24, "WEEK": 168, "MONTH": 744}
#: Hours of each named period (calendar ones at their longest).
PERIOD_HOURS: Mapping[str, float] = {
    "LAST_HOUR": 1,
    "TODAY": 25,
    "LAST_24_HOURS": 24,
    "THIS_WEEK": 7 * 24 + 1,
    "LAST_7_DAYS": 7 * 24,
    "THIS_MONTH": 31 * 24 + 1,
    "LAST_30_DAYS": 30 * 24,
    "LAST_90_DAYS": 90 * 24,
}
#: Groups a ``groupBy`` value is counted for.
GROUP_SIZES: Mapping[str, int] = {
    "CHANNEL": 6,
    "PRIORITY": 4,
    "STATUS": 6,
    "VIP_TIER": 5,
    "POLICY": 10,
    "QUEUE": 20,
    "TEAM": 20,
    "CATEGORY": 50,
    "AGENT": 50,
}
#: Longest window counted (ten years): a cost, not a calendar.
MAX_HOURS = 10 * 366 * 24


def series_points(
    series: Series, field: FieldNode, definition: GraphQLField, variables: Mapping[str, Any]
) -> int:
    """The points a series field will return, estimated from its arguments."""
    args = {a.name.value: a.value for a in field.arguments or ()}
    window = _value(args.get("window"), variables)
    if not isinstance(window, Mapping):
        window = {}
    start = _instant(window.get("from", _value(args.get("from"), variables)))
    end = _instant(window.get("to", _value(args.get("to"), variables)))
    period = window.get("period", _value(args.get("period"), variables))
    span = PERIOD_HOURS.get(period, series.default_hours) if isinstance(period, str) else None
    hours = _hours(start, end, span if span is not None else series.default_hours)
    granularity = _value(args.get("granularity"), variables)
    if not isinstance(granularity, str):
        granularity = _default_name(definition, "granularity") or series.default_granularity
    bucket = BUCKET_HOURS.get(granularity or "", 24.0)
    group = _value(args.get("groupBy"), variables)
    groups = GROUP_SIZES.get(group, 1) if isinstance(group, str) else 1
    return math.ceil(min(max(hours, 0.0), MAX_HOURS) / bucket) * groups


def _hours(start: datetime | None, end: datetime | None, span: float) -> float:
    if start is not None and end is not None:
        return (end - start).total_seconds() / 3600
    if start is not None:
        return (datetime.now(UTC) - start).total_seconds() / 3600
    return span


def _value(node: ValueNode | None, variables: Mapping[str, Any]) -> Any:
    """A literal or variable argument as plain data (enum values as their names)."""
    if node is None:
        return None
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, StringValueNode | EnumValueNode):
        return node.value
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _value(f.value, variables) for f in node.fields}
    return None


def _instant(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _default_name(definition: GraphQLField, arg: str) -> str | None:
    """The enum name of an argument's default value (the schema holds the Python member)."""
    found = definition.args.get(arg)
    default = getattr(found, "default_value", None)
    name = getattr(default, "name", None)
    return name if isinstance(name, str) else None


__all__ = ["SERIES", "Series", "series_points"]
