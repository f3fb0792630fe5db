"""The live-data port: what subscription resolvers need from the gateway's realtime hub.

Subscription resolvers (``schema.subscriptions``) receive a :class:`LiveFeeds` for their
connection through the context (attribute ``live``) and never see the hub itself. Every stream
is already filtered by the subscriber's row level security (decided in the database by the
policies' own functions, see ``gateway.realtime.visibility``); the criteria here only narrow it.

A stream ends with :class:`SubscriberDropped` when the subscriber fell too far behind (its
bounded queue overflowed); the subscription then ends with that error and the client may
subscribe again.

The dashboard figures come from :func:`dashboard_snapshot` (a named query run under the
representative subscriber's rights); when the KPI engine's dashboard lands, only that function
changes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Protocol

import sql
from resolvers.dashboards import dashboard_kpis
from resolvers.errors import UserInputError
from resolvers.port import Row, Session
from resolvers.windows import Period, period_window


class LivePeriod(Enum):
    """The periods a live dashboard may follow: the one list of them (GraphQL's
    ``DashboardPeriod``), each a :class:`~resolvers.windows.Period` by value."""

    TODAY = Period.TODAY.value
    LAST_HOUR = Period.LAST_HOUR.value
    LAST_24_HOURS = Period.LAST_24_HOURS.value
    LAST_7_DAYS = Period.LAST_7_DAYS.value


#: :class:`LivePeriod` as periods (windows as :func:`resolvers.windows.period_window`).
LIVE_PERIODS = frozenset(Period(p.value) for p in LivePeriod)


def live_period(value: str) -> Period:
    """The :class:`Period` a live dashboard may follow, by value; else :class:`UserInputError`."""
    try:
        period = Period(value)
    except ValueError:
        period = None
    if period not in LIVE_PERIODS:
        raise UserInputError(f"unknown period {value!r}", field="period")
    return period


class SubscriberDropped(UserInputError):
    """The subscriber's queue overflowed; the message says what happened and what to do.

    A :class:`UserInputError` so that the gateway shows its message rather than masking it.
    """


@dataclass(frozen=True, slots=True)
class TicketChangeCriteria:
    """Optional narrowing of ``ticketChanged`` (None = any); all given criteria must hold."""

    statuses: frozenset[str] | None = None
    priorities: frozenset[str] | None = None
    team_ids: frozenset[str] | None = None
    agent_ids: frozenset[str] | None = None
    vip_tiers: frozenset[str] | None = None

    def matches(self, facts: Mapping[str, Any] | None) -> bool:
        """Whether a ticket with these column values (as in the change log's jsonb) matches."""
        if facts is None:
            return False
        checks = (
            (self.statuses, facts.get("status")),
            (self.priorities, facts.get("priority")),
            (self.team_ids, facts.get("team_id")),
            (self.agent_ids, facts.get("assigned_agent_id")),
            (self.vip_tiers, facts.get("vip_tier")),
        )
        return all(
            allowed is None or (value is not None and str(value) in allowed)
            for allowed, value in checks
        )


@dataclass(frozen=True, slots=True)
class TicketChangeEvent:
    """One ticket change as one subscriber may see it.

    ``op`` is INSERT, UPDATE, DELETE or INTERACTION (a new message on the ticket). ``removed``
    is true for a delete and for a change that took the ticket out of what the subscriber may see
    (or out of their filter): they saw it before and must drop it; ``ticket`` is then None.

    One event object is handed to every subscriber of the same viewer class that gets it, so
    ``shared`` may hold what is the same for all of them (see :data:`SHARED_RESULT`).
    """

    seq: int
    op: str
    ticket_id: int
    ticket: Row | None
    removed: bool
    changed_at: datetime
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


#: Key in an event's ``shared`` dict under which the schema keeps the GraphQL object it made
#: from the event, so that subscribers of one viewer class share it (and its execution results).
SHARED_RESULT = "graphql_root"


@dataclass(frozen=True, slots=True)
class RowEvent:
    """A queue-metric bucket or an alert after a change (``row`` has the table's columns);
    shared by the subscribers of one viewer class, like :class:`TicketChangeEvent`."""

    seq: int
    op: str
    row: Row
    changed_at: datetime
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DashboardEvent:
    """Dashboard figures of ``[window_start, window_end)`` computed at ``computed_at``."""

    period: str
    timezone: str
    window_start: datetime
    window_end: datetime
    computed_at: datetime
    figures: Row


class LiveFeeds(Protocol):
    """One websocket connection's streams, each under the connection's user's rights."""

    def ticket_changes(self, criteria: TicketChangeCriteria) -> AsyncIterator[TicketChangeEvent]:
        """Ticket inserts, updates, deletes and new interactions, in commit order, once each."""
        ...

    def queue_metrics(self, queues: frozenset[str] | None) -> AsyncIterator[RowEvent]:
        """Queue-metric buckets as they are written (None = every queue)."""
        ...

    def alerts(
        self, severities: frozenset[str] | None, types: frozenset[str] | None
    ) -> AsyncIterator[RowEvent]:
        """Alerts as they are raised."""
        ...

    def dashboard(self, period: str, timezone: str) -> AsyncIterator[DashboardEvent]:
        """The dashboard now, then again after changes (at most once a second)."""
        ...


def dashboard_window(period: str, timezone: str, now: datetime) -> tuple[datetime, datetime]:
    """``[start, now)`` of live ``period`` in IANA ``timezone`` (:func:`period_window`)."""
    return period_window(live_period(period), timezone, now)


async def dashboard_snapshot(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    targets: Mapping[str, float] | None = None,
) -> Row:
    """The dashboard figures of ``[start, end)`` under ``session``'s rights: the live counts
    (one statement) and, under ``kpis``, the headline KPIs of the KPI engine (one statement,
    the same figures as the ``dashboard`` query, with ``targets`` overriding the defaults). A
    live window ends now: ``end`` is the clock of its backlog."""
    row = await session.fetchrow(sql.load("rt_dashboard_metrics"), start, end)
    if row is None:  # the query always returns one row
        raise RuntimeError("rt_dashboard_metrics returned no row")
    dashboard = await dashboard_kpis(session, start, end, now=end, targets=targets)
    return {**dict(row), "kpis": dashboard.kpis}
