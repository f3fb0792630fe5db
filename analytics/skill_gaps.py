"""Skill gaps: each agent against the rest of their team, per skill, with the training taken.

A skill is a root category (``category:billing``) or a channel (``channel:chat``). For every
agent and skill with at least :data:`MIN_TICKETS` resolved tickets of the agent and of the rest
of the team, four metrics compare the agent with the rest of the team on the same skill:

    csat             mean rating of the tickets' surveys        Welch t-test, higher is better
    qa_score         mean QA score of the tickets' reviews      Welch t-test, higher is better
    resolution_time  mean log(1 + resolution hours)            Welch t-test, lower is better
    reopen_rate      share of tickets reopened                  two-proportion z-test (pooled
                                                                 SE for p, unpooled for the CI)

Each gives the difference agent − team with a 95% interval and a two-sided p-value; p-values
are adjusted across every comparison of the team by Benjamini–Hochberg. A gap is a significant
difference in the worse direction. (Welch 1947; Benjamini & Hochberg 1995.)

Training: for each completed course, the agent's mean CSAT over the :data:`EFFECT_DAYS` before
and after completion (all their tickets), the difference after − before with a Welch 95%
interval: it helped when the interval is above 0. The recommended training for a gap is the
skill's course (category → skill: orders → product_knowledge, product_and_skincare → skincare,
memberships_and_classes → fitness_programs, billing → billing, account → tools; channels →
communication): a refresher when that skill's course was completed without a measurable
improvement, nothing new when it already helped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

MIN_TICKETS = 10
EFFECT_DAYS = 30
CATEGORY_SKILL = {
    "orders_and_delivery": "product_knowledge",
    "product_and_skincare": "skincare",
    "memberships_and_classes": "fitness_programs",
    "billing": "billing",
    "account": "tools",
}
CHANNEL_SKILL = "communication"
_Test = tuple[float, float, float, float]
_Draft = tuple[str, str, str, float, float, _Test, int, int]
HIGHER_IS_BETTER = {"csat": True, "qa_score": True, "resolution_time": False, "reopen_rate": False}


@dataclass(frozen=True, slots=True)
class SkillGapComparison:
    metric: str
    agent_value: float
    team_value: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    p_adjusted: float
    n_agent: int
    n_team: int
    gap: bool


@dataclass(frozen=True, slots=True)
class TrainingEffect:
    course: str
    skill: str
    completed_at: datetime
    csat_before: float | None
    csat_after: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    helped: bool | None


@dataclass(frozen=True, slots=True)
class AgentSkill:
    agent_id: str
    skill: str
    comparisons: tuple[SkillGapComparison, ...]
    recommended_training: str | None


@dataclass(frozen=True, slots=True)
class AgentTraining:
    agent_id: str
    effects: tuple[TrainingEffect, ...]


@dataclass(frozen=True, slots=True)
class SkillGapResult:
    skills: tuple[AgentSkill, ...]
    training: tuple[AgentTraining, ...]


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """Difference of means a − b, its 95% Welch interval and two-sided p."""
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff, 1.0 if diff == 0 else 0.0
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    q = float(stats.t.ppf(0.975, df))
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return diff, diff - q * se, diff + q * se, p


def _proportions(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    pa, pb = float(a.mean()), float(b.mean())
    diff = pa - pb
    pooled = (a.sum() + b.sum()) / (len(a) + len(b))
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    se = math.sqrt(pa * (1 - pa) / len(a) + pb * (1 - pb) / len(b))
    p = float(2 * stats.norm.sf(abs(diff) / se0)) if se0 > 0 else 1.0
    return diff, diff - 1.959963984540054 * se, diff + 1.959963984540054 * se, p


def _values(rows: Sequence[Mapping[str, object]], metric: str) -> np.ndarray:
    if metric == "csat":
        vals = [r["csat"] for r in rows]
    elif metric == "qa_score":
        vals = [r["qa_score"] for r in rows]
    elif metric == "resolution_time":
        vals = [math.log1p(max(float(r["resolution_minutes"]), 0.0) / 60.0) for r in rows]  # type: ignore[arg-type]
    else:
        vals = [float(bool(r["reopened"])) for r in rows]
    return np.array([float(v) for v in vals if v is not None], dtype=np.float64)  # type: ignore[arg-type]


def _skill_of(r: Mapping[str, object], kind: str) -> str:
    return f"category:{r['category_root']}" if kind == "category" else f"channel:{r['channel']}"


def _training_skill(skill: str) -> str:
    kind, _, name = skill.partition(":")
    return CATEGORY_SKILL.get(name, "product_knowledge") if kind == "category" else CHANNEL_SKILL


def training_effects(
    rows: Sequence[Mapping[str, object]], training: Sequence[Mapping[str, object]]
) -> dict[str, list[TrainingEffect]]:
    """Before/after CSAT of every completed course, per agent (module docstring)."""
    out: dict[str, list[TrainingEffect]] = {}
    span = timedelta(days=EFFECT_DAYS)
    for t in training:
        done = t["completed_at"]
        if not isinstance(done, datetime):
            continue
        agent = str(t["agent_id"])
        mine = [r for r in rows if str(r["agent_id"]) == agent and r["csat"] is not None]
        before = np.array(
            [float(r["csat"]) for r in mine if done - span <= r["resolved_at"] < done],  # type: ignore[arg-type, operator]
        )
        after = np.array(
            [float(r["csat"]) for r in mine if done <= r["resolved_at"] < done + span],  # type: ignore[arg-type, operator]
        )
        if len(before) >= 2 and len(after) >= 2:
            diff, lo, hi, _ = _welch(after, before)
            effect = TrainingEffect(
                str(t["course"]),
                str(t["skill"]),
                done,
                float(before.mean()),
                float(after.mean()),
                diff,
                lo,
                hi,
                lo > 0,
            )
        else:
            effect = TrainingEffect(
                str(t["course"]), str(t["skill"]), done, None, None, None, None, None, None
            )
        out.setdefault(agent, []).append(effect)
    return out


def _recommend(skill: str, effects: Sequence[TrainingEffect]) -> str:
    wanted = _training_skill(skill)
    taken = [e for e in effects if e.skill == wanted]
    if any(e.helped for e in taken):
        return f"none new: {wanted} training already helped"
    if taken:
        return f"refresher: {taken[-1].course} ({wanted})"
    return f"a {wanted} course"


def skill_gaps(
    rows: Sequence[Mapping[str, object]],
    training: Sequence[Mapping[str, object]],
    *,
    alpha: float = 0.05,
) -> SkillGapResult:
    """Gaps of every agent of the team's ``rows`` (one per resolved ticket)."""
    groups: dict[tuple[str, str], list[Mapping[str, object]]] = {}
    for r in rows:
        for kind in ("category", "channel"):
            groups.setdefault((str(r["agent_id"]), _skill_of(r, kind)), []).append(r)
    by_skill: dict[str, list[Mapping[str, object]]] = {}
    for (_, skill), members in groups.items():
        by_skill.setdefault(skill, []).extend(members)
    drafts: list[
        tuple[str, str, str, float, float, tuple[float, float, float, float], int, int]
    ] = []
    for (agent, skill), mine in sorted(groups.items()):
        rest = [r for r in by_skill[skill] if str(r["agent_id"]) != agent]
        if len(mine) < MIN_TICKETS or len(rest) < MIN_TICKETS:
            continue
        for metric in HIGHER_IS_BETTER:
            a, b = _values(mine, metric), _values(rest, metric)
            if len(a) < 2 or len(b) < 2:
                continue
            test = _proportions(a, b) if metric == "reopen_rate" else _welch(a, b)
            drafts.append(
                (agent, skill, metric, float(a.mean()), float(b.mean()), test, len(a), len(b))
            )
    p_adj = multipletests([d[5][3] for d in drafts], method="fdr_bh")[1] if drafts else np.array([])
    effects = training_effects(rows, training)
    found: dict[tuple[str, str], list[SkillGapComparison]] = {}
    for d, q in zip(drafts, p_adj, strict=True):
        agent, skill, metric, av, tv, (diff, lo, hi, p), na, nt = d
        worse = diff < 0 if HIGHER_IS_BETTER[metric] else diff > 0
        found.setdefault((agent, skill), []).append(
            SkillGapComparison(
                metric, av, tv, diff, lo, hi, p, float(q), na, nt, bool(q < alpha and worse)
            )
        )
    skills = tuple(
        AgentSkill(
            agent,
            skill,
            tuple(comps),
            _recommend(skill, effects.get(agent, [])) if any(c.gap for c in comps) else None,
        )
        for (agent, skill), comps in sorted(found.items())
    )
    training_out = tuple(AgentTraining(a, tuple(e)) for a, e in sorted(effects.items()))
    return SkillGapResult(skills, training_out)
