"""Generation of the whole data set, in memory, as COPY frames in foreign-key order.

The steps run in dependency order: reference data and calendars, staff and roster, customers,
tickets and their cycles, the visible conversation and ticket states, SLA outcomes and surveys,
churn (which depends on the experience), then the derived operational tables. Each step draws
from its own seeded stream, so the result is a pure function of (tickets, days, seed, end).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from synthetic.calendar import DAY, DataSpan, LocalClock
from synthetic.conversation import build_conversation
from synthetic.incidents import incidents_frame, plan_incidents
from synthetic.operations import automation_frame, financial_frame, queue_frame
from synthetic.outcomes import (
    compute_sla,
    customer_experience,
    draw_surveys,
    sla_frame,
    survey_frame,
)
from synthetic.people import build_customers, build_staff, contacts_frame, staff_frames
from synthetic.pgbinary import Frame
from synthetic.records import bodies_frame, interactions_frame, tickets_frame
from synthetic.reference import (
    PARIS_HOURS,
    build_reference,
    calendar_frames,
    category_frame,
    policy_frame,
)
from synthetic.roster import build_roster
from synthetic.status_history import status_history_frame
from synthetic.tickets import draw_tickets
from synthetic.timeline import build_timeline
from synthetic.vip import customers_frame, decide_churn, tracking_frame
from synthetic.workforce import (
    agent_days,
    agent_metrics_frame,
    metric_days,
    qa_frame,
    training_frame,
)

#: Number of ``step`` calls :func:`generate` makes (for progress bars).
STEPS = 9


@dataclass(frozen=True)
class Plan:
    """What to generate: ``tickets`` over ``days`` ending at ``end`` (Unix seconds)."""

    tickets: int
    days: int
    seed: int
    end: int


def generate(plan: Plan, step: Callable[[str], None] | None = None) -> list[Frame]:
    """Every table's frame, in foreign-key order (auth.users first, incidents last)."""
    done = step or (lambda _name: None)
    seed = plan.seed
    period = DataSpan(plan.end - plan.days * DAY, plan.end)
    clock = LocalClock(period.start - 2 * DAY, period.end + 2 * DAY)
    ref = build_reference(period)
    incidents = plan_incidents(period)
    staff = build_staff(seed, plan.tickets, plan.days, period)
    roster = build_roster(seed, staff, period, clock)
    customers = build_customers(seed, plan.tickets, period, staff)
    done("staff and customers")
    holidays = [d for d, _ in ref.holidays[PARIS_HOURS]]
    tk, customers, history = draw_tickets(
        seed, plan.tickets, period, clock, holidays, incidents, staff, customers
    )
    done("tickets")
    tl = build_timeline(seed, tk, staff, roster.staffing, incidents)
    done("timelines")
    it, st = build_conversation(seed, tk, tl, staff, roster, clock, period)
    done("interactions")
    sla = compute_sla(tk, st, ref, period)
    sv = draw_surveys(seed, tk, st, sla, staff, customers, incidents, period)
    last, breaches, lows = customer_experience(tk, st, sla, sv, customers.n)
    churned = decide_churn(seed, customers, history, period, last, breaches, lows)
    done("sla, surveys and churn")
    days = metric_days(period, clock)
    ad = agent_days(seed, tk, st, it, staff, roster, clock, days)
    automation, savings = automation_frame(seed, tk, it, sv, clock, days)
    done("workforce")
    created = period.start - 30 * DAY
    teams, users, agents, roles = staff_frames(staff, created)
    frames = [
        users,
        teams,
        agents,
        roles,
        customers_frame(customers, churned, staff.agent_ids[customers.dedicated.clip(0)]),
        contacts_frame(seed, customers),
        category_frame(),
        *calendar_frames(ref),
        policy_frame(created),
        tickets_frame(seed, tk, st, sla, staff, customers),
    ]
    done("customers and tickets")
    frames += [
        interactions_frame(it, tk, st, staff),
        bodies_frame(it),
        sla_frame(tk, st, sla, staff),
        status_history_frame(seed, tk, tl, it, st, staff, period, incidents),
    ]
    frames.append(survey_frame(sv, tk, st, staff, customers))
    done("interaction frames")
    frames += [
        qa_frame(seed, tk, st, staff, period),
        training_frame(seed, staff, period),
        agent_metrics_frame(ad, staff),
        queue_frame(seed, tk, tl, st, it, staff, roster, clock, period),
        automation,
        financial_frame(seed, tk, st, it, staff, customers, ad, clock, days, savings),
        tracking_frame(
            seed,
            customers,
            history,
            churned,
            staff.agent_ids,
            tk.customer,
            tk.created,
            tk.white_glove,
            (tk.tier > 0) & (st.resolved > 0),
        ),
        incidents_frame(incidents, staff),
    ]
    done("operations")
    return frames
