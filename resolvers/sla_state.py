"""Live SLA state of tickets: due times, state and business minutes left, as of an instant.

docs/metrics.md (SLA): each ticket gets first response and resolution targets from its SLA
policy, in business time (the policy's calendar: weekday hours and holidays in its timezone) or
calendar time (no calendar). A target is achieved when met by its due time and breached otherwise;
an open ticket past its due time is breached now.

Everything is computed in the database by ``sql/queries/sla_ticket_state.sql`` with
``analytics.add_business_minutes`` and ``analytics.business_minutes``, in one statement per batch
of tickets, under the caller's row level security (tickets the caller cannot see have no
targets). :func:`sla_state_batch` is the DataLoader batch function (``Ticket.sla``).

The instant ``now`` is a parameter (default: the database's ``now()``, the start of the request's
transaction). Everything is read "as of" it: a first response or resolution recorded after
``now`` has not happened yet, and ``now`` before a ticket's creation is read as its creation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

import sql
from resolvers.port import Row, Session
from resolvers.windows import require_aware

TargetType = Literal["first_response", "resolution"]
SlaState = Literal["pending", "achieved", "breached"]


@dataclass(frozen=True, slots=True)
class SlaTargetState:
    """One SLA target of one ticket as of the requested instant.

    ``target_minutes``: the target, in business minutes of calendar ``calendar_id`` or in
    calendar minutes when ``business_time`` is False (the policy has no calendar); the
    ``business_minutes_*`` fields are in the same unit.
    ``due_at``: when the target falls due (None only if the calendar has no open time for ten
    years or is not visible to the caller; such a target stays pending).
    ``achieved_at``: when it was met (first public agent reply, or the latest resolution), None
    while it is not.
    ``state``: ``achieved`` (met at or before ``due_at``), ``breached`` (met late, or not met and
    past due: breached now), ``pending`` (not met, not yet due); ``breached`` mirrors it.
    ``business_minutes_remaining``: until ``due_at``, negative when overdue; None once met.
    ``business_minutes_elapsed``: from creation to the achievement, or to now while open.
    """

    ticket_id: int
    target_type: TargetType
    policy_id: int
    calendar_id: int | None
    target_minutes: int
    due_at: datetime | None
    achieved_at: datetime | None
    state: SlaState
    business_minutes_remaining: float | None
    business_minutes_elapsed: float

    @property
    def breached(self) -> bool:
        """True when the target was missed or is overdue now."""
        return self.state == "breached"

    @property
    def business_time(self) -> bool:
        """True when the target runs in business time (the policy has a calendar)."""
        return self.calendar_id is not None


def _target(row: Row) -> SlaTargetState:
    remaining = row["business_minutes_remaining"]
    return SlaTargetState(
        ticket_id=int(row["ticket_id"]),
        target_type=cast(TargetType, row["target_type"]),
        policy_id=int(row["policy_id"]),
        calendar_id=row["calendar_id"],
        target_minutes=int(row["target_minutes"]),
        due_at=row["due_at"],
        achieved_at=row["achieved_at"],
        state=cast(SlaState, row["state"]),
        business_minutes_remaining=None if remaining is None else float(remaining),
        business_minutes_elapsed=float(row["business_minutes_elapsed"]),
    )


async def sla_states(
    session: Session, ticket_ids: Sequence[int], now: datetime | None = None
) -> list[list[SlaTargetState]]:
    """The targets of each ticket (first response, then resolution), aligned with ``ticket_ids``.

    One SQL statement for the whole batch. A ticket that is unknown, not visible to the caller
    or without an SLA policy gets an empty list. ``now`` must be timezone-aware
    (:class:`~resolvers.errors.UserInputError` otherwise); None means the database's ``now()``.
    """
    if now is not None:
        require_aware(now, "now")
    if not ticket_ids:
        return []
    rows = await session.fetch(sql.load("sla_ticket_state"), list(ticket_ids), now)
    by_ticket: dict[int, list[SlaTargetState]] = defaultdict(list)
    for r in rows:
        target = _target(r)
        by_ticket[target.ticket_id].append(target)
    return [list(by_ticket.get(t, [])) for t in ticket_ids]


def sla_state_batch(
    session: Session, now: datetime | None = None
) -> Callable[[list[int]], Coroutine[Any, Any, list[list[SlaTargetState]]]]:
    """A DataLoader batch function: ticket ids → their targets (see :func:`sla_states`).

    ``now`` is fixed for the loader's lifetime (one request), so every ticket of a request is
    judged at the same instant.
    """

    async def batch(ticket_ids: list[int]) -> list[list[SlaTargetState]]:
        return await sla_states(session, ticket_ids, now)

    return batch
