"""Operational tables derived from the generated tickets: queues, automation, finance.

``support_queue_metrics``: 30-minute buckets per queue (email, chat, phone, social for the standard
teams by channel; vip for the VIP concierge) over the complete buckets of the period. ``offered``
are the tickets that arrived in the bucket plus contacts that abandoned before becoming a ticket
(chat, phone and vip only; more when waits are long); ``answered`` and
``answered_within_threshold`` use each ticket's first-response wait; depth is the tickets waiting
for a first response at the bucket's end; staffed agents are those on shift that work the queue,
available = staffed minus those busy with handle time in the bucket.

``support_automation_analytics``: daily chatbot (chat), auto-triage (email, social), macros (email,
chat, social) and auto-replies (email). ``support_financial_metrics``: daily per team (labor from
logged-in hours × rate by skill, tooling per working agent, macro savings, VIP revenue protected,
refunds) plus an organisation row (team NULL) with overhead and automation savings.
"""

from __future__ import annotations

import numpy as np

from synthetic.calendar import DataSpan, LocalClock
from synthetic.conversation import AGENT, Interactions, TicketState
from synthetic.outcomes import Surveys
from synthetic.people import VIP, Customers, Staff
from synthetic.pgbinary import CopyColumn, Frame, text_payloads
from synthetic.rand import I64, lognormal, stream
from synthetic.reference import CHANNELS, LEAF_SLUGS
from synthetic.roster import SHIFT_HOURS, Roster
from synthetic.tickets import Tickets
from synthetic.timeline import Timeline
from synthetic.workforce import AgentDays

BUCKET = 1_800
QUEUES = ("email", "chat", "phone", "social", "vip")
THRESHOLD = np.array([14_400, 60, 30, 3_600, 600])
US = 1_000_000


def queue_frame(
    seed: int,
    tk: Tickets,
    tl: Timeline,
    st: TicketState,
    it: Interactions,
    staff: Staff,
    roster: Roster,
    clock: LocalClock,
    period: DataSpan,
) -> Frame:
    rng = stream(seed, "queues")
    b0 = -(-period.start // BUCKET)
    nb = max(period.end // BUCKET - b0, 0)
    nq = len(QUEUES)
    queue = np.where(tk.team == VIP, 4, tk.channel)
    bucket = tk.created // BUCKET - b0
    ok = (bucket >= 0) & (bucket < nb)
    key = queue[ok] * nb + bucket[ok]
    size = nq * nb

    def count(weights: np.ndarray | None = None, k: I64 = key) -> np.ndarray:
        return np.bincount(k, weights=weights, minlength=size).reshape(nq, nb)

    wait = (tl.cycles.first_reply[: tk.n] - tk.created)[ok]
    answered_mask = st.first_response[ok] > 0
    arrivals = count()
    answered = count(answered_mask.astype(np.float64))
    within = count((answered_mask & (wait <= THRESHOLD[queue[ok]])).astype(np.float64))
    wait_sum = count(np.where(answered_mask, wait, 0).astype(np.float64))
    longest_flat = np.zeros(size, dtype=np.int64)
    np.maximum.at(longest_flat, key, np.where(answered_mask, wait, 0))
    longest = longest_flat.reshape(nq, nb)
    avg_wait = np.where(answered > 0, wait_sum / np.maximum(answered, 1), 0.0)
    late_share = 1.0 - within / np.maximum(answered, 1)
    p_ab = 0.02 + 0.12 * late_share
    p_ab[[0, 3]] = 0.0
    p_ab[4] *= 0.3
    abandoned = rng.poisson(arrivals * p_ab)
    ab_late = rng.binomial(abandoned, 0.55)
    offered = arrivals + abandoned
    bucket_end = (b0 + np.arange(nb) + 1) * BUCKET
    depth = np.zeros((nq, nb), dtype=np.int64)
    for q in range(nq):
        mine = queue == q
        came = np.sort(tk.created[mine])
        got = np.sort(
            np.where(st.first_response[mine] > 0, st.first_response[mine], np.iinfo(np.int64).max)
        )
        depth[q] = np.searchsorted(came, bucket_end, "right") - np.searchsorted(
            got, bucket_end, "right"
        )
    staffed = _staffed(staff, roster, clock, (b0 + np.arange(nb)) * BUCKET)
    is_agent = it.author == AGENT
    a_bucket = it.at // BUCKET - b0
    a_ok = is_agent & (a_bucket >= 0) & (a_bucket < nb)
    a_key = queue[it.ticket[a_ok]] * nb + a_bucket[a_ok]
    busy = count(it.handle[a_ok].astype(np.float64), a_key) / BUCKET
    available = np.maximum(staffed - np.ceil(busy).astype(np.int64), 0)
    pub = a_ok & it.public
    p_key = queue[it.ticket[pub]] * nb + a_bucket[pub]
    replies = count(None, p_key)
    aht = count(it.handle[pub].astype(np.float64), p_key) / np.maximum(replies, 1)
    q_idx = np.repeat(np.arange(nq), nb)
    starts = np.tile((b0 + np.arange(nb)) * BUCKET, nq)

    def flat(m: np.ndarray) -> I64:
        return np.asarray(m, dtype=np.int64).ravel()

    return Frame(
        "support_queue_metrics",
        (
            CopyColumn("id", "int8", np.arange(1, size + 1, dtype=np.int64)),
            CopyColumn("queue", "text", q_idx, payloads=text_payloads(QUEUES)),
            CopyColumn("bucket_start", "timestamptz", starts * US),
            CopyColumn("interval_seconds", "int4", np.full(size, BUCKET)),
            CopyColumn("offered", "int4", flat(offered)),
            CopyColumn("answered", "int4", flat(answered)),
            CopyColumn("answered_within_threshold", "int4", flat(within)),
            CopyColumn("abandoned", "int4", flat(abandoned)),
            CopyColumn("abandoned_after_threshold", "int4", flat(ab_late)),
            CopyColumn("threshold_seconds", "int4", THRESHOLD[q_idx]),
            CopyColumn("avg_wait_seconds", "numeric", flat(np.round(avg_wait * 100)), scale=2),
            CopyColumn("longest_wait_seconds", "int4", flat(longest)),
            CopyColumn("queue_depth", "int4", flat(np.maximum(depth, 0))),
            CopyColumn("agents_available", "int4", flat(available)),
            CopyColumn("agents_staffed", "int4", flat(staffed)),
            CopyColumn(
                "aht_seconds",
                "numeric",
                flat(np.round(aht * 100)),
                null=flat(replies) == 0,
                scale=2,
            ),
        ),
    )


def _staffed(staff: Staff, roster: Roster, clock: LocalClock, starts: I64) -> I64:
    """Agents on shift per queue and bucket."""
    day = clock.day(starts) - roster.first_day
    hour = clock.hour(starts)
    inside = (day >= 0) & (day < roster.works.shape[1])
    works = roster.works[:, np.clip(day, 0, roster.works.shape[1] - 1)] & inside
    rel = hour[None, :] - roster.shift_start[:, None]
    on = works & (rel >= 0) & (rel < SHIFT_HOURS)
    vip = staff.agent_team == VIP
    eligible = np.vstack([staff.agent_channels[:, c] & ~vip for c in range(4)] + [vip])
    result: I64 = eligible.astype(np.int64) @ on.astype(np.int64)
    return result


def _daily(values_day: I64, days: I64, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-day counts (or weight sums) of events on local days ``values_day`` over ``days``."""
    if not len(days):
        return np.zeros(0)
    ok = (values_day >= days[0]) & (values_day <= days[-1])
    w = None if weights is None else weights[ok]
    return np.bincount(values_day[ok] - days[0], weights=w, minlength=len(days))


def automation_frame(
    seed: int, tk: Tickets, it: Interactions, sv: Surveys, clock: LocalClock, days: I64
) -> tuple[Frame, np.ndarray]:
    """Daily automation rows and the organisation-level savings per day (for finance)."""
    rng = stream(seed, "automation")
    nd = len(days)
    created_day = clock.day(tk.created)
    per_channel = np.vstack([_daily(created_day[tk.channel == c], days) for c in range(4)]).astype(
        np.int64
    )
    pub = (it.author == AGENT) & it.public
    reply_ch = tk.channel[it.ticket[pub]]
    reply_day = clock.day(it.at[pub])
    replies = np.vstack([_daily(reply_day[reply_ch == c], days) for c in range(4)]).astype(np.int64)
    answered = sv.csat > 0
    s_day = clock.day(sv.responded[answered])
    s_ch = tk.channel[sv.ticket[answered]]
    rows: list[
        tuple[int, int, I64, I64, I64, np.ndarray | None, np.ndarray | None, np.ndarray]
    ] = []
    chat = per_channel[1]
    rate = np.clip(rng.normal(0.3, 0.03, nd), 0.15, 0.45)
    contained = np.round(chat * rate / (1 - rate)).astype(np.int64)
    rows.append(
        (
            0,
            1,
            chat + contained,
            contained,
            chat,
            np.clip(rng.normal(0.78, 0.02, nd), 0, 1),
            np.clip(rng.normal(4.15, 0.1, nd), 1, 5),
            contained * 4.5,
        )
    )
    for c in (0, 3):
        k = per_channel[c]
        rows.append(
            (
                1,
                c,
                k,
                np.zeros(nd, np.int64),
                rng.binomial(k, 0.04),
                np.clip(rng.normal(0.87, 0.015, nd), 0, 1),
                None,
                k * 0.35,
            )
        )
    for c in (0, 1, 3):
        k = rng.binomial(replies[c], 0.38)
        csum = _daily(s_day[s_ch == c], days, sv.csat[answered][s_ch == c].astype(np.float64))
        cnt = _daily(s_day[s_ch == c], days)
        csat = np.where(cnt > 0, csum / np.maximum(cnt, 1), np.nan)
        rows.append((2, c, k, rng.binomial(k, 0.3), np.zeros(nd, np.int64), None, csat, k * 1.2))
    email = per_channel[0]
    deflected = rng.binomial(email, 0.06)
    rows.append(
        (
            3,
            0,
            email,
            deflected,
            email - deflected,
            np.clip(rng.normal(0.7, 0.03, nd), 0, 1),
            None,
            deflected * 3.0,
        )
    )
    org_savings = rows[0][7] + rows[1][7] + rows[2][7] + rows[-1][7]
    m = len(rows) * nd
    empty = np.full(nd, np.nan)

    def stack(i: int) -> np.ndarray:
        return np.concatenate([r[i] if r[i] is not None else empty for r in rows])

    conf, csat_all = stack(5), stack(6)
    frame = Frame(
        "support_automation_analytics",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("metric_date", "date", np.tile(days, len(rows))),
            CopyColumn(
                "automation_type",
                "text",
                np.repeat([r[0] for r in rows], nd),
                payloads=text_payloads(("chatbot", "auto_triage", "macro", "auto_reply")),
            ),
            CopyColumn(
                "channel",
                "text",
                np.repeat([r[1] for r in rows], nd),
                payloads=text_payloads(CHANNELS),
            ),
            CopyColumn("contacts_handled", "int4", stack(2)),
            CopyColumn("contained", "int4", stack(3)),
            CopyColumn("escalated", "int4", stack(4)),
            CopyColumn(
                "avg_confidence",
                "numeric",
                np.round(np.nan_to_num(conf) * 1000),
                null=np.isnan(conf),
                scale=3,
            ),
            CopyColumn(
                "csat_avg",
                "numeric",
                np.round(np.nan_to_num(csat_all, nan=1.0) * 100),
                null=np.isnan(csat_all),
                scale=2,
            ),
            CopyColumn("cost_saved", "numeric", np.round(stack(7) * 100), scale=2),
        ),
    )
    return frame, org_savings


def financial_frame(
    seed: int,
    tk: Tickets,
    st: TicketState,
    it: Interactions,
    staff: Staff,
    customers: Customers,
    ad: AgentDays,
    clock: LocalClock,
    days: I64,
    org_savings: np.ndarray,
) -> Frame:
    rng = stream(seed, "finance")
    nd = len(days)
    rate = np.where(staff.agent_is_lead, 48.0, 24.0 + 4.0 * staff.agent_skill)
    team_of = staff.agent_team[ad.agent]
    day_idx = ad.day - (days[0] if nd else 0)
    key = team_of * nd + day_idx
    labor = np.bincount(key, weights=ad.logged_in / 3600.0 * rate[ad.agent], minlength=5 * nd)
    working = np.bincount(key, weights=(ad.scheduled > 0).astype(np.float64), minlength=5 * nd)
    done = st.resolved > 0
    r_day = clock.day(st.resolved[done])
    r_team = tk.team[done]
    handled = np.vstack([_daily(r_day[r_team == t], days) for t in range(5)])
    ltv = customers.ltv_cents[tk.customer[done]] / 100.0 * (tk.tier[done] > 0)
    protected = np.vstack(
        [_daily(r_day[r_team == t], days, ltv[r_team == t] * 0.04) for t in range(5)]
    )
    refundish = np.isin(
        tk.leaf[done],
        [LEAF_SLUGS.index(s) for s in ("returns_refunds", "refund_status", "damaged_item")],
    )
    amount = lognormal(rng, 85.0, 0.6, int(done.sum())) * refundish
    refunds = np.vstack([_daily(r_day[r_team == t], days, amount[r_team == t]) for t in range(5)])
    pub = (it.author == AGENT) & it.public
    rep_team = tk.team[it.ticket[pub]]
    rep_day = clock.day(it.at[pub])
    savings = np.vstack([_daily(rep_day[rep_team == t], days) for t in range(5)]) * 0.38 * 1.2
    weekday = (days + 3) % 7 + 1
    overhead_labor = np.where(weekday <= 5, 7 * 8 * 55.0, 0.0)

    def money(team_rows: np.ndarray, org: np.ndarray) -> I64:
        return np.round(np.concatenate([team_rows.reshape(-1), org]) * 100).astype(np.int64)

    team_idx = np.concatenate([np.repeat(np.arange(5), nd), np.full(nd, -1)])
    zeros = np.zeros(nd)
    m = 6 * nd
    return Frame(
        "support_financial_metrics",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("metric_date", "date", np.tile(days, 6)),
            CopyColumn(
                "team_id", "uuid", staff.team_ids[np.maximum(team_idx, 0)], null=team_idx < 0
            ),
            CopyColumn(
                "tickets_handled",
                "int4",
                np.concatenate([handled.reshape(-1), zeros]).astype(np.int64),
            ),
            CopyColumn("labor_cost", "numeric", money(labor, overhead_labor), scale=2),
            CopyColumn(
                "tooling_cost", "numeric", money(working * 6.5, np.full(nd, 420.0)), scale=2
            ),
            CopyColumn("automation_savings", "numeric", money(savings, org_savings), scale=2),
            CopyColumn("revenue_protected", "numeric", money(protected, zeros), scale=2),
            CopyColumn("refunds_issued", "numeric", money(refunds, zeros), scale=2),
        ),
    )
