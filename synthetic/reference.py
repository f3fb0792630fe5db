"""Reference data: support categories, business calendars with holidays, SLA policies.

Ids are explicit and stable: categories 1–5 are the roots and 6–20 the leaves in the order of
:data:`LEAVES`; calendar 1 is "Paris business hours", 2 "VIP extended"; SLA policy ids are
``1 + tier * 4 + priority`` (tiers standard…diamond, priorities low…urgent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

import numpy as np

from synthetic.calendar import (
    ORG_TZ,
    BusinessClock,
    DataSpan,
    holidays_between,
    local_date_span,
)
from synthetic.pgbinary import CopyColumn, Frame, int2_array_payload, payload_col, text_col

ROOTS: tuple[tuple[str, str], ...] = (
    ("orders_and_delivery", "Orders & delivery"),
    ("product_and_skincare", "Product & skincare"),
    ("memberships_and_classes", "Memberships & classes"),
    ("billing", "Billing"),
    ("account", "Account"),
)
#: Leaf categories: (root index, slug, name).
LEAVES: tuple[tuple[int, str, str], ...] = (
    (0, "late_delivery", "Late delivery"),
    (0, "damaged_item", "Damaged item"),
    (0, "returns_refunds", "Returns & refunds"),
    (1, "skin_reaction", "Skin reaction"),
    (1, "product_usage", "Product usage"),
    (1, "shade_matching", "Shade matching"),
    (2, "class_booking", "Class booking"),
    (2, "membership_change", "Membership change"),
    (2, "trainer_feedback", "Trainer feedback"),
    (3, "payment_failed", "Payment failed"),
    (3, "refund_status", "Refund status"),
    (3, "invoice_request", "Invoice request"),
    (4, "login_issue", "Login issue"),
    (4, "data_privacy", "Data privacy"),
    (4, "profile_update", "Profile update"),
)
LEAF_SLUGS = [slug for _, slug, _ in LEAVES]
LEAF_ROOT = np.array([root for root, _, _ in LEAVES], dtype=np.int64)
#: Category id of leaf index ``i`` is ``LEAF_ID0 + i``.
LEAF_ID0 = len(ROOTS) + 1

CHANNELS = ("email", "chat", "phone", "social")
PRIORITIES = ("low", "normal", "high", "urgent")
TIERS = ("standard", "silver", "gold", "platinum", "diamond")

#: First response / resolution targets in minutes, [tier][priority].
FIRST_RESPONSE_MIN = np.array(
    [
        [960, 480, 240, 60],
        [480, 240, 120, 30],
        [240, 120, 60, 20],
        [120, 60, 30, 15],
        [60, 30, 15, 10],
    ]
)
RESOLUTION_MIN = np.array(
    [
        [4320, 2880, 1440, 480],
        [2880, 1920, 960, 360],
        [2160, 1440, 720, 240],
        [1440, 960, 480, 180],
        [1080, 720, 360, 120],
    ]
)
#: Calendar per tier: 1 = Paris business hours, 2 = VIP extended, 0 = 24x7 (calendar time).
TIER_CALENDAR = np.array([1, 2, 2, 2, 0])

PARIS_HOURS = 1
VIP_EXTENDED = 2
#: Holidays on which the VIP extended calendar closes (a subset of the French ones).
VIP_CLOSED_ON = {(1, 1), (5, 1), (12, 25)}


@dataclass(frozen=True)
class Reference:
    """The business calendars of the period, by calendar id."""

    calendars: dict[int, BusinessClock]
    holidays: dict[int, list[tuple[date, str]]]

    def policy_calendar(self, policy: int) -> BusinessClock | None:
        """Calendar of SLA policy index ``policy`` (None = 24x7)."""
        cal = int(TIER_CALENDAR[policy // 4])
        return self.calendars[cal] if cal else None


def build_reference(period: DataSpan) -> Reference:
    """Calendars covering the period with room for due dates after its end."""
    first, last = local_date_span(period, before=3, after=150)
    french = holidays_between(first, last)
    vip = [(d, n) for d, n in french if (d.month, d.day) in VIP_CLOSED_ON]
    cals = {
        PARIS_HOURS: BusinessClock(
            "Paris business hours",
            ORG_TZ,
            (1, 2, 3, 4, 5),
            time(9),
            time(18),
            frozenset(d for d, _ in french),
            first,
            last,
        ),
        VIP_EXTENDED: BusinessClock(
            "VIP extended",
            ORG_TZ,
            (1, 2, 3, 4, 5, 6),
            time(8),
            time(22),
            frozenset(d for d, _ in vip),
            first,
            last,
        ),
    }
    return Reference(cals, {PARIS_HOURS: french, VIP_EXTENDED: vip})


def category_frame() -> Frame:
    ids = np.arange(1, len(ROOTS) + len(LEAVES) + 1, dtype=np.int64)
    parent = np.concatenate([np.zeros(len(ROOTS)), LEAF_ROOT + 1]).astype(np.int64)
    slugs = [s for s, _ in ROOTS] + LEAF_SLUGS
    names = [n for _, n in ROOTS] + [n for _, _, n in LEAVES]
    paths = [s for s, _ in ROOTS] + [f"{ROOTS[r][0]}/{s}" for r, s, _ in LEAVES]
    depth = np.array([0] * len(ROOTS) + [1] * len(LEAVES), dtype=np.int64)
    return Frame(
        "support_categories",
        (
            CopyColumn("id", "int4", ids),
            CopyColumn("parent_id", "int4", parent, null=parent == 0),
            text_col("slug", slugs),
            text_col("name", names),
            text_col("path", paths),
            CopyColumn("depth", "int2", depth),
        ),
    )


def calendar_frames(ref: Reference) -> list[Frame]:
    ids = sorted(ref.calendars)
    cals = [ref.calendars[i] for i in ids]

    def micros(t: time) -> int:
        return (t.hour * 3600 + t.minute * 60) * 1_000_000

    calendars = Frame(
        "support_business_calendars",
        (
            CopyColumn("id", "int4", np.array(ids, dtype=np.int64)),
            text_col("name", [c.name for c in cals]),
            text_col("timezone", [c.tz for c in cals]),
            payload_col("open_days", [int2_array_payload(c.open_days) for c in cals]),
            CopyColumn("opens_at", "time", np.array([micros(c.opens) for c in cals])),
            CopyColumn("closes_at", "time", np.array([micros(c.closes) for c in cals])),
        ),
    )
    rows = [(cid, d, n) for cid in ids for d, n in ref.holidays[cid]]
    epoch = date(1970, 1, 1)
    holidays = Frame(
        "support_calendar_holidays",
        (
            CopyColumn("calendar_id", "int4", np.array([r[0] for r in rows], dtype=np.int64)),
            CopyColumn(
                "holiday", "date", np.array([(r[1] - epoch).days for r in rows], dtype=np.int64)
            ),
            text_col("name", [r[2] for r in rows]),
        ),
    )
    return [calendars, holidays]


def policy_frame(created_at: int) -> Frame:
    tiers = np.repeat(np.arange(len(TIERS)), len(PRIORITIES))
    prios = np.tile(np.arange(len(PRIORITIES)), len(TIERS))
    cal = TIER_CALENDAR[tiers]
    n = len(tiers)
    return Frame(
        "support_sla_policies",
        (
            CopyColumn("id", "int4", np.arange(1, n + 1, dtype=np.int64)),
            text_col(
                "name",
                [f"{TIERS[t].title()} {PRIORITIES[p]}" for t, p in zip(tiers, prios, strict=True)],
            ),
            text_col("priority", [PRIORITIES[p] for p in prios]),
            text_col("customer_tier", [TIERS[t] for t in tiers]),
            text_col("channel", [None] * n),
            CopyColumn("first_response_minutes", "int4", FIRST_RESPONSE_MIN[tiers, prios]),
            CopyColumn("resolution_minutes", "int4", RESOLUTION_MIN[tiers, prios]),
            CopyColumn("calendar_id", "int4", cal, null=cal == 0),
            CopyColumn("is_active", "bool", np.ones(n, dtype=np.int64)),
            CopyColumn("created_at", "timestamptz", np.full(n, created_at * 1_000_000)),
        ),
    )
