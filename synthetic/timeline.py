"""The life of each ticket as "cycles": first contact, then zero to two reopenings.

A cycle opens with a customer message (cycle 0 at ``created``), gets its first agent reply after a
wait, then ``replies`` agent replies spread over its working duration, and is resolved shortly
after its last reply. Waits and working durations are in team staffing time (see ``roster``), so
nights, Sundays and closed days stretch them as they would on a real floor. Everything here is
planned without regard to the period's end; ``conversation`` cuts the plan at ``end``.

Drivers: first-response waits depend on channel (chat/phone in minutes, email/social in hours),
VIP tier, priority, team, queue congestion (arrivals in the hour relative to the team's busy-hour
norm) and the SLA-breach-wave incident; first-contact resolution on channel, category and agent
skill; durations on category, channel, tier and skill (lognormal); reopenings on category and
skill. A cycle with one reply resolves at that reply (the FCR case when there is no reopening).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.calendar import DAY, HOUR, BusinessClock
from synthetic.incidents import WAVE_MAGNITUDE, Incidents
from synthetic.people import Staff
from synthetic.rand import I64, lognormal, stream
from synthetic.tickets import Tickets

#: Median first-response wait in staffing seconds per channel (email, chat, phone, social).
WAIT_MEDIAN = np.array([1.5 * HOUR, 35.0, 15.0, 0.7 * HOUR])
WAIT_SIGMA = np.array([0.9, 0.7, 0.7, 0.9])
TIER_SPEED = np.array([1.0, 0.45, 0.3, 0.2, 0.12])
PRIORITY_SPEED = np.array([1.3, 1.0, 0.6, 0.35])
TEAM_SPEED = np.array([1.0, 0.95, 0.9, 1.2, 1.0])
#: First-contact resolution base rate per channel, and per-category adjustments.
FCR_BASE = np.array([0.5, 0.68, 0.75, 0.6])
FCR_LEAF = np.array(
    [-0.1, -0.05, -0.05, -0.2, 0.05, 0.0, 0.1, 0.05, 0.0, 0.05, -0.05, 0.15, 0.1, -0.1, 0.1]
)
#: Median working duration (staffing hours) of a multi-reply cycle per leaf category.
DURATION_HOURS = np.array([36, 30, 45, 36, 10, 12, 6, 15, 22, 8, 42, 12, 4, 54, 5])
DURATION_CHANNEL = np.array([1.0, 0.35, 0.4, 1.1])
REOPEN_LEAF = np.array(
    [0.02, 0.05, 0.06, 0.04, 0.0, 0.01, 0.0, 0.01, 0.0, 0.02, 0.05, 0.0, 0.02, 0.02, 0.0]
)
CLOSE_AFTER = 4 * DAY


@dataclass(frozen=True)
class Cycles:
    """One row per cycle, ordered by (cycle number, ticket)."""

    ticket: I64
    number: I64
    start: I64
    first_reply: I64
    last_reply: I64
    resolved: I64
    replies: I64


@dataclass(frozen=True)
class Timeline:
    cycles: Cycles
    #: planned closure of each ticket (4 days after its final resolution)
    closed: I64


def staffing_add(staffing: tuple[BusinessClock, ...], team: I64, ts: I64, seconds: I64) -> I64:
    """``ts`` plus ``seconds`` of the team's staffing time (per ticket team)."""
    out = np.empty(len(ts), dtype=np.int64)
    # teams sharing one calendar object are processed together (one searchsorted per calendar)
    for cal in {id(c): c for c in staffing}.values():
        same = [u for u, c in enumerate(staffing) if c is cal]
        rows = np.flatnonzero(np.isin(team, same))
        if len(rows):
            out[rows] = cal.add(ts[rows], seconds[rows])
    return out


def congestion(tk: Tickets, hours_origin: int) -> np.ndarray:
    """Wait multiplier per ticket from its team's arrivals in that hour vs the busy-hour norm."""
    hour = (tk.created - hours_origin) // HOUR
    n_hours = int(hour.max()) + 1 if tk.n else 1
    counts = np.bincount(tk.team * n_hours + hour, minlength=5 * n_hours).reshape(5, n_hours)
    norm = np.array([np.percentile(row[row > 0], 75) if (row > 0).any() else 1.0 for row in counts])
    rel = counts[tk.team, hour] / np.maximum(norm[tk.team], 1.0)
    result: np.ndarray = np.clip(1.0 + 0.9 * (rel - 1.0), 0.6, 6.0)
    return result


def build_timeline(
    seed: int,
    tk: Tickets,
    staff: Staff,
    staffing: tuple[BusinessClock, ...],
    incidents: Incidents,
) -> Timeline:
    """The planned cycles of every ticket and its planned closure."""
    rng = stream(seed, "timeline")
    n = tk.n
    skill = staff.agent_skill[tk.agent]
    wait = WAIT_MEDIAN[tk.channel] * np.exp(WAIT_SIGMA[tk.channel] * rng.standard_normal(n))
    wait *= TIER_SPEED[tk.tier] * PRIORITY_SPEED[tk.priority] * TEAM_SPEED[tk.team]
    wait *= congestion(tk, (int(tk.created.min()) // HOUR) * HOUR if n else 0)
    if incidents.wave is not None:
        wait *= np.where(incidents.wave.contains(tk.created), WAVE_MAGNITUDE, 1.0)
    wait = np.clip(wait, 5, 3 * DAY).astype(np.int64)
    first_reply = staffing_add(staffing, tk.team, tk.created, wait)

    fcr_p = FCR_BASE[tk.channel] + FCR_LEAF[tk.leaf] + 0.04 * (skill - 3)
    single = rng.random(n) < fcr_p
    replies = np.where(single, 1, 1 + rng.geometric(0.5, n)).clip(1, 8)
    skill_f = 1.45 - 0.15 * skill
    tier_f = np.where(tk.tier > 0, 0.45, 1.0)
    med = DURATION_HOURS[tk.leaf] * HOUR * DURATION_CHANNEL[tk.channel] * skill_f * tier_f
    dur = np.clip(lognormal(rng, med, 0.8, n), 600, 10 * DAY)
    dur = np.where(replies > 1, dur, 0).astype(np.int64)
    last = np.where(
        dur > 0, staffing_add(staffing, tk.team, first_reply, np.maximum(dur, 1)), first_reply
    )
    resolved = last + _solve_delay(rng, tk.channel)

    reopen_p = 0.05 + 0.025 * (3 - skill) + REOPEN_LEAF[tk.leaf]
    reopens = (rng.random(n) < np.clip(reopen_p, 0.01, 0.3)).astype(np.int64)
    reopens += (reopens > 0) & (rng.random(n) < 0.15)

    parts = [
        Cycles(
            np.arange(n), np.zeros(n, np.int64), tk.created, first_reply, last, resolved, replies
        )
    ]
    prev = resolved
    for k in (1, 2):
        idx = np.flatnonzero(reopens >= k)
        m = len(idx)
        # a reopening comes within 3.5 days, before the ticket would close (4 days after solving)
        delay = np.clip(lognormal(rng, 20.0 * HOUR, 0.8, m), 1800, 3.5 * DAY)
        start = prev[idx] + delay.astype(np.int64)
        team = tk.team[idx]
        w_med = 0.7 * WAIT_MEDIAN[tk.channel[idx]]
        w = np.clip(lognormal(rng, w_med, 0.8, m), 5, 2 * DAY).astype(np.int64)
        fr = staffing_add(staffing, team, start, w)
        r = (1 + (rng.random(m) < 0.3)).astype(np.int64)
        d = np.clip(lognormal(rng, 0.5 * med[idx], 0.7, m), 300, 5 * DAY).astype(np.int64)
        d = np.where(r > 1, d, 0)
        lr = np.where(d > 0, staffing_add(staffing, team, fr, np.maximum(d, 1)), fr)
        res = lr + _solve_delay(rng, tk.channel[idx])
        parts.append(Cycles(idx, np.full(m, k), start, fr, lr, res, r))
        prev = prev.copy()
        prev[idx] = res
    cycles = Cycles(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in Cycles.__dataclass_fields__)
    )
    closed = prev + CLOSE_AFTER + rng.integers(0, 2 * HOUR, n)
    return Timeline(cycles, closed)


def _solve_delay(rng: np.random.Generator, channel: I64) -> I64:
    """Seconds between the last reply of a cycle and its resolution."""
    live = (channel == 1) | (channel == 2)
    result: I64 = np.where(
        live, rng.integers(30, 600, len(channel)), rng.integers(0, 180, len(channel))
    )
    return result
