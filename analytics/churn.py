"""VIP churn risk: support-derived features, revenue at risk, recommended actions, upsell.

Features (docs/metrics.md "Predictions"; one row per VIP client from
``analytics.insight_vip_features``, over the lookback before the scoring date):

    tickets          log(1 + tickets)
    csat_gap         4.5 − mean CSAT (0 without a rating: no evidence either way)
    csat_trend       mean CSAT of the last third of the lookback − before it (0 if either missing)
    low_csat         log(1 + ratings ≤ 2)
    reopens          log(1 + reopenings of their tickets)
    sla_breaches     log(1 + tickets with a breached SLA target due before the scoring date)
    wait             log(1 + mean first-response hours)
    white_glove      share of tickets handled white-glove
    tier             1 silver … 4 diamond
    tenure           log(1 + days since joining)
    vip_tenure       log(1 + days since VIP enrolment)
    agent_changes    dedicated agents beyond the first
    recency          log(1 + days since the last ticket; the lookback when none)

The model is :mod:`analytics.risk_model` (calibrated logistic regression, additive
contributions). Label: a ``churned`` VIP period starts within the horizon (90 days) after the
scoring date. Revenue at risk = lifetime value × probability (docs/metrics.md).

Upsell candidates (a rule, not a model; only clients who accept marketing): active VIP clients
below the top tier with a mean CSAT
of at least 4.5 over at least 2 ratings, at least 2 tickets (engaged), no breached SLA, and churn
risk below 0.15; ranked by lifetime value × (1 − churn probability).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

FEATURES = (
    "tickets",
    "csat_gap",
    "csat_trend",
    "low_csat",
    "reopens",
    "sla_breaches",
    "wait",
    "white_glove",
    "tier",
    "tenure",
    "vip_tenure",
    "agent_changes",
    "recency",
)
TIER_RANK = {"silver": 1, "gold": 2, "platinum": 3, "diamond": 4}
CSAT_TARGET = 4.5

#: What to do about a client, by the factor pushing their risk up the most.
ACTIONS = {
    "sla_breaches": "service recovery: a senior agent reviews the breached tickets with the client",
    "low_csat": "call back about the low ratings and offer a goodwill gesture",
    "csat_gap": "call back about the low ratings and offer a goodwill gesture",
    "csat_trend": "check in: satisfaction is falling",
    "reopens": "assign one owner to resolve the recurring issue for good",
    "wait": "route to the VIP queue with priority until waits are back on target",
    "agent_changes": "keep one dedicated agent and introduce them personally",
    "recency": "proactive outreach from the dedicated agent",
    "white_glove": "offer a white-glove session",
}
LOW_RISK = 0.15
NO_ACTION = "no action: low risk"
UPSELL_MIN_CSAT = 4.5


def _num(values: Sequence[object], default: float) -> FloatArray:
    return np.array([default if v is None else float(v) for v in values], dtype=np.float64)  # type: ignore[arg-type]


def _maybe(rows: Sequence[Mapping[str, object]], name: str) -> FloatArray:
    return np.array([np.nan if r[name] is None else r[name] for r in rows], dtype=np.float64)


def churn_design(rows: Sequence[Mapping[str, object]], lookback_days: int) -> FloatArray:
    """The feature matrix (rows × :data:`FEATURES`) of ``insight_vip_features`` rows."""

    def col(name: str, default: float = 0.0) -> FloatArray:
        return _num([r[name] for r in rows], default)

    tickets = col("tickets")
    csat, recent, earlier = (_maybe(rows, n) for n in ("csat_mean", "csat_recent", "csat_earlier"))
    trend = np.where(np.isnan(recent) | np.isnan(earlier), 0.0, recent - earlier)
    white = col("white_glove") / np.maximum(tickets, 1.0)
    tier = np.array([TIER_RANK.get(str(r["vip_tier"]), 0) for r in rows], dtype=np.float64)
    columns = [
        np.log1p(tickets),
        np.where(np.isnan(csat), 0.0, CSAT_TARGET - csat),
        trend,
        col("low_csat"),
        col("reopens"),
        col("sla_breaches"),
        np.log1p(col("wait_minutes") / 60.0),
        white,
        tier,
        np.log1p(np.maximum(col("tenure_days"), 0.0)),
        np.log1p(np.maximum(col("vip_days"), 0.0)),
        col("dedicated_changes"),
        np.log1p(np.maximum(col("days_since_ticket", float(lookback_days)), 0.0)),
    ]
    return np.column_stack(columns) if rows else np.zeros((0, len(FEATURES)))


def recommended_action(probability: float, factors: Sequence[tuple[str, float]]) -> str:
    """The action for the strongest factor raising the risk; none below :data:`LOW_RISK`."""
    if probability < LOW_RISK:
        return NO_ACTION
    for name, value in factors:
        if value > 0 and name in ACTIONS:
            return ACTIONS[name]
    return "proactive outreach from the dedicated agent"


@dataclass(frozen=True, slots=True)
class UpsellScore:
    index: int
    next_tier: str
    score: float
    reason: str


_NEXT = {"silver": "gold", "gold": "platinum", "platinum": "diamond"}


def upsell_candidates(
    rows: Sequence[Mapping[str, object]], churn_probability: Sequence[float]
) -> list[UpsellScore]:
    """The rule of the module docstring; ``index`` points into ``rows``; best first."""
    out: list[UpsellScore] = []
    for i, (r, p) in enumerate(zip(rows, churn_probability, strict=True)):
        tier = str(r["vip_tier"])
        csat, n = r["csat_mean"], int(r["csat_n"])  # type: ignore[call-overload]
        tickets, breaches = int(r["tickets"]), int(r["sla_breaches"])  # type: ignore[call-overload]
        if r.get("marketing_allowed") is False:  # the client refused marketing
            continue
        if tier not in _NEXT or csat is None or n < 2 or tickets < 2 or breaches > 0:
            continue
        mean = float(csat)  # type: ignore[arg-type]
        if mean < UPSELL_MIN_CSAT or p >= LOW_RISK:
            continue
        ltv = float(r["lifetime_value"])  # type: ignore[arg-type]
        reason = (
            f"mean CSAT {mean:.2f} over {n} ratings, {tickets} tickets, no SLA breach, "
            f"churn risk {p:.2f}; {tier} → {_NEXT[tier]}"
        )
        out.append(UpsellScore(i, _NEXT[tier], ltv * (1.0 - p), reason))
    out.sort(key=lambda c: -c.score)
    return out
