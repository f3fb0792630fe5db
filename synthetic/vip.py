"""VIP client history: enrolment and tier changes, churn after bad experiences, tracking rows.

A VIP (``Customers.tier`` > 0, the current tier) enrolled at some point after joining; a quarter
changed tier once since (an upgrade from the tier below or a downgrade from the tier above). A
ticket's ``vip_tier`` is the tier in force when it was created (none before enrolment).

Churn is decided after the tickets: a VIP's probability grows with each bad experience, as a
hazard ``1 − exp(−(0.02 + 0.25·breached tickets + 0.35·CSAT ratings ≤ 2))`` (one breach ≈ 0.24,
one low rating ≈ 0.31; each further bad experience adds to the risk), and the churn happens
after their last ticket activity. Other clients churn with 0.02 + 0.03·(any breach).
``support_vip_tracking`` holds one row per tier period (``enrolled``, then ``upgraded`` /
``downgraded``) and, for churned VIPs, a final ``churned`` row starting at the churn with no end;
a period ends where the next starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.calendar import HOUR, DataSpan
from synthetic.people import Customers
from synthetic.pgbinary import CopyColumn, Frame, text_col
from synthetic.rand import I64, B, stream

NEVER = np.iinfo(np.int64).max // 4
TIER_NAMES = (None, "silver", "gold", "platinum", "diamond")
SEGMENTS = ("beauty", "fitness", "both")
#: Churn hazard per ticket with a breached SLA target and per CSAT rating ≤ 2 (VIP clients).
CHURN_PER_BREACH = 0.25
CHURN_PER_LOW_CSAT = 0.35


@dataclass(frozen=True)
class VipHistory:
    """Per customer: enrolment instant, tier before a change, change instant and kind."""

    enrolled: I64
    prev_tier: I64
    changed: I64
    change_kind: I64  # 0 none, 1 upgraded, 2 downgraded

    def tier_at(self, tier: I64, customer: I64, ts: I64) -> I64:
        """The tier (0 = none) of ``customer`` at instants ``ts``."""
        cur = tier[customer]
        before = np.where(ts < self.changed[customer], self.prev_tier[customer], cur)
        result: I64 = np.where(ts < self.enrolled[customer], 0, before)
        return result


def draw_history(seed: int, customers: Customers, period: DataSpan) -> VipHistory:
    rng = stream(seed, "vip-history")
    n = customers.n
    tier = customers.tier
    vip = tier > 0
    span = np.maximum(period.end - customers.joined, HOUR)
    enrolled = customers.joined + (rng.beta(1.2, 2.5, n) * span).astype(np.int64)
    enrolled = np.where(vip, enrolled, NEVER)
    change = vip & (rng.random(n) < 0.25)
    upgrade = rng.random(n) < 0.7
    upgrade = np.where(tier == 1, False, np.where(tier == 4, True, upgrade))
    prev = np.where(change, np.where(upgrade, tier - 1, tier + 1), tier)
    after = np.maximum(period.end - enrolled, HOUR)
    changed = enrolled + (rng.uniform(0.1, 0.95, n) * after).astype(np.int64)
    changed = np.where(change, changed, NEVER)
    kind = np.where(change, np.where(upgrade, 1, 2), 0)
    return VipHistory(enrolled, prev.astype(np.int64), changed, kind.astype(np.int64))


def decide_churn(
    seed: int,
    customers: Customers,
    history: VipHistory,
    period: DataSpan,
    last_activity: I64,
    breaches: I64,
    low_csat: I64,
) -> I64:
    """Churn instants per customer (0 = active). Inputs are per customer: last activity, tickets
    with a breached SLA target, CSAT ratings ≤ 2 (the ground truth of churn models)."""
    rng = stream(seed, "churn")
    n = customers.n
    vip = customers.tier > 0
    hazard = 0.02 + CHURN_PER_BREACH * breaches + CHURN_PER_LOW_CSAT * low_csat
    p = np.where(vip, 1.0 - np.exp(-hazard), 0.02 + 0.03 * (breaches > 0))
    earliest = np.maximum(last_activity, customers.joined) + HOUR
    earliest = np.where(vip, np.maximum(earliest, history.enrolled + HOUR), earliest)
    earliest = np.where(
        history.changed < NEVER, np.maximum(earliest, history.changed + HOUR), earliest
    )
    room = period.end - HOUR - earliest
    churn = (rng.random(n) < p) & (room > 0)
    at = earliest + (rng.random(n) * np.maximum(room, 0)).astype(np.int64)
    result: I64 = np.where(churn, at, 0)
    return result


def customers_frame(customers: Customers, churned_at: I64, dedicated_ids: np.ndarray) -> Frame:
    tier = customers.tier
    us = 1_000_000
    return Frame(
        "customers",
        (
            CopyColumn("id", "uuid", customers.ids),
            text_col("vip_tier", [TIER_NAMES[t] for t in tier.tolist()]),
            text_col("segment", [SEGMENTS[s] for s in customers.segment.tolist()]),
            CopyColumn("dedicated_agent_id", "uuid", dedicated_ids, null=customers.dedicated < 0),
            CopyColumn("lifetime_value", "numeric", customers.ltv_cents, scale=2),
            text_col("country", _countries(customers)),
            CopyColumn("joined_at", "timestamptz", customers.joined * us),
            text_col("status", ["churned" if c else "active" for c in churned_at.tolist()]),
            CopyColumn("churned_at", "timestamptz", churned_at * us, null=churned_at == 0),
            CopyColumn("consent_marketing", "bool", customers.consent_marketing.astype(np.int64)),
            CopyColumn("consent_analytics", "bool", customers.consent_analytics.astype(np.int64)),
            CopyColumn("consent_surveys", "bool", customers.consent_surveys.astype(np.int64)),
            CopyColumn("created_at", "timestamptz", customers.joined * us),
        ),
    )


def _countries(customers: Customers) -> list[str]:
    from synthetic.text import COUNTRIES

    return [COUNTRIES[c][0] for c in customers.country.tolist()]


def tracking_frame(
    seed: int,
    customers: Customers,
    history: VipHistory,
    churned_at: I64,
    agent_ids: np.ndarray,
    ticket_customer: I64,
    ticket_created: I64,
    ticket_white_glove: B,
    ticket_vip_resolved: B,
) -> Frame:
    """support_vip_tracking rows: tier periods with their white-glove and follow-up counts."""
    rng = stream(seed, "vip-tracking")
    vips = np.flatnonzero(customers.tier > 0)
    # per ticket, which period of its client it falls in (0 = first, 1 = after the change)
    after = ticket_created >= history.changed[ticket_customer]
    key = ticket_customer * 2 + after
    size = customers.n * 2
    sessions = np.bincount(key, weights=ticket_white_glove, minlength=size).astype(np.int64)
    followups = np.bincount(key, weights=ticket_vip_resolved, minlength=size).astype(np.int64)
    rows: list[tuple[int, int, int, int, int, int]] = []  # cust, tier, from, to, reason, slot
    changed = history.changed.tolist()
    for c in vips.tolist():
        stop = churned_at[c] if churned_at[c] else 0
        if changed[c] < NEVER:
            rows.append(
                (c, int(history.prev_tier[c]), int(history.enrolled[c]), changed[c], 0, 2 * c)
            )
            rows.append(
                (
                    c,
                    int(customers.tier[c]),
                    changed[c],
                    stop,
                    int(history.change_kind[c]),
                    2 * c + 1,
                )
            )
        else:
            rows.append((c, int(customers.tier[c]), int(history.enrolled[c]), stop, 0, 2 * c))
        if stop:
            rows.append((c, int(customers.tier[c]), stop, 0, 3, -1))
    arr = np.array(rows, dtype=np.int64).reshape(-1, 6)
    cust, tier, start, end, reason, slot = arr.T
    wg = np.where(slot >= 0, sessions[np.maximum(slot, 0)], 0)
    fu = np.where(slot >= 0, followups[np.maximum(slot, 0)], 0)
    answered = rng.binomial(fu, 0.6)
    dedicated = customers.dedicated[cust]
    has_agent = (dedicated >= 0) & (tier >= 2)
    reasons = ("enrolled", "upgraded", "downgraded", "churned")
    us = 1_000_000
    n = len(arr)
    return Frame(
        "support_vip_tracking",
        (
            CopyColumn("id", "int8", np.arange(1, n + 1, dtype=np.int64)),
            CopyColumn("customer_id", "uuid", customers.ids[cust]),
            text_col("vip_tier", [TIER_NAMES[t] for t in tier.tolist()]),
            CopyColumn(
                "dedicated_agent_id", "uuid", agent_ids[np.maximum(dedicated, 0)], null=~has_agent
            ),
            CopyColumn("effective_from", "timestamptz", start * us),
            CopyColumn("effective_to", "timestamptz", end * us, null=end == 0),
            CopyColumn("white_glove_sessions", "int4", wg),
            CopyColumn("personalized_followups", "int4", fu),
            CopyColumn("followups_answered", "int4", answered),
            text_col("change_reason", [reasons[r] for r in reason.tolist()]),
        ),
    )
