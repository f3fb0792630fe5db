"""Interactions of every ticket, cut at the period's end, and each ticket's state at that instant.

From the planned cycles: the customer message opening each cycle, agent replies spread over the
cycle's staffing time (the first at the cycle's first reply), a customer follow-up between
consecutive replies, chat bot messages right after creation, internal notes on some tickets and
system events (reopenings, holds). Only interactions at or before ``end`` exist; the ticket's
counters, timestamps and status are derived from exactly those, so ``agent_reply_count`` equals
its public agent interactions and ``customer_message_count`` its customer ones.

An agent reply on a day its ticket's agent does not work is written by a teammate on shift.
Handle times depend on channel and skill; when the roster cannot absorb the volume, a team's
handle times are compressed so no agent handles more than 80% of their scheduled time on average.
Interaction ids follow creation time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic import text
from synthetic.calendar import DataSpan, LocalClock
from synthetic.people import Staff
from synthetic.rand import F64, I64, B, lognormal, stream
from synthetic.reference import LEAF_ROOT, LEAF_SLUGS
from synthetic.roster import Roster
from synthetic.tickets import Tickets
from synthetic.timeline import Timeline, staffing_add

CUSTOMER, AGENT, BOT, SYSTEM = range(4)
#: Every body text; the code of an interaction's body is its index here.
BODIES: list[str] = [b for root in text.CUSTOMER_OPENERS.values() for b in root]
_FOLLOW = len(BODIES)
BODIES += text.CUSTOMER_FOLLOWUPS
_REOPEN = len(BODIES)
BODIES += text.CUSTOMER_REOPENS
_AGENT_FIRST = len(BODIES)
BODIES += text.AGENT_FIRST
_AGENT_NEXT = len(BODIES)
BODIES += text.AGENT_FOLLOWUPS
_NOTE = len(BODIES)
BODIES += text.INTERNAL_NOTES
_BOT_HELLO, _BOT_HANDOFF, _SYS_REOPEN, _SYS_HOLD = range(len(BODIES), len(BODIES) + 4)
BODIES += [text.BOT_GREETING, text.BOT_HANDOFF, text.SYSTEM_REOPENED, text.SYSTEM_ON_HOLD]

HANDLE_MEDIAN = np.array([720.0, 600.0, 660.0, 420.0])
SCHEDULED_SECONDS = 28_800
#: Most handle time one agent can have in a day (12 hours).
MAX_AGENT_DAY = 43_200.0
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
ON_HOLD_LEAVES = [LEAF_SLUGS.index(s) for s in ("late_delivery", "damaged_item", "refund_status")]


@dataclass(frozen=True)
class Interactions:
    """Visible interactions sorted by time; ``id`` = index + 1. ``agent`` −1 when not an agent;
    ``sentiment`` in thousandths (``has_sentiment`` false = NULL)."""

    ticket: I64
    author: I64
    agent: I64
    public: B
    at: I64
    handle: I64
    sentiment: I64
    has_sentiment: B
    body: I64

    @property
    def n(self) -> int:
        return len(self.ticket)


@dataclass(frozen=True)
class TicketState:
    """Each ticket as of ``end`` (0 = NULL for instants)."""

    status: I64
    assigned: B
    first_response: I64
    first_resolved: I64
    resolved: I64
    closed: I64
    updated: I64
    reopens: I64
    agent_replies: I64
    customer_messages: I64
    mood: np.ndarray


def _parts(
    rng: np.random.Generator, tk: Tickets, tl: Timeline, roster: Roster
) -> list[dict[str, np.ndarray]]:
    """Every planned interaction (visible or not), one dict of columns per kind."""
    cy = tl.cycles
    n = tk.n
    parts: list[dict[str, np.ndarray]] = []
    variant = rng.integers(0, 3, len(cy.ticket))
    opener = np.where(
        cy.number == 0, LEAF_ROOT[tk.leaf[cy.ticket]] * 3 + variant, _REOPEN + variant
    )
    parts.append(
        _part(cy.ticket, CUSTOMER, cy.start, opener, seq=0, kind=np.where(cy.number == 0, 0, 2))
    )
    # agent replies: the j-th of n at fraction (j - 0.45 + 0.9u)/(n - 1) of the staffing span
    rep = np.repeat(np.arange(len(cy.ticket)), cy.replies)
    first_of = np.repeat(np.cumsum(cy.replies) - cy.replies, cy.replies)
    j = np.arange(len(rep)) - first_of
    n_rep = cy.replies[rep]
    frac = np.where(j == 0, 0.0, (j - 0.45 + 0.9 * rng.random(len(rep))) / np.maximum(n_rep - 1, 1))
    team = tk.team[cy.ticket[rep]]
    cal_span = _staffing_between(roster, team, cy.first_reply[rep], cy.last_reply[rep])
    at = staffing_add(
        roster.staffing,
        team,
        cy.first_reply[rep],
        np.maximum((frac * cal_span).astype(np.int64), 1),
    )
    at = np.where(j == 0, cy.first_reply[rep], np.where(j == n_rep - 1, cy.last_reply[rep], at))
    body = np.where(
        (j == 0) & (cy.number[rep] == 0),
        _AGENT_FIRST + rng.integers(0, 4, len(rep)),
        _AGENT_NEXT + rng.integers(0, 4, len(rep)),
    )
    parts.append(_part(cy.ticket[rep], AGENT, at, body, seq=2, kind=np.zeros(len(rep), np.int64)))
    # a customer follow-up between consecutive replies of a cycle
    has_next = j < n_rep - 1
    idx = np.flatnonzero(has_next)
    gap = np.maximum(at[idx + 1] - at[idx], 2)
    fu_at = at[idx] + np.maximum((gap * rng.uniform(0.15, 0.85, len(idx))).astype(np.int64), 1)
    fu_at = np.minimum(fu_at, at[idx + 1] - 1)
    parts.append(
        _part(
            cy.ticket[rep[idx]],
            CUSTOMER,
            np.maximum(fu_at, at[idx]),
            _FOLLOW + rng.integers(0, 5, len(idx)),
            seq=1,
            kind=np.ones(len(idx), np.int64),
        )
    )
    # chat: the bot greets, and sometimes hands off before the agent joins
    chat = np.flatnonzero(tk.channel == 1)
    parts.append(_part(chat, BOT, tk.created[chat] + 2, np.full(len(chat), _BOT_HELLO), seq=1))
    first = cy.first_reply[:n]
    hand = chat[(rng.random(len(chat)) < 0.4) & (first[chat] > tk.created[chat] + 4)]
    parts.append(_part(hand, BOT, tk.created[hand] + 3, np.full(len(hand), _BOT_HANDOFF), seq=1))
    # internal notes on some tickets, while the first cycle is being worked
    note = np.flatnonzero(rng.random(n) < 0.08)
    span = cy.resolved[note] - first[note]
    note_at = first[note] + (span * rng.uniform(0.2, 0.8, len(note))).astype(np.int64) + 1
    parts.append(
        _part(
            note,
            AGENT,
            note_at,
            _NOTE + rng.integers(0, 3, len(note)),
            seq=3,
            public=False,
            kind=np.full(len(note), 3),
        )
    )
    reo = np.flatnonzero(cy.number > 0)
    parts.append(
        _part(
            cy.ticket[reo],
            SYSTEM,
            cy.start[reo] + 1,
            np.full(len(reo), _SYS_REOPEN),
            seq=1,
            public=False,
        )
    )
    return parts


def _staffing_between(roster: Roster, team: I64, t0: I64, t1: I64) -> I64:
    out = np.zeros(len(t0), dtype=np.int64)
    for t, cal in enumerate(roster.staffing):
        rows = np.flatnonzero(team == t)
        out[rows] = cal.between(t0[rows], t1[rows])
    return out


def _part(
    ticket: I64,
    author: int,
    at: I64,
    body: I64,
    *,
    seq: int,
    public: bool = True,
    kind: I64 | None = None,
) -> dict[str, np.ndarray]:
    """Columns of one kind of interaction. ``kind`` tells the sentiment model what a row is:
    0 opening message (or agent reply), 1 follow-up, 2 reopening, 3 internal note, −1 other."""
    m = len(ticket)
    return {
        "ticket": np.asarray(ticket, dtype=np.int64),
        "author": np.full(m, author, dtype=np.int64),
        "at": np.asarray(at, dtype=np.int64),
        "body": np.asarray(body, dtype=np.int64),
        "seq": np.full(m, seq, dtype=np.int64),
        "public": np.full(m, public, dtype=bool),
        "kind": np.full(m, -1, dtype=np.int64)
        if kind is None
        else np.asarray(kind, dtype=np.int64),
    }


def build_conversation(
    seed: int,
    tk: Tickets,
    tl: Timeline,
    staff: Staff,
    roster: Roster,
    clock: LocalClock,
    period: DataSpan,
) -> tuple[Interactions, TicketState]:
    """The visible interactions and every ticket's state at ``period.end``."""
    rng = stream(seed, "conversation")
    parts = _parts(rng, tk, tl, roster)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    visible = cols["at"] <= period.end
    cols = {k: v[visible] for k, v in cols.items()}
    order = np.lexsort((cols["seq"], cols["ticket"], cols["at"]))
    cols = {k: v[order] for k, v in cols.items()}
    ticket, author, at = cols["ticket"], cols["author"], cols["at"]
    is_agent = author == AGENT
    agent = np.where(is_agent, tk.agent[ticket], -1)
    agent = _substitute(rng, agent, tk.team[ticket], clock.day(at), roster, staff)
    state = _state(rng, tk, tl, period, ticket, author, at, cols["public"])
    # on-hold tickets get a system event a minute after their last interaction (if before end)
    hold = np.flatnonzero(state.status == STATUSES.index("on_hold"))
    hold_at = state.updated[hold] + 60
    keep = hold_at <= period.end
    hold, hold_at = hold[keep], hold_at[keep]
    state.updated[hold] = hold_at
    m = len(hold)
    ticket = np.concatenate([ticket, hold])
    author = np.concatenate([author, np.full(m, SYSTEM)])
    at = np.concatenate([at, hold_at])
    agent = np.concatenate([agent, np.full(m, -1)])
    public = np.concatenate([cols["public"], np.zeros(m, dtype=bool)])
    body = np.concatenate([cols["body"], np.full(m, _SYS_HOLD)])
    kind = np.concatenate([cols["kind"], np.full(m, -1)])
    order = np.argsort(at, kind="stable")
    ticket, author, at, agent, public, body, kind = (
        a[order] for a in (ticket, author, at, agent, public, body, kind)
    )
    handle = _handle(rng, tk, staff, roster, ticket, author, agent, public, clock.day(at))
    sentiment, has = _sentiment(rng, state.mood, ticket, author, kind)
    inter = Interactions(ticket, author, agent, public, at, handle, sentiment, has, body)
    return inter, state


def _substitute(
    rng: np.random.Generator, agent: I64, team: I64, day: I64, roster: Roster, staff: Staff
) -> I64:
    """Replace agents who do not work that day by a teammate who does (if any)."""
    rows = np.flatnonzero(agent >= 0)
    off = rows[~roster.working(agent[rows], day[rows])]
    if not len(off):
        return agent
    agent = agent.copy()
    key = team[off] * 1_000_000 + (day[off] - roster.first_day)
    order = np.argsort(key, kind="stable")
    off, key = off[order], key[order]
    bounds = np.flatnonzero(np.diff(key)) + 1
    for group in np.split(np.arange(len(off)), bounds):
        t, d = divmod(int(key[group[0]]), 1_000_000)
        if not 0 <= d < roster.works.shape[1]:
            continue
        on = np.flatnonzero((staff.agent_team == t) & roster.works[:, d])
        if len(on):
            agent[off[group]] = on[rng.integers(0, len(on), len(group))]
    return agent


def _state(
    rng: np.random.Generator,
    tk: Tickets,
    tl: Timeline,
    period: DataSpan,
    ticket: I64,
    author: I64,
    at: I64,
    public: B,
) -> TicketState:
    n = tk.n
    end = period.end
    cy = tl.cycles
    started = cy.start <= end
    reopens = np.bincount(cy.ticket[started], minlength=n) - 1
    # resolution of the last started cycle (cycles are ordered by number, then ticket)
    last_resolved = np.zeros(n, dtype=np.int64)
    last_resolved[cy.ticket[started]] = cy.resolved[started]
    resolved = np.where(last_resolved <= end, last_resolved, 0)
    first = cy.first_reply[:n]
    first_response = np.where(first <= end, first, 0)
    first_resolved = np.where(cy.resolved[:n] <= end, cy.resolved[:n], 0)
    closed = np.where((resolved > 0) & (tl.closed <= end), tl.closed, 0)
    agent_pub = (author == AGENT) & public
    agent_replies = np.bincount(ticket[agent_pub], minlength=n)
    customer_messages = np.bincount(ticket[author == CUSTOMER], minlength=n)
    last_customer = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_customer, ticket[author == CUSTOMER], at[author == CUSTOMER])
    last_agent = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_agent, ticket[agent_pub], at[agent_pub])
    last_any = np.zeros(n, dtype=np.int64)
    np.maximum.at(last_any, ticket, at)
    assigned = (agent_replies > 0) | (resolved > 0) | (rng.random(n) < 0.5)
    waiting_customer = last_agent >= last_customer
    hold = waiting_customer & np.isin(tk.leaf, ON_HOLD_LEAVES) & (rng.random(n) < 0.35)
    status = np.select(
        [closed > 0, resolved > 0, agent_replies == 0, hold, waiting_customer],
        [5, 4, np.where(assigned, 1, 0), 3, 2],
        default=1,
    )
    updated = np.maximum.reduce([tk.created, last_any, resolved, closed])
    wait_h = (first - tk.created) / 3600.0
    root = LEAF_ROOT[tk.leaf]
    mood = (
        0.2
        - 0.12 * np.log1p(wait_h)
        - 0.35 * (tk.leaf == LEAF_SLUGS.index("skin_reaction"))
        - 0.12 * (root == 0)
        - 0.2 * (reopens > 0)
        + rng.normal(0, 0.25, n)
    )
    return TicketState(
        status.astype(np.int64),
        assigned,
        first_response,
        first_resolved,
        resolved,
        closed,
        updated,
        reopens.astype(np.int64),
        agent_replies,
        customer_messages,
        mood,
    )


def _handle(
    rng: np.random.Generator,
    tk: Tickets,
    staff: Staff,
    roster: Roster,
    ticket: I64,
    author: I64,
    agent: I64,
    public: B,
    day: I64,
) -> I64:
    """Handle seconds of agent interactions, compressed per team to what the roster can absorb."""
    is_agent = author == AGENT
    channel = tk.channel[ticket]
    skill = staff.agent_skill[np.maximum(agent, 0)]
    med = np.where(public, HANDLE_MEDIAN[channel], 150.0) * (1.15 - 0.05 * skill)
    raw = np.where(is_agent, np.clip(lognormal(rng, med, 0.5, len(ticket)), 10, 7_200), 0.0)
    team = tk.team[ticket]
    days_worked = np.bincount(staff.agent_team, weights=roster.works.sum(axis=1), minlength=5)
    capacity = days_worked * SCHEDULED_SECONDS * 0.8
    load = np.bincount(team[is_agent], weights=raw[is_agent], minlength=5)
    squeeze = np.minimum(1.0, capacity / np.maximum(load, 1.0))
    handle: F64 = raw * squeeze[team]
    # and no agent-day above MAX_AGENT_DAY (peaks land unevenly on whoever is on shift)
    key = np.where(is_agent, np.maximum(agent, 0) * 100_000 + (day - day.min()), -1)
    cells, inverse = np.unique(key, return_inverse=True)
    per_cell = np.bincount(inverse, weights=handle)
    cap = np.where(cells >= 0, np.minimum(1.0, MAX_AGENT_DAY / np.maximum(per_cell, 1.0)), 1.0)
    result: I64 = np.floor(handle * cap[inverse]).astype(np.int64)
    return result


def _sentiment(
    rng: np.random.Generator, mood: np.ndarray, ticket: I64, author: I64, kind: I64
) -> tuple[I64, B]:
    """Customer messages follow the ticket's mood (worse after long waits and reopenings)."""
    m = len(ticket)
    base = mood[ticket] + np.select([kind == 0, kind == 2], [-0.1, -0.35], default=0.08)
    value = np.select(
        [author == CUSTOMER, (author == AGENT) & (kind != 3), author == BOT],
        [base, np.full(m, 0.45), np.full(m, 0.3)],
        default=0.0,
    ) + rng.normal(0, 0.18, m)
    has = (author == CUSTOMER) | ((author == AGENT) & (kind != 3)) | (author == BOT)
    return np.round(np.clip(value, -1, 1) * 1000).astype(np.int64), has
