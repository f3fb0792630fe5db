"""Automation opportunities: categories where a bot or macro would save agent hours.

Per category (leaf path) of the window:

    volume              tickets created
    handle              median agent handle minutes per ticket
    simple share        resolved with at most one agent reply and no reopening ÷ tickets
    repetitive share    (when message text may be read) the share of the sampled first customer
                        messages that fall in a cluster of at least :data:`MIN_CLUSTER`
                        near-identical messages: TF-IDF vectors (word 1–2-grams), and a message
                        joins the first earlier cluster whose seed it matches with cosine
                        similarity ≥ :data:`SIMILARITY` (greedy leader clustering; Hartigan 1975)
    automatable share   the repetitive share when known, else the simple share (counts only)

Estimated savings, with the assumptions returned alongside: a bot takes the automatable share of
the volume and contains it at the chatbot containment rate observed in
``support_automation_analytics`` over the window (contained ÷ handled); every contained ticket
saves the category's median handle time; an agent hour costs the teams' labour cost ÷ the agents'
scheduled hours (when the caller may read them; the organisation's overhead row is not an agent's
cost). Hours saved = volume × automatable share × containment × handle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

SIMILARITY = 0.8
MIN_CLUSTER = 3


@dataclass(frozen=True, slots=True)
class Cluster:
    size: int
    example: str


@dataclass(frozen=True, slots=True)
class Opportunity:
    category: str
    tickets: int
    median_handle_minutes: float
    simple_share: float
    messages_sampled: int
    repetitive_share: float | None
    top_clusters: tuple[Cluster, ...]
    automatable_share: float
    hours_saved: float
    cost_saved: float | None


@dataclass(frozen=True, slots=True)
class AutomationResult:
    containment_rate: float | None
    cost_per_agent_hour: float | None
    assumptions: tuple[str, ...]
    opportunities: tuple[Opportunity, ...]


def leader_clusters(texts: Sequence[str], threshold: float = SIMILARITY) -> list[list[int]]:
    """Greedy leader clustering of ``texts`` by TF-IDF cosine similarity (module docstring)."""
    if not texts:
        return []
    matrix = TfidfVectorizer(ngram_range=(1, 2), lowercase=True).fit_transform(texts)
    leaders: list[int] = []
    members: list[list[int]] = []
    for i in range(matrix.shape[0]):
        if leaders:
            sims = (matrix[leaders] @ matrix[i].T).toarray().ravel()
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                members[best].append(i)
                continue
        leaders.append(i)
        members.append([i])
    return members


def automation_opportunities(
    categories: Sequence[Mapping[str, object]],
    messages: Mapping[str, Sequence[str]] | None,
    *,
    chatbot_handled: int,
    chatbot_contained: int,
    labor_cost: float | None,
    scheduled_seconds: float | None,
) -> AutomationResult:
    """Ranked opportunities (most hours saved first); ``messages`` None when the caller may not
    read message text (counts only)."""
    containment = chatbot_contained / chatbot_handled if chatbot_handled > 0 else None
    per_hour = (
        labor_cost / (scheduled_seconds / 3600.0)
        if labor_cost is not None and scheduled_seconds
        else None
    )
    out: list[Opportunity] = []
    for c in categories:
        path = str(c["path"])
        tickets = int(c["tickets"])  # type: ignore[call-overload]
        handle = float(c["median_handle_seconds"] or 0.0) / 60.0  # type: ignore[arg-type]
        simple = int(c["simple_resolved"]) / tickets if tickets else 0.0  # type: ignore[call-overload]
        texts = list(messages.get(path, ())) if messages is not None else []
        repetitive: float | None = None
        top: tuple[Cluster, ...] = ()
        if messages is not None and texts:
            clusters = sorted(leader_clusters(texts), key=len, reverse=True)
            repetitive = sum(len(m) for m in clusters if len(m) >= MIN_CLUSTER) / len(texts)
            top = tuple(Cluster(len(m), texts[m[0]]) for m in clusters[:3] if len(m) >= MIN_CLUSTER)
        share = repetitive if repetitive is not None else simple
        hours = tickets * share * (containment or 0.0) * handle / 60.0
        out.append(
            Opportunity(
                category=path,
                tickets=tickets,
                median_handle_minutes=handle,
                simple_share=simple,
                messages_sampled=len(texts),
                repetitive_share=repetitive,
                top_clusters=top,
                automatable_share=share,
                hours_saved=hours,
                cost_saved=hours * per_hour if per_hour is not None else None,
            )
        )
    out.sort(key=lambda o: (-o.hours_saved, o.category))
    assumptions = (
        "a bot takes the automatable share of each category's tickets (the repetitive share of "
        "first messages when text may be read, else the share resolved in one reply)",
        f"it contains them at the chatbot containment rate of the window: {containment:.3f}"
        if containment is not None
        else "no chatbot data: containment 0",
        "each contained ticket saves the category's median agent handle time",
        f"an agent hour costs {per_hour:.2f} (the teams' labour cost / scheduled hours)"
        if per_hour is not None
        else "no cost figures visible to you: cost saved is null",
    )
    return AutomationResult(containment, per_hour, assumptions, tuple(out))
