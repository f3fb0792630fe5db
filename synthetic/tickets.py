"""Ticket arrivals and attributes: when, what, who asks, through which channel, who handles it.

Arrivals are one multinomial draw over (hour × leaf category) cells whose weights combine weekly
and intraday seasonality in Paris time, holidays and retail peaks, growth, the category mix and the
volume-spike incident, so the total is exactly ``tickets``. Tickets are numbered in order of
creation. Customers are drawn by activity among those whose segment fits the category (skincare
for beauty clients, memberships for fitness clients); the VIP tier in force at creation decides
routing to the VIP concierge, white-glove service and the SLA policy (``tier * 4 + priority``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from synthetic.calendar import HOUR, DataSpan, LocalClock, seasonal_weights
from synthetic.incidents import SPIKE_LEAF, SPIKE_MAGNITUDE, Incidents
from synthetic.people import BEAUTY, BILLING, FITNESS, GENERAL, VIP, Customers, Staff
from synthetic.rand import I64, B, pick_rows, stream
from synthetic.reference import LEAF_ROOT, LEAF_SLUGS
from synthetic.vip import VipHistory, draw_history

#: Share of each leaf category in normal times (order of reference.LEAVES).
CATEGORY_MIX = np.array([13, 7, 10, 5, 11, 8, 8, 6, 4, 6, 6, 4, 6, 2, 4], dtype=np.float64)
#: Channel mix (email, chat, phone, social) scaled per root category.
CHANNEL_BASE = np.array([0.45, 0.30, 0.15, 0.10])
CHANNEL_BY_ROOT = np.array(
    [
        [1.1, 1.0, 0.8, 1.3],
        [0.9, 1.2, 1.0, 1.0],
        [0.9, 1.3, 0.9, 1.0],
        [1.4, 0.8, 0.9, 0.4],
        [0.9, 1.5, 0.7, 0.8],
    ]
)
PRIORITY_BASE = np.array([0.20, 0.55, 0.20, 0.05])
PRIORITY_SENSITIVE = np.array([0.05, 0.35, 0.40, 0.20])
SENSITIVE = [LEAF_SLUGS.index(s) for s in ("skin_reaction", "payment_failed", "login_issue")]
TEAM_OF_ROOT = np.array([GENERAL, BEAUTY, FITNESS, BILLING, GENERAL])


@dataclass(frozen=True)
class Tickets:
    """Ticket attributes, index ``i`` = ticket id ``i + 1`` (sorted by ``created``)."""

    created: I64
    leaf: I64
    spike: B
    customer: I64
    tier: I64
    channel: I64
    priority: I64
    team: I64
    agent: I64
    white_glove: B

    @property
    def n(self) -> int:
        return len(self.created)

    @property
    def policy(self) -> I64:
        """SLA policy index (id − 1)."""
        result: I64 = self.tier * 4 + self.priority
        return result


def draw_arrivals(
    seed: int,
    n: int,
    period: DataSpan,
    clock: LocalClock,
    holidays: list[date],
    incidents: Incidents,
) -> tuple[I64, I64, B]:
    """Creation instants (sorted), leaf categories and the volume-spike flag of ``n`` tickets."""
    rng = stream(seed, "arrivals")
    h0 = period.start // HOUR
    hour_start = np.arange(h0, -(-period.end // HOUR), dtype=np.int64) * HOUR
    lo = np.maximum(hour_start, period.start)
    hi = np.minimum(hour_start + HOUR, period.end)
    base, mult = seasonal_weights(hour_start, clock, holidays, LEAF_SLUGS)
    weights = (base * (hi - lo) / HOUR)[:, None] * mult * CATEGORY_MIX[None, :]
    if incidents.spike is not None:
        inside = incidents.spike.contains(hour_start)
        extra = (SPIKE_MAGNITUDE - 1.0) * weights[inside].sum(axis=1)
        weights[inside, SPIKE_LEAF] += extra
    counts = rng.multinomial(n, (weights / weights.sum()).ravel())
    cells = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    hour, leaf = np.divmod(cells, weights.shape[1])
    created = lo[hour] + (rng.random(n) * (hi - lo)[hour]).astype(np.int64)
    order = np.lexsort((rng.random(n), created))
    created, leaf = created[order], leaf[order]
    spike = np.zeros(n, dtype=bool)
    if incidents.spike is not None:
        spike = incidents.spike.contains(created) & (leaf == SPIKE_LEAF)
    return created, leaf, spike


def _draw_customers(rng: np.random.Generator, leaf: I64, customers: Customers) -> I64:
    """A customer per ticket, by activity, among segments that fit the category."""
    root = LEAF_ROOT[leaf]
    out = np.empty(len(leaf), dtype=np.int64)
    # root 1 (skincare) excludes fitness-only clients; root 2 (memberships) beauty-only ones.
    excluded = {1: 1, 2: 0}
    for group in (0, 1, 2):
        member = (root == group) if group else ~np.isin(root, [1, 2])
        rows = np.flatnonzero(member)
        if not len(rows):
            continue
        allowed = np.ones(customers.n, dtype=bool)
        if group in excluded:
            allowed = customers.segment != excluded[group]
        pool = np.flatnonzero(allowed)
        cum = np.cumsum(customers.activity[pool])
        draws = rng.random(len(rows)) * cum[-1]
        out[rows] = pool[np.minimum(np.searchsorted(cum, draws), len(pool) - 1)]
    return out


def draw_tickets(
    seed: int,
    n: int,
    period: DataSpan,
    clock: LocalClock,
    holidays: list[date],
    incidents: Incidents,
    staff: Staff,
    customers: Customers,
) -> tuple[Tickets, Customers, VipHistory]:
    """Tickets, and the customers with ``joined`` moved before their first ticket."""
    rng = stream(seed, "tickets")
    created, leaf, spike = draw_arrivals(seed, n, period, clock, holidays, incidents)
    customer = _draw_customers(rng, leaf, customers)
    first = np.full(customers.n, period.end, dtype=np.int64)
    np.minimum.at(first, customer, created)
    lead_time = (rng.uniform(1.0, 60.0, customers.n) * 86_400).astype(np.int64)
    customers = replace(customers, joined=np.minimum(customers.joined, first - lead_time))
    history = draw_history(seed, customers, period)
    tier = history.tier_at(customers.tier, customer, created)
    vip = tier > 0
    root = LEAF_ROOT[leaf]
    ch = CHANNEL_BASE[None, :] * CHANNEL_BY_ROOT[root]
    ch[leaf == LEAF_SLUGS.index("skin_reaction"), 2] *= 2.0
    ch[vip, 2] *= 2.0
    ch[vip, 3] *= 0.5
    channel = pick_rows(rng, ch)
    pr = np.where(np.isin(leaf, SENSITIVE)[:, None], PRIORITY_SENSITIVE, PRIORITY_BASE)
    priority = pick_rows(rng, pr)
    bump = vip & (rng.random(n) < 0.25)
    priority = np.minimum(priority + bump, 3)
    priority = np.where(spike, np.maximum(priority, 1), priority)
    to_vip = (tier >= 3) | (vip & (rng.random(n) < 0.75))
    team = np.where(to_vip, VIP, TEAM_OF_ROOT[root])
    wg_p = np.array([0.0, 0.0, 0.15, 0.6, 0.6])[tier]
    white_glove = to_vip & (rng.random(n) < wg_p)
    agent = _assign(rng, team, channel, customer, staff, customers)
    return (
        Tickets(
            created,
            leaf,
            spike,
            customer,
            tier.astype(np.int64),
            channel,
            priority,
            team,
            agent,
            white_glove,
        ),
        customers,
        history,
    )


def _assign(
    rng: np.random.Generator,
    team: I64,
    channel: I64,
    customer: I64,
    staff: Staff,
    customers: Customers,
) -> I64:
    """An agent of the ticket's team who works the channel (the dedicated agent for VIPs)."""
    agent = np.empty(len(team), dtype=np.int64)
    weight = np.where(staff.agent_is_lead, 0.35, 0.8 + 0.1 * staff.agent_skill)
    for t in range(5):
        for c in range(4):
            rows = np.flatnonzero((team == t) & (channel == c))
            if not len(rows):
                continue
            pool = np.flatnonzero((staff.agent_team == t) & staff.agent_channels[:, c])
            if not len(pool):
                pool = np.flatnonzero(staff.agent_team == t)
            agent[rows] = rng.choice(pool, size=len(rows), p=weight[pool] / weight[pool].sum())
    dedicated = customers.dedicated[customer]
    use = (team == VIP) & (dedicated >= 0) & (rng.random(len(team)) < 0.7)
    agent[use] = dedicated[use]
    return agent
