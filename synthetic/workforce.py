"""Agent records: daily workforce metrics, QA evaluations and training.

Daily metrics cover the complete local (Paris) days of the period. A working day is scheduled for
8 hours; handle time is the sum of the agent's interactions that day (talk/hold/after-contact
split by channel: phone calls have holds), contacts handled are their public replies, tickets
solved are those whose last reply they wrote, counted on the resolution day. Logged-in time
follows the schedule (longer when the work needs it); available time makes occupancy 60–85%
(handle + available at most 92% of logged-in time; the rest is auxiliary work such as training
and outreach); adherence is 75–100%. A day with work but no schedule is overtime (scheduled 0).

QA: about 4% of resolved tickets are reviewed by the team lead (another team's lead for a lead's
own tickets) within a week, scores rising with skill. Training: 3–7 courses per agent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic import text
from synthetic.calendar import DAY, DataSpan, LocalClock
from synthetic.conversation import AGENT, SCHEDULED_SECONDS, Interactions, TicketState
from synthetic.people import GENERAL, VIP, Staff
from synthetic.pgbinary import CopyColumn, Frame, text_col, text_payloads
from synthetic.rand import I64, stream
from synthetic.roster import Roster
from synthetic.tickets import Tickets

US = 1_000_000


@dataclass(frozen=True)
class AgentDays:
    """Rows of support_agents_metrics (``day`` = local days since 1970-01-01)."""

    agent: I64
    day: I64
    scheduled: I64
    logged_in: I64
    handle: I64
    available: I64
    adherence: I64
    talk: I64
    hold: I64
    acw: I64
    contacts: I64
    solved: I64


def metric_days(period: DataSpan, clock: LocalClock) -> I64:
    """The complete local days of the period."""
    first = int(clock.day(np.array([period.start]))[0]) + 1
    last = int(clock.day(np.array([period.end]))[0]) - 1
    return np.arange(first, last + 1, dtype=np.int64)


def agent_days(
    seed: int,
    tk: Tickets,
    st: TicketState,
    it: Interactions,
    staff: Staff,
    roster: Roster,
    clock: LocalClock,
    days: I64,
) -> AgentDays:
    rng = stream(seed, "agent-days")
    a_n, d_n = staff.n_agents, len(days)
    d0 = int(days[0]) if d_n else 0
    size = a_n * d_n

    def per_day(agent: I64, day: I64, weights: np.ndarray | None = None) -> np.ndarray:
        ok = (day >= d0) & (day < d0 + d_n) & (agent >= 0)
        key = agent[ok] * d_n + (day[ok] - d0)
        w = None if weights is None else weights[ok]
        return np.bincount(key, weights=w, minlength=size).reshape(a_n, d_n)

    is_agent = it.author == AGENT
    ag, day = it.agent[is_agent], clock.day(it.at[is_agent])
    handle = per_day(ag, day, it.handle[is_agent].astype(np.float64)).astype(np.int64)
    phone = tk.channel[it.ticket[is_agent]] == 2
    phone_handle = per_day(ag, day, it.handle[is_agent] * phone).astype(np.int64)
    contacts = per_day(ag, day, it.public[is_agent].astype(np.float64)).astype(np.int64)
    # a ticket is solved by whoever wrote its last public reply (a teammate on the owner's day off)
    pub = np.flatnonzero(is_agent & it.public)
    solver = np.full(tk.n, -1, dtype=np.int64)
    solver[it.ticket[pub]] = it.agent[pub]  # interactions are in time order: the last one wins
    done = np.flatnonzero(st.resolved > 0)
    solved = per_day(solver[done], clock.day(st.resolved[done])).astype(np.int64)
    cols = days - roster.first_day
    works = roster.works[:, np.clip(cols, 0, roster.works.shape[1] - 1)] & (cols >= 0)
    scheduled = works * SCHEDULED_SECONDS
    keep = (scheduled > 0) | (handle > 0) | (solved > 0)
    logged = np.where(
        works,
        scheduled * rng.uniform(0.94, 1.03, (a_n, d_n)),
        handle * rng.uniform(1.15, 1.4, (a_n, d_n)) + 900,
    )
    logged = np.minimum(np.maximum(logged, handle / 0.92), 86_400).astype(np.int64)
    # occupancy 60-85% when there is work; the rest of logged-in time is auxiliary work.
    occupancy = rng.uniform(0.6, 0.85, (a_n, d_n))
    idle = np.where(handle > 0, handle * (1 / occupancy - 1), logged * 0.3).astype(np.int64)
    available = np.clip(np.minimum(idle, (logged * 0.92).astype(np.int64) - handle), 0, None)
    mean_adh = np.clip(rng.normal(0.9, 0.025, a_n), 0.8, 0.97)
    adh = np.clip(mean_adh[:, None] + rng.normal(0, 0.02, (a_n, d_n)), 0.75, 1.0)
    adherence = np.minimum((scheduled * adh).astype(np.int64), scheduled)
    talk = (phone_handle * 0.75 + (handle - phone_handle) * 0.8).astype(np.int64)
    hold = (phone_handle * 0.08).astype(np.int64)
    acw = handle - talk - hold
    a_idx, d_idx = np.nonzero(keep)

    def pick(m: np.ndarray) -> I64:
        result: I64 = np.asarray(m[a_idx, d_idx], dtype=np.int64)
        return result

    return AgentDays(
        a_idx.astype(np.int64),
        days[d_idx],
        pick(scheduled),
        pick(logged),
        pick(handle),
        pick(available),
        pick(adherence),
        pick(talk),
        pick(hold),
        pick(acw),
        pick(contacts),
        pick(solved),
    )


def agent_metrics_frame(ad: AgentDays, staff: Staff) -> Frame:
    m = len(ad.agent)
    return Frame(
        "support_agents_metrics",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("agent_id", "uuid", staff.agent_ids[ad.agent]),
            CopyColumn("metric_date", "date", ad.day),
            CopyColumn("scheduled_seconds", "int4", ad.scheduled),
            CopyColumn("logged_in_seconds", "int4", ad.logged_in),
            CopyColumn("handle_seconds", "int4", ad.handle),
            CopyColumn("available_seconds", "int4", ad.available),
            CopyColumn("in_adherence_seconds", "int4", ad.adherence),
            CopyColumn("talk_seconds", "int4", ad.talk),
            CopyColumn("hold_seconds", "int4", ad.hold),
            CopyColumn("after_contact_seconds", "int4", ad.acw),
            CopyColumn("contacts_handled", "int4", ad.contacts),
            CopyColumn("tickets_solved", "int4", ad.solved),
        ),
    )


def qa_frame(seed: int, tk: Tickets, st: TicketState, staff: Staff, period: DataSpan) -> Frame:
    rng = stream(seed, "qa")
    pool = np.flatnonzero((st.resolved > 0) & st.assigned)
    chosen = pool[rng.random(len(pool)) < 0.04]
    at = st.resolved[chosen] + rng.integers(DAY, 6 * DAY, len(chosen))
    chosen, at = chosen[at <= period.end], at[at <= period.end]
    order = np.argsort(at, kind="stable")
    chosen, at = chosen[order], at[order]
    m = len(chosen)
    agent = tk.agent[chosen]
    leads = np.array([staff.lead_of(t) for t in range(5)])
    evaluator = leads[staff.agent_team[agent]]
    other = np.where(staff.agent_team[agent] == GENERAL, leads[VIP], leads[GENERAL])
    evaluator = np.where(evaluator == agent, other, evaluator)
    base = 2.3 + 0.5 * staff.agent_skill[agent] + rng.normal(0, 0.45, m)
    crit = np.clip(np.round(base[:, None] + rng.normal(0, 0.6, (m, 4))), 1, 5).astype(np.int64)
    score = np.clip(crit.mean(axis=1) + rng.normal(0, 0.15, m), 1, 5)
    cents = np.round(score * 100).astype(np.int64)
    band = np.select([score >= 4.4, score >= 3.8, score >= 3.0], [0, 1, 2], default=3)
    return Frame(
        "support_qa_evaluations",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("ticket_id", "int8", chosen + 1),
            CopyColumn("agent_id", "uuid", staff.agent_ids[agent]),
            CopyColumn("evaluator_id", "uuid", staff.agent_ids[evaluator]),
            CopyColumn("evaluated_at", "timestamptz", at * US),
            CopyColumn("score", "numeric", cents, scale=2),
            CopyColumn("empathy", "int2", crit[:, 0]),
            CopyColumn("accuracy", "int2", crit[:, 1]),
            CopyColumn("tone", "int2", crit[:, 2]),
            CopyColumn("process", "int2", crit[:, 3]),
            CopyColumn("feedback", "text", band, payloads=text_payloads(text.QA_FEEDBACK)),
        ),
    )


def training_frame(seed: int, staff: Staff, period: DataSpan) -> Frame:
    rng = stream(seed, "training")
    rows: list[tuple[int, int, int, int, int, int]] = []  # agent, course, status, from, to, score
    for a in range(staff.n_agents):
        hired = int(staff.agent_hired[a]) * DAY
        lo = max(hired, period.end - 730 * DAY)
        for course in rng.choice(len(text.COURSES), size=int(rng.integers(3, 8)), replace=False):
            assigned = lo + int(rng.random() * max(period.end - DAY - lo, 1))
            status = int(rng.choice(3, p=[0.15, 0.15, 0.7]))
            done = assigned + int(rng.integers(2 * DAY, 45 * DAY))
            if status == 2 and done > period.end:
                status = 1
            skill = int(staff.agent_skill[a])
            score = round(float(np.clip(rng.normal(62 + 6 * skill, 8), 40, 100)) * 100)
            rows.append((a, int(course), status, assigned, done if status == 2 else 0, score))
    arr = np.array(rows, dtype=np.int64)
    agent, course, status, assigned, done, score = arr.T
    m = len(arr)
    return Frame(
        "support_training_records",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("agent_id", "uuid", staff.agent_ids[agent]),
            text_col("course", [text.COURSES[c][0] for c in course.tolist()]),
            text_col("skill", [text.COURSES[c][1] for c in course.tolist()]),
            CopyColumn(
                "status",
                "text",
                status,
                payloads=text_payloads(("assigned", "in_progress", "completed")),
            ),
            CopyColumn("assigned_at", "timestamptz", assigned * US),
            CopyColumn("completed_at", "timestamptz", done * US, null=done == 0),
            CopyColumn("score", "numeric", score, null=done == 0, scale=2),
        ),
    )
