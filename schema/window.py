"""The window vocabulary of the graph: the ``Window`` input, ``Period`` and ``Granularity``.

A windowed field takes either ``window: Window`` or the separate ``from``/``to``/``period``/
``timezone`` arguments (kept so that existing documents and the exported schema do not change;
giving both is an error). Both forms are validated by one function,
:func:`resolvers.windows.window_from_arguments`: see :mod:`resolvers.windows` for the rules (the
400-day limit, IANA zones only, the default of the last 7 days in the organisation's zone).

The enums are defined once, in the resolvers that compute with them, and exposed here with
``strawberry.enum``; import them from this module in schema code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from resolvers.buckets import Granularity
from resolvers.windows import (
    MAX_WINDOW_DAYS,
    Period,
    TimeWindow,
    chosen_window_arguments,
    required_window_from_arguments,
    window_from_arguments,
)
from schema.common import Info

strawberry.enum(
    Period, description="Named windows ending now (calendar ones start at local midnight)."
)
strawberry.enum(Granularity, description="Time bucket size for series, in the requested timezone.")

#: The ``from`` argument of a windowed field (``from`` is a Python keyword).
FromArg = Annotated[
    datetime | None, strawberry.argument(name="from", description="Window start (inclusive).")
]


@strawberry.input(
    description=(
        f"A time window: from/to instants ([from, to), at most {MAX_WINDOW_DAYS} days) or a named"
        " period ending "
        "now (default LAST_7_DAYS), read in timezone (an IANA name; default the organisation's)."
    )
)
class Window:
    start: datetime | None = strawberry.field(
        name="from", default=None, description="Window start (inclusive)."
    )
    end: datetime | None = strawberry.field(
        name="to", default=None, description="Window end (exclusive)."
    )
    period: Period | None = None
    timezone: str | None = strawberry.field(
        default=None, description="IANA time zone name, e.g. Europe/Paris."
    )


#: The ``window`` argument of a windowed field.
WindowArg = Annotated[
    Window | None,
    strawberry.argument(
        description="The window as one input (instead of from/to/period/timezone)."
    ),
]


def window_of(
    info: Info,
    window: Window | None,
    start: datetime | None,
    end: datetime | None,
    period: Period | None,
    timezone: str | None,
    *,
    max_days: int | None = MAX_WINDOW_DAYS,
) -> TimeWindow:
    """The validated window of a field's arguments, against the request's clock and zone."""
    return window_from_arguments(
        window,
        start,
        end,
        period,
        timezone,
        now=info.context.now,
        default_timezone=info.context.org_timezone,
        max_days=max_days,
    )


def open_window_of(
    info: Info, window: Window | None, start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The ends of a field whose ``from``/``to`` may be omitted (open ends): those arguments as
    given, or the ends of ``window`` validated by :func:`window_of` (giving both is an error)."""
    if window is None:
        return start, end
    w = window_of(info, window, start, end, None, None)
    return w.start, w.end


def required_window_of(
    info: Info,
    window: Window | None,
    start: datetime | None,
    end: datetime | None,
    *,
    max_days: int | None = MAX_WINDOW_DAYS,
) -> tuple[datetime, datetime]:
    """The ends of a field that needs a window (no default): ``window`` or both ``from`` and
    ``to``, validated by the one rule (:func:`resolvers.windows.required_window_from_arguments`)."""
    w = required_window_from_arguments(
        window,
        start,
        end,
        now=info.context.now,
        default_timezone=info.context.org_timezone,
        max_days=max_days,
    )
    return w.start, w.end


__all__ = [
    "FromArg",
    "Granularity",
    "Period",
    "TimeWindow",
    "Window",
    "WindowArg",
    "chosen_window_arguments",
    "open_window_of",
    "required_window_of",
    "window_of",
]
