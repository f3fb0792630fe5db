"""Teams, agents, auth users with their application roles, and customers.

Staff: five teams (general, beauty, fitness, billing, vip), each with one lead (who also has an
agents row) and agents scaled with the daily ticket volume (about 8–12 per team at 50k tickets
over 180 days, at most 80 agents in all), plus 2 managers, 2 executives, 2 analysts and 1 admin
without an agents row. Emails are ``agent.01@support.example``, ``lead.beauty@support.example``,
``manager.1@support.example`` …

Customers: about one per 4–8 tickets; about 10% are VIP with a pyramid of tiers; Platinum and
Diamond clients (and some Gold) have a dedicated agent of the vip team. ``joined_at`` is final
only after tickets are drawn (a client joins before their first ticket), hence mutable arrays.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from synthetic import text
from synthetic.calendar import DAY, DataSpan
from synthetic.pgbinary import (
    CopyColumn,
    Frame,
    jsonb_payload,
    payload_col,
    text_array_payload,
    text_col,
)
from synthetic.rand import I64, U8, B, lognormal, pick, stream, uuid_bytes

CHANNELS = ("email", "chat", "phone", "social")
SPECIALTIES = ("general", "beauty", "fitness", "billing", "vip")
GENERAL, BEAUTY, FITNESS, BILLING, VIP = range(5)
#: Agents per team at the reference volume (50k tickets over 180 days ≈ 278 a day).
BASE_TEAM_SIZE = np.array([12, 10, 9, 8, 9])
REFERENCE_DAILY = 278.0
MAX_AGENTS = 80
#: Channel sets dealt to agents in turn (email, chat, phone, social).
CHANNEL_PATTERNS = np.array(
    [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 1], [0, 1, 1, 0], [1, 1, 0, 1], [1, 1, 1, 1]],
    dtype=bool,
)
OTHER_ROLES = (("manager", 2), ("executive", 2), ("analyst", 2), ("admin", 1))
TIER_SHARE = np.array([0.90, 0.05, 0.03, 0.015, 0.005])
#: Median lifetime value (EUR) per tier, standard first.
LTV_MEDIAN = np.array([350.0, 2_500.0, 6_000.0, 15_000.0, 40_000.0])


@dataclass(frozen=True)
class Staff:
    """Teams and agents (row ``i`` of the agent arrays is agent index ``i``)."""

    team_ids: U8
    agent_ids: U8
    agent_user_ids: U8
    agent_team: I64
    agent_is_lead: B
    agent_skill: I64
    agent_channels: B
    agent_concurrency: I64
    agent_hired: I64
    agent_vip_specialist: B
    agent_names: list[str]
    agent_emails: list[str]
    #: Other users: (user id bytes, email, display name, role).
    others: list[tuple[bytes, str, str, str]]

    @property
    def n_agents(self) -> int:
        return len(self.agent_team)

    def lead_of(self, team: int) -> int:
        return int(np.flatnonzero(self.agent_is_lead & (self.agent_team == team))[0])


def team_sizes(tickets: int, days: int) -> I64:
    """Agents (excluding the lead) per team for a volume of ``tickets`` over ``days``."""
    scale = (max(tickets / max(days, 1), 1.0) / REFERENCE_DAILY) ** 0.17
    sizes: I64 = np.maximum(np.round(BASE_TEAM_SIZE * scale), 3).astype(np.int64)
    while sizes.sum() + len(sizes) > MAX_AGENTS:
        sizes[np.argmax(sizes)] -= 1
    return sizes


def _names(rng: np.random.Generator, n: int) -> list[str]:
    combos = rng.choice(len(text.FIRST_NAMES) * len(text.LAST_NAMES), size=n, replace=False)
    return [
        f"{text.FIRST_NAMES[c // len(text.LAST_NAMES)]} {text.LAST_NAMES[c % len(text.LAST_NAMES)]}"
        for c in combos.tolist()
    ]


def build_staff(seed: int, tickets: int, days: int, period: DataSpan) -> Staff:
    rng = stream(seed, "staff")
    sizes = team_sizes(tickets, days)
    team_of = np.concatenate([[t] * (s + 1) for t, s in enumerate(sizes.tolist())])
    n = len(team_of)
    is_lead = np.zeros(n, dtype=bool)
    is_lead[np.concatenate([[0], np.cumsum(sizes + 1)[:-1]])] = True
    tenure = np.clip(lognormal(rng, 2.2, 0.6, n), 0.15, 9.0)
    tenure[is_lead] = rng.uniform(4.0, 9.0, int(is_lead.sum()))
    skill = np.clip(np.round(1.1 + 0.55 * tenure + rng.normal(0, 0.8, n)), 1, 5).astype(np.int64)
    skill[is_lead] = rng.integers(4, 6, int(is_lead.sum()))
    end_day = period.end // DAY
    hired = end_day - np.round(tenure * 365).astype(np.int64)
    offset = int(rng.integers(0, len(CHANNEL_PATTERNS)))
    channels = CHANNEL_PATTERNS[(np.arange(n) + offset) % len(CHANNEL_PATTERNS)].copy()
    channels[is_lead] = True
    channels[team_of == VIP, 2] |= rng.random(int((team_of == VIP).sum())) < 0.5
    concurrency = (pick(rng, np.array([0.15, 0.45, 0.3, 0.1]), n) + 1).astype(np.int64)
    vip_spec = np.where(team_of == VIP, rng.random(n) < 0.9, rng.random(n) < 0.08)
    vip_spec[is_lead & (team_of == VIP)] = True
    names = _names(rng, n + sum(k for _, k in OTHER_ROLES))
    emails: list[str] = []
    number = 0
    for i in range(n):
        if is_lead[i]:
            emails.append(f"lead.{SPECIALTIES[team_of[i]]}@support.example")
        else:
            number += 1
            emails.append(f"agent.{number:02d}@support.example")
    ids = uuid_bytes(rng, 5 + 2 * n + sum(k for _, k in OTHER_ROLES))
    others: list[tuple[bytes, str, str, str]] = []
    k = 5 + 2 * n
    for role, count in OTHER_ROLES:
        for j in range(count):
            others.append(
                (
                    bytes(ids[k].tolist()),
                    f"{role}.{j + 1}@support.example",
                    names[n + len(others)],
                    role,
                )
            )
            k += 1
    return Staff(
        team_ids=ids[:5],
        agent_ids=ids[5 : 5 + n],
        agent_user_ids=ids[5 + n : 5 + 2 * n],
        agent_team=team_of.astype(np.int64),
        agent_is_lead=is_lead,
        agent_skill=skill,
        agent_channels=channels,
        agent_concurrency=concurrency,
        agent_hired=hired,
        agent_vip_specialist=vip_spec,
        agent_names=names[:n],
        agent_emails=emails,
        others=others,
    )


def staff_frames(staff: Staff, created_at: int) -> list[Frame]:
    """teams, auth.users, agents and user_roles."""
    n = staff.n_agents
    ts = created_at * 1_000_000
    teams = Frame(
        "teams",
        (
            CopyColumn("id", "uuid", staff.team_ids),
            text_col("name", [text.TEAM_NAMES[s] for s in SPECIALTIES]),
            text_col("specialty", list(SPECIALTIES)),
            text_col("timezone", ["Europe/Paris"] * 5),
            CopyColumn("created_at", "timestamptz", np.full(5, ts)),
        ),
    )
    other_ids = np.array([list(o[0]) for o in staff.others], dtype=np.uint8)
    user_ids = np.concatenate([staff.agent_user_ids, other_ids])
    emails = staff.agent_emails + [o[1] for o in staff.others]
    names = staff.agent_names + [o[2] for o in staff.others]
    m = len(emails)
    users = Frame(
        "users",
        (
            CopyColumn("id", "uuid", user_ids),
            text_col("aud", ["authenticated"] * m),
            text_col("role", ["authenticated"] * m),
            text_col("email", emails),
            CopyColumn("email_confirmed_at", "timestamptz", np.full(m, ts)),
            payload_col(
                "raw_app_meta_data",
                [jsonb_payload({"provider": "email", "providers": ["email"]})] * m,
            ),
            payload_col("raw_user_meta_data", [jsonb_payload({"full_name": nm}) for nm in names]),
            CopyColumn("created_at", "timestamptz", np.full(m, ts)),
            CopyColumn("updated_at", "timestamptz", np.full(m, ts)),
        ),
        schema="auth",
    )
    agents = Frame(
        "agents",
        (
            CopyColumn("id", "uuid", staff.agent_ids),
            CopyColumn("user_id", "uuid", staff.agent_user_ids),
            CopyColumn("team_id", "uuid", staff.team_ids[staff.agent_team]),
            text_col("display_name", staff.agent_names),
            text_col("email", staff.agent_emails),
            CopyColumn("skill_level", "int2", staff.agent_skill),
            CopyColumn("hired_on", "date", staff.agent_hired),
            CopyColumn("is_vip_specialist", "bool", staff.agent_vip_specialist.astype(np.int64)),
            payload_col(
                "channels",
                [
                    text_array_payload([c for c, on in zip(CHANNELS, row, strict=True) if on])
                    for row in staff.agent_channels.tolist()
                ],
            ),
            CopyColumn("chat_concurrency", "int2", staff.agent_concurrency),
            text_col("status", ["active"] * n),
            CopyColumn("created_at", "timestamptz", np.full(n, ts)),
        ),
    )
    roles = ["team_lead" if lead else "agent" for lead in staff.agent_is_lead] + [
        o[3] for o in staff.others
    ]
    team_col = np.concatenate(
        [staff.team_ids[staff.agent_team], np.zeros((len(staff.others), 16), np.uint8)]
    )
    user_roles = Frame(
        "user_roles",
        (
            CopyColumn("user_id", "uuid", user_ids),
            text_col("app_role", roles),
            CopyColumn("team_id", "uuid", team_col, null=np.arange(m) >= n),
            CopyColumn("created_at", "timestamptz", np.full(m, ts)),
        ),
    )
    return [teams, users, agents, user_roles]


@dataclass(frozen=True)
class Customers:
    """Customer attributes; ``tier`` is the current VIP tier (0 = none, 1–4 silver…diamond)."""

    ids: U8
    tier: I64
    segment: I64
    country: I64
    joined: I64
    ltv_cents: I64
    activity: np.ndarray
    dedicated: I64
    consent_marketing: B
    consent_analytics: B
    consent_surveys: B
    first_name: I64
    last_name: I64

    @property
    def n(self) -> int:
        return len(self.tier)


def build_customers(seed: int, tickets: int, period: DataSpan, staff: Staff) -> Customers:
    rng = stream(seed, "customers")
    n = max(40, round(tickets / rng.uniform(4.5, 7.5)))
    tier = pick(rng, TIER_SHARE, n)
    segment = pick(rng, np.array([0.45, 0.35, 0.20]), n)
    country = pick(rng, np.array([c[1] for c in text.COUNTRIES]), n)
    age_days = np.clip(lognormal(rng, 500.0, 0.9, n), 1.0, 3_000.0)
    joined = period.end - np.round(age_days * DAY).astype(np.int64)
    ltv = lognormal(rng, LTV_MEDIAN[tier], 0.7, n)
    # VIPs contact support more often; activity is heavy-tailed like real client bases.
    activity = lognormal(rng, 1.0, 0.9, n) * np.array([1.0, 1.8, 2.0, 2.4, 2.8])[tier]
    vip_agents = np.flatnonzero(staff.agent_team == VIP)
    dedicated = np.full(n, -1, dtype=np.int64)
    wants = (tier >= 3) | ((tier == 2) & (rng.random(n) < 0.4))
    dedicated[wants] = rng.choice(vip_agents, size=int(wants.sum()))
    return Customers(
        ids=uuid_bytes(rng, n),
        tier=tier,
        segment=segment,
        country=country,
        joined=joined,
        ltv_cents=np.round(ltv * 100).astype(np.int64),
        activity=activity,
        dedicated=dedicated,
        consent_marketing=rng.random(n) < 0.4,
        consent_analytics=rng.random(n) < 0.9,
        consent_surveys=rng.random(n) < 0.85,
        first_name=rng.integers(0, len(text.FIRST_NAMES), n),
        last_name=rng.integers(0, len(text.LAST_NAMES), n),
    )


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return plain.lower().replace(" ", "")


def contacts_frame(seed: int, customers: Customers) -> Frame:
    """customer_contacts: plausible fake names, emails and phone numbers."""
    rng = stream(seed, "contacts")
    n = customers.n
    first = [text.FIRST_NAMES[i] for i in customers.first_name.tolist()]
    last = [text.LAST_NAMES[i] for i in customers.last_name.tolist()]
    numbers = rng.integers(1, 10_000, n).tolist()
    domains = rng.integers(0, len(text.EMAIL_DOMAINS), n).tolist()
    phones = rng.integers(100_000_000, 999_999_999, n).tolist()
    has_phone = rng.random(n) < 0.8
    prefixes = [text.COUNTRIES[c][2] for c in customers.country.tolist()]
    full = [f"{f} {la}" for f, la in zip(first, last, strict=True)]
    emails = [
        f"{_ascii(f)}.{_ascii(la)}{k}@{text.EMAIL_DOMAINS[d]}"
        for f, la, k, d in zip(first, last, numbers, domains, strict=True)
    ]
    phone = [f"{p} {x}" for p, x in zip(prefixes, phones, strict=True)]
    return Frame(
        "customer_contacts",
        (
            CopyColumn("customer_id", "uuid", customers.ids),
            payload_col("full_name", [s.encode("utf-8") for s in full]),
            payload_col("email", [s.encode("utf-8") for s in emails]),
            CopyColumn(
                "phone",
                "text",
                np.arange(n),
                null=~has_phone,
                payloads=tuple(s.encode("utf-8") for s in phone),
            ),
        ),
    )
