"""Each ticket's status history (``support_ticket_status_history``), from its interactions.

A ticket is created ``new``; an agent's public reply sets it ``pending`` (waiting for the
customer); a customer message after the opening one (a follow-up, or the message reopening a
solved ticket) sets it ``open``; each cycle's resolution sets it ``solved`` and the closure
``closed``. A ticket assigned before any reply goes ``open`` a minute after creation. Tickets of
the on-hold categories (``conversation.ON_HOLD_LEAVES``) are *hold tickets* with probability
0.35: each wait for the customer of theirs (an agent reply followed by a customer message)
starts ``on_hold`` (the agent waits for the carrier or the warehouse) and turns ``pending``
after a share U(0.15, 0.45) of the wait. Inside the ``hold_delay`` incident (tickets of those
categories created in its window) the probability is 0.8 and the share U(0.85, 0.95), about
``incidents.HOLD_MAGNITUDE``: the on-hold stage of rootCause grows there.

Only events up to the period's end exist, and the last status of every ticket is its
``support_tickets.status`` (the state ``conversation`` derived): an unresolved ticket waiting
for the customer is a hold ticket exactly when its status is ``on_hold``. Rows are the changes
only (a status never follows itself); ``from_status`` is null on the first row.
"""

from __future__ import annotations

import numpy as np

from synthetic.calendar import DataSpan
from synthetic.conversation import (
    AGENT,
    CUSTOMER,
    ON_HOLD_LEAVES,
    STATUSES,
    Interactions,
    TicketState,
)
from synthetic.incidents import Incidents
from synthetic.outcomes import ticket_scope
from synthetic.people import Staff
from synthetic.pgbinary import CopyColumn, Frame, text_payloads
from synthetic.rand import I64, stream
from synthetic.tickets import Tickets
from synthetic.timeline import Timeline

NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = range(6)
US = 1_000_000


def _hold_tickets(rng: np.random.Generator, tk: Tickets, st: TicketState,
                  incidents: Incidents) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Which tickets are hold tickets, and the share of each of their waits spent on hold."""
    leaf = np.isin(tk.leaf, ON_HOLD_LEAVES)
    inside = (
        incidents.hold.contains(tk.created) & leaf
        if incidents.hold is not None
        else np.zeros(tk.n, dtype=bool)
    )
    draw = rng.random(tk.n) < np.where(inside, 0.8, 0.35)
    waiting = np.isin(st.status, (PENDING, ON_HOLD))  # unresolved, waiting for the customer
    hold = np.where(waiting, st.status == ON_HOLD, leaf & draw)
    share = np.where(inside, rng.uniform(0.85, 0.95, tk.n), rng.uniform(0.15, 0.45, tk.n))
    return hold, share


def _order(ticket: I64, at: I64, rank: I64) -> I64:
    """The permutation sorting events by (ticket, instant, rank): one sort of a packed int64 key
    (ticket, 28 bits of seconds, 3 bits of rank) where it fits, else a lexsort."""
    span = int(at.max() - at.min()) if at.size else 0
    if span < 1 << 28 and (int(ticket.max()) if ticket.size else 0) < 1 << 32:
        key = ((ticket.astype(np.int64) << 31) | ((at - at.min()) << 3) | rank).astype(np.int64)
        order: I64 = np.argsort(key, kind="stable")
        return order
    result: I64 = np.lexsort((rank, at, ticket))
    return result


def status_events(
    seed: int, tk: Tickets, tl: Timeline, it: Interactions, st: TicketState,
    period: DataSpan, incidents: Incidents,
) -> tuple[I64, I64, I64]:  # fmt: skip
    """(ticket index, instant, status) of every status change, by ticket then time."""
    rng = stream(seed, "status-history")
    n = tk.n
    cy = tl.cycles
    reply = (it.author == AGENT) & it.public
    follow = (it.author == CUSTOMER) & (it.at > tk.created[it.ticket])
    solved = cy.resolved <= period.end
    closed = st.closed > 0
    silent = (st.status == OPEN) & (st.agent_replies == 0)  # assigned, not yet answered
    opened = np.minimum(tk.created[silent] + 60, period.end)

    def event(rows: I64, instants: I64, rank: int, status: int) -> tuple[I64, I64, I64, I64]:
        m = len(rows)
        return rows, instants, np.full(m, rank), np.full(m, status)

    parts = [
        event(np.arange(n), tk.created, 0, NEW),
        event(np.flatnonzero(silent), opened, 1, OPEN),
        event(it.ticket[follow], it.at[follow], 1, OPEN),
        event(it.ticket[reply], it.at[reply], 2, PENDING),
        event(cy.ticket[solved], cy.resolved[solved], 3, SOLVED),
        event(np.flatnonzero(closed), st.closed[closed], 4, CLOSED),
    ]
    ticket, at, rank, status = (
        np.concatenate([p[k] for p in parts]).astype(np.int64) for k in range(4)
    )
    order = _order(ticket, at, rank)
    ticket, at, rank, status = ticket[order], at[order], rank[order], status[order]
    hold, share = _hold_tickets(rng, tk, st, incidents)
    # a hold ticket's reply starts on hold; a wait that a customer message ends turns pending
    held = (status == PENDING) & hold[ticket]
    status = np.where(held, ON_HOLD, status)
    nxt = np.append(ticket[1:] == ticket[:-1], False)
    ends = np.flatnonzero(held & nxt & np.append(status[1:] == OPEN, False))
    turn = at[ends] + (share[ticket[ends]] * (at[ends + 1] - at[ends])).astype(np.int64)
    ticket = np.concatenate([ticket, ticket[ends]])
    at = np.concatenate([at, turn])
    rank = np.concatenate([rank, np.full(len(ends), 2)])
    status = np.concatenate([status, np.full(len(ends), PENDING)])
    order = _order(ticket, at, rank)
    ticket, at, status = ticket[order], at[order], status[order]
    same = np.concatenate([[False], (ticket[1:] == ticket[:-1]) & (status[1:] == status[:-1])])
    return (
        ticket[~same].astype(np.int64),
        at[~same].astype(np.int64),
        status[~same].astype(np.int64),
    )


def status_history_frame(
    seed: int, tk: Tickets, tl: Timeline, it: Interactions, st: TicketState, staff: Staff,
    period: DataSpan, incidents: Incidents,
) -> Frame:  # fmt: skip
    ticket, at, status = status_events(seed, tk, tl, it, st, period, incidents)
    first = np.concatenate([[True], ticket[1:] != ticket[:-1]])
    previous = np.concatenate([[NEW], status[:-1]])
    payloads = text_payloads(STATUSES)
    return Frame(
        "support_ticket_status_history",
        (
            CopyColumn("id", "int8", np.arange(1, len(ticket) + 1, dtype=np.int64)),
            CopyColumn("ticket_id", "int8", ticket + 1),
            CopyColumn("from_status", "text", previous, null=first, payloads=payloads),
            CopyColumn("to_status", "text", status, payloads=payloads),
            CopyColumn("changed_at", "timestamptz", at * US),
            *ticket_scope(ticket, tk, st, staff),
        ),
    )
