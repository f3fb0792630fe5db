"""COPY frames of the ticket tables: support_tickets, support_interactions and their bodies.

Subjects are one of three per category; tags are the root category's slug followed by flags
(vip, white_glove, reopened, carrier_outage for the volume-spike tickets, urgent, refund).
"""

from __future__ import annotations

import numpy as np

from synthetic import text
from synthetic.conversation import BODIES, STATUSES, Interactions, TicketState
from synthetic.outcomes import Sla, ticket_scope
from synthetic.people import Customers, Staff
from synthetic.pgbinary import CopyColumn, Frame, text_array_payload, text_payloads
from synthetic.rand import stream
from synthetic.reference import CHANNELS, LEAF_ID0, LEAF_ROOT, LEAF_SLUGS, PRIORITIES, ROOTS
from synthetic.tickets import Tickets
from synthetic.vip import TIER_NAMES

FLAGS = ("vip", "white_glove", "reopened", "carrier_outage", "urgent", "refund")
REFUND_LEAVES = [LEAF_SLUGS.index(s) for s in ("returns_refunds", "refund_status")]
SUBJECTS = [s for slug in LEAF_SLUGS for s in text.SUBJECTS[slug]]
US = 1_000_000


def _tag_payloads() -> tuple[bytes, ...]:
    out = []
    for root, _ in ROOTS:
        for mask in range(1 << len(FLAGS)):
            out.append(
                text_array_payload([root] + [f for i, f in enumerate(FLAGS) if mask >> i & 1])
            )
    return tuple(out)


def tickets_frame(
    seed: int, tk: Tickets, st: TicketState, sla: Sla, staff: Staff, customers: Customers
) -> Frame:
    rng = stream(seed, "ticket-text")
    n = tk.n
    flags = (
        (tk.tier > 0) * 1
        + tk.white_glove * 2
        + (st.reopens > 0) * 4
        + tk.spike * 8
        + (tk.priority == 3) * 16
        + np.isin(tk.leaf, REFUND_LEAVES) * 32
    )
    tags = LEAF_ROOT[tk.leaf] * (1 << len(FLAGS)) + flags
    subject = tk.leaf * 3 + rng.integers(0, 3, n)
    agent_null = ~st.assigned
    return Frame(
        "support_tickets",
        (
            CopyColumn("id", "int8", np.arange(1, n + 1, dtype=np.int64)),
            CopyColumn("subject", "text", subject, payloads=text_payloads(SUBJECTS)),
            CopyColumn("customer_id", "uuid", customers.ids[tk.customer]),
            CopyColumn("channel", "text", tk.channel, payloads=text_payloads(CHANNELS)),
            CopyColumn("category_id", "int4", tk.leaf + LEAF_ID0),
            CopyColumn("priority", "text", tk.priority, payloads=text_payloads(PRIORITIES)),
            CopyColumn("status", "text", st.status, payloads=text_payloads(STATUSES)),
            CopyColumn("team_id", "uuid", staff.team_ids[tk.team]),
            CopyColumn("assigned_agent_id", "uuid", staff.agent_ids[tk.agent], null=agent_null),
            CopyColumn("sla_policy_id", "int4", tk.policy + 1),
            CopyColumn(
                "vip_tier",
                "text",
                tk.tier - 1,
                payloads=text_payloads([t for t in TIER_NAMES if t]),
            ),
            CopyColumn("is_white_glove", "bool", tk.white_glove.astype(np.int64)),
            CopyColumn("created_at", "timestamptz", tk.created * US),
            CopyColumn("updated_at", "timestamptz", st.updated * US),
            _instant("first_response_at", st.first_response),
            _instant("first_resolved_at", st.first_resolved),
            _instant("resolved_at", st.resolved),
            _instant("closed_at", st.closed),
            CopyColumn("first_response_due_at", "timestamptz", sla.fr_due * US),
            CopyColumn("resolution_due_at", "timestamptz", sla.res_due * US),
            CopyColumn("reopen_count", "int2", st.reopens),
            CopyColumn("agent_reply_count", "int2", st.agent_replies),
            CopyColumn("customer_message_count", "int2", st.customer_messages),
            CopyColumn("tags", "text", tags, payloads=_tag_payloads()),
        ),
    )


def _instant(name: str, values: np.ndarray) -> CopyColumn:
    return CopyColumn(name, "timestamptz", values * US, null=values == 0)


def interactions_frame(it: Interactions, tk: Tickets, st: TicketState, staff: Staff) -> Frame:
    m = it.n
    label = np.where(it.sentiment < -250, 0, np.where(it.sentiment > 250, 2, 1))
    return Frame(
        "support_interactions",
        (
            CopyColumn("id", "int8", np.arange(1, m + 1, dtype=np.int64)),
            CopyColumn("ticket_id", "int8", it.ticket + 1),
            CopyColumn(
                "author_type",
                "text",
                it.author,
                payloads=text_payloads(("customer", "agent", "bot", "system")),
            ),
            CopyColumn(
                "agent_id", "uuid", staff.agent_ids[np.maximum(it.agent, 0)], null=it.agent < 0
            ),
            CopyColumn("channel", "text", tk.channel[it.ticket], payloads=text_payloads(CHANNELS)),
            CopyColumn("is_public", "bool", it.public.astype(np.int64)),
            CopyColumn("created_at", "timestamptz", it.at * US),
            CopyColumn("handle_seconds", "int4", it.handle),
            CopyColumn("sentiment_score", "numeric", it.sentiment, null=~it.has_sentiment, scale=3),
            CopyColumn(
                "sentiment_label",
                "text",
                np.where(it.has_sentiment, label, -1),
                payloads=text_payloads(("negative", "neutral", "positive")),
            ),
            *ticket_scope(it.ticket, tk, st, staff),
        ),
    )


def bodies_frame(it: Interactions) -> Frame:
    return Frame(
        "support_interaction_bodies",
        (
            CopyColumn("interaction_id", "int8", np.arange(1, it.n + 1, dtype=np.int64)),
            CopyColumn("body", "text", it.body, payloads=text_payloads(BODIES)),
        ),
    )
