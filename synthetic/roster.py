"""When the support floor works: team staffing hours and each agent's working days and shift.

Staffing hours (internal, not stored): the four standard teams answer Monday–Saturday 08:00–20:00
Paris time, closed on 1 January, 1 May and 25 December; the VIP concierge answers every day
07:00–23:00. Agent replies happen inside their team's staffing hours (the simulation measures
waits and work in staffing time), so every reply falls on a day some agent of the team works.

Agents work five days a week (standard teams: Monday–Saturday less one weekday; VIP: five
consecutive days of seven; leads Monday–Friday), 8-hour shifts starting at staggered hours, with a
vacation block or two. Every day the team is staffed, at least one of its agents works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import numpy as np

from synthetic.calendar import (
    DAY,
    ORG_TZ,
    BusinessClock,
    DataSpan,
    LocalClock,
    local_date_span,
)
from synthetic.people import VIP, Staff
from synthetic.rand import I64, B, stream

STANDARD_CLOSED = {(1, 1), (5, 1), (12, 25)}
SHIFT_STARTS = {False: np.array([8, 10, 12]), True: np.array([7, 11, 15])}
SHIFT_HOURS = 8


@dataclass(frozen=True)
class Roster:
    """Staffing calendars per team and the working days of each agent.

    ``works[a, d]`` tells whether agent ``a`` works on local day ``first_day + d`` (days since
    1970-01-01 in Paris time); ``shift_start[a]`` is the local hour their shift starts.
    """

    staffing: tuple[BusinessClock, ...]
    first_day: int
    works: B
    shift_start: I64

    def working(self, agent: I64, day: I64) -> B:
        """Whether each (agent, local day) pair is a working day (False outside the span)."""
        d = day - self.first_day
        ok = (d >= 0) & (d < self.works.shape[1])
        result: B = ok & self.works[agent, np.clip(d, 0, self.works.shape[1] - 1)]
        return result


def staffing_calendars(period: DataSpan) -> tuple[BusinessClock, ...]:
    first, last = local_date_span(period, before=3, after=150)
    closed = frozenset(
        date(y, m, d) for y in range(first.year, last.year + 1) for m, d in STANDARD_CLOSED
    )
    standard = BusinessClock(
        "staffing", ORG_TZ, (1, 2, 3, 4, 5, 6), time(8), time(20), closed, first, last
    )
    vip = BusinessClock(
        "staffing vip", ORG_TZ, (1, 2, 3, 4, 5, 6, 7), time(7), time(23), frozenset(), first, last
    )
    return (standard, standard, standard, standard, vip)


def build_roster(seed: int, staff: Staff, period: DataSpan, clock: LocalClock) -> Roster:
    rng = stream(seed, "roster")
    staffing = staffing_calendars(period)
    first_day = int(clock.day(np.array([period.start]))[0]) - 1
    last_day = int(clock.day(np.array([period.end]))[0])
    days = np.arange(first_day, last_day + 1)
    weekday = (days + 3) % 7 + 1
    n = staff.n_agents
    vip = staff.agent_team == VIP
    off_weekday = rng.integers(1, 7, n)
    vip_off = rng.integers(1, 8, n)
    works = np.empty((n, len(days)), dtype=bool)
    works[:] = (weekday[None, :] != 7) & (weekday[None, :] != off_weekday[:, None])
    # VIP agents: two consecutive days off out of seven.
    rel = (weekday[None, :] - vip_off[:, None]) % 7
    works[vip] = rel[vip] >= 2
    works[staff.agent_is_lead] = weekday[None, :] <= 5
    for a in range(n):
        for _ in range(int(rng.integers(0, 3))):
            start = int(rng.integers(0, len(days)))
            works[a, start : start + int(rng.integers(4, 11))] = False
    open_day = _open_days(staffing, days)
    for team in range(len(staffing)):
        members = np.flatnonzero(staff.agent_team == team)
        uncovered = open_day[team] & ~works[members].any(axis=0)
        works[members[-1], uncovered] = True
    is_vip = vip.tolist()
    shift = np.array([rng.choice(SHIFT_STARTS[v]) for v in is_vip], dtype=np.int64)
    return Roster(staffing, first_day, works, shift)


def _open_days(staffing: tuple[BusinessClock, ...], days: I64) -> B:
    """Whether each team's staffing calendar opens on each local day."""
    out = np.zeros((len(staffing), len(days)), dtype=bool)
    for t, cal in enumerate(staffing):
        # openings are 07:00 or later in Paris (UTC+1/+2), so the UTC date is the local date.
        out[t] = np.isin(days, cal.open_at // DAY)
    return out
