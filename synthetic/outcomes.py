"""SLA outcomes and satisfaction surveys of the tickets, as of the period's end.

Due times come from the ticket's SLA policy (tier × priority): business minutes walked through
the policy's calendar (Paris business hours, VIP extended) or calendar minutes (24x7, diamond).
Each ticket has two compliance rows (ids ``2i+1`` first response, ``2i+2`` resolution):
``achieved`` when met by the due time, ``breached`` when met late or still unmet past due at
``end``, ``pending`` otherwise.

A survey is sent 10 minutes to 2 hours after a resolution when the client consents; about 35–55%
answer (fewer after reopenings and breaches). Scores share one latent satisfaction driven by
breaches, reopenings, agent skill and the ticket's mood, lowered by the satisfaction-drop
incident for the beauty team's surveys answered inside its window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.calendar import DAY, HOUR, DataSpan, add_business_minutes
from synthetic.conversation import TicketState
from synthetic.incidents import DROP_TEAM, Incidents
from synthetic.people import Customers, Staff
from synthetic.pgbinary import CopyColumn, Frame, text_payloads
from synthetic.rand import I64, lognormal, stream
from synthetic.reference import FIRST_RESPONSE_MIN, LEAF_ROOT, RESOLUTION_MIN, Reference
from synthetic.tickets import Tickets

PENDING, ACHIEVED, BREACHED = range(3)
SLA_STATUSES = ("pending", "achieved", "breached")
TOPICS = ("speed", "agent_knowledge", "empathy", "resolution", "product", "effort", "other")
#: Internal CSAT shift that yields about −0.8 on the observed (clipped, rounded) mean.
DROP_SHIFT = -0.88


@dataclass(frozen=True)
class Sla:
    fr_minutes: I64
    res_minutes: I64
    fr_due: I64
    res_due: I64
    fr_status: I64
    res_status: I64


def _status(achieved: I64, due: I64, end: int) -> I64:
    met = achieved > 0
    late = (met & (achieved > due)) | (~met & (due < end))
    result: I64 = np.where(late, BREACHED, np.where(met, ACHIEVED, PENDING))
    return result


def compute_sla(tk: Tickets, state: TicketState, ref: Reference, period: DataSpan) -> Sla:
    fr_min = FIRST_RESPONSE_MIN[tk.tier, tk.priority].astype(np.int64)
    res_min = RESOLUTION_MIN[tk.tier, tk.priority].astype(np.int64)
    fr_due = np.empty(tk.n, dtype=np.int64)
    res_due = np.empty(tk.n, dtype=np.int64)
    for tier in range(5):
        rows = np.flatnonzero(tk.tier == tier)
        cal = ref.policy_calendar(tier * 4)
        fr_due[rows] = add_business_minutes(tk.created[rows], fr_min[rows], cal)
        res_due[rows] = add_business_minutes(tk.created[rows], res_min[rows], cal)
    return Sla(
        fr_min,
        res_min,
        fr_due,
        res_due,
        _status(state.first_response, fr_due, period.end),
        _status(state.resolved, res_due, period.end),
    )


def ticket_scope(
    rows: I64, tk: Tickets, state: TicketState, staff: Staff
) -> tuple[CopyColumn, CopyColumn]:
    """``ticket_team_id``/``ticket_agent_id`` of rows of tickets ``rows`` (0-based indices).

    Copies of the ticket's ``team_id``/``assigned_agent_id`` denormalised for row level security;
    in the database a trigger fills them, but bulk loads run with triggers off.
    """
    return (
        CopyColumn("ticket_team_id", "uuid", staff.team_ids[tk.team[rows]]),
        CopyColumn(
            "ticket_agent_id", "uuid", staff.agent_ids[tk.agent[rows]], null=~state.assigned[rows]
        ),
    )


def sla_frame(tk: Tickets, state: TicketState, sla: Sla, staff: Staff) -> Frame:
    n = tk.n
    us = 1_000_000

    def inter(a: I64, b: I64) -> I64:
        out = np.empty(2 * n, dtype=np.int64)
        out[0::2], out[1::2] = a, b
        return out

    achieved = inter(state.first_response, state.resolved)
    return Frame(
        "support_sla_compliance",
        (
            CopyColumn("id", "int8", np.arange(1, 2 * n + 1, dtype=np.int64)),
            CopyColumn("ticket_id", "int8", np.repeat(np.arange(1, n + 1, dtype=np.int64), 2)),
            CopyColumn("sla_policy_id", "int4", np.repeat(tk.policy + 1, 2)),
            CopyColumn(
                "target_type",
                "text",
                np.tile([0, 1], n),
                payloads=text_payloads(["first_response", "resolution"]),
            ),
            CopyColumn("target_minutes", "int4", inter(sla.fr_minutes, sla.res_minutes)),
            CopyColumn("due_at", "timestamptz", inter(sla.fr_due, sla.res_due) * us),
            CopyColumn("achieved_at", "timestamptz", achieved * us, null=achieved == 0),
            CopyColumn(
                "status",
                "text",
                inter(sla.fr_status, sla.res_status),
                payloads=text_payloads(SLA_STATUSES),
            ),
            *ticket_scope(np.repeat(np.arange(n, dtype=np.int64), 2), tk, state, staff),
        ),
    )


@dataclass(frozen=True)
class Surveys:
    """Surveys sorted by ``sent`` (id = index + 1); scores are −1 when unanswered."""

    ticket: I64
    sent: I64
    responded: I64
    csat: I64
    nps: I64
    ces: I64
    topic: I64


def draw_surveys(
    seed: int,
    tk: Tickets,
    state: TicketState,
    sla: Sla,
    staff: Staff,
    customers: Customers,
    incidents: Incidents,
    period: DataSpan,
) -> Surveys:
    rng = stream(seed, "surveys")
    sent_all = state.resolved + rng.integers(600, 2 * HOUR, tk.n)
    eligible = (
        (state.resolved > 0) & customers.consent_surveys[tk.customer] & (sent_all <= period.end)
    )
    t = np.flatnonzero(eligible)
    m = len(t)
    sent = sent_all[t]
    fr_breach = sla.fr_status[t] == BREACHED
    res_breach = sla.res_status[t] == BREACHED
    reopened = state.reopens[t] > 0
    p = 0.47 - 0.10 * reopened - 0.06 * fr_breach + 0.05 * (tk.tier[t] > 0)
    responded = sent + np.clip(lognormal(rng, 5.0 * HOUR, 1.0, m), 60, 7 * DAY).astype(np.int64)
    answered = (rng.random(m) < p) & (responded <= period.end)
    skill = staff.agent_skill[tk.agent[t]]
    mu = (
        4.5
        - 0.55 * fr_breach
        - 0.45 * res_breach
        - 0.6 * reopened
        + 0.12 * (skill - 3)
        + 0.4 * state.mood[t]
        + rng.normal(0, 0.75, m)
    )
    if incidents.drop is not None:
        hit = (tk.team[t] == DROP_TEAM) & incidents.drop.contains(responded)
        mu = mu + DROP_SHIFT * hit
    csat = np.clip(np.round(mu), 1, 5).astype(np.int64)
    nps = np.clip(np.round(2.3 * mu - 1.6 + rng.normal(0, 1.1, m)), 0, 10).astype(np.int64)
    effort = 1.25 * mu + 0.6 - 0.35 * (state.agent_replies[t] - 1) + rng.normal(0, 0.8, m)
    ces = np.clip(np.round(effort), 1, 7).astype(np.int64)
    low = csat <= 2
    product = LEAF_ROOT[tk.leaf[t]] == 1
    u = rng.random(m)
    topic = np.select(
        [low & fr_breach, low & product, low, csat == 3],
        [0, 4, np.where(u < 0.5, 3, 5), np.where(u < 0.4, 5, np.where(u < 0.7, 3, 6))],
        default=np.where(u < 0.4, 2, np.where(u < 0.75, 1, np.where(u < 0.9, 0, 3))),
    )
    topic = np.where(answered & (rng.random(m) < 0.65), topic, -1)
    order = np.argsort(sent, kind="stable")

    def scores(a: I64) -> I64:
        return np.where(answered, a, -1)[order]

    return Surveys(
        t[order],
        sent[order],
        np.where(answered, responded, 0)[order],
        scores(csat),
        scores(nps),
        scores(ces),
        topic[order],
    )


def survey_frame(
    sv: Surveys, tk: Tickets, state: TicketState, staff: Staff, customers: Customers
) -> Frame:
    us = 1_000_000
    m = len(sv.ticket)
    unanswered = sv.responded == 0
    return Frame(
        "support_feedback_surveys",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("ticket_id", "int8", sv.ticket + 1),
            CopyColumn("customer_id", "uuid", customers.ids[tk.customer[sv.ticket]]),
            CopyColumn("sent_at", "timestamptz", sv.sent * us),
            CopyColumn("responded_at", "timestamptz", sv.responded * us, null=unanswered),
            CopyColumn("csat_rating", "int2", sv.csat, null=unanswered),
            CopyColumn("nps_score", "int2", sv.nps, null=unanswered),
            CopyColumn("ces_score", "int2", sv.ces, null=unanswered),
            CopyColumn("comment_topic", "text", sv.topic, payloads=text_payloads(TOPICS)),
            *ticket_scope(sv.ticket, tk, state, staff),
        ),
    )


def customer_experience(
    tk: Tickets, state: TicketState, sla: Sla, sv: Surveys, n_customers: int
) -> tuple[I64, I64, I64]:
    """Per customer: last ticket activity, tickets with a breached SLA target, CSAT ratings ≤ 2."""
    last = np.zeros(n_customers, dtype=np.int64)
    np.maximum.at(last, tk.customer, np.maximum(state.updated, tk.created))
    breached = (sla.fr_status == BREACHED) | (sla.res_status == BREACHED)
    breaches = np.bincount(tk.customer, weights=breached, minlength=n_customers).astype(np.int64)
    low = (sv.csat >= 1) & (sv.csat <= 2)
    lows = np.bincount(tk.customer[sv.ticket], weights=low, minlength=n_customers).astype(np.int64)
    return last, breaches, lows
