"""skillGaps against pandas and scipy over the raw rows (read as the database owner): every
metric of every agent × skill, the Benjamini–Hochberg adjustment, the training before/after
effect, and skills as whole category subtrees.

Independent computations: the metric values from raw tickets, surveys and QA evaluations with
pandas; Welch tests and their 95% intervals with ``scipy.stats.ttest_ind(equal_var=False)``; the
reopen rate with ``statsmodels`` (pooled z-test, Wald interval of the difference); BH with
``scipy.stats.false_discovery_control``. Tolerance: relative 1e-9 (the same arithmetic in
floating point, different code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import insights_ops_support as ops
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest
from insights_ops_support import owner_frame
from insights_support import INSIGHTS_END, InsightsDb
from scipy import stats
from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
    proportions_ztest,
)
from testkit import tq

from analytics.skill_gaps import EFFECT_DAYS, MIN_TICKETS
from resolvers.context import RequestContext
from resolvers.insights_ops import skill_gap_report

START = INSIGHTS_END - timedelta(days=30)
REL = 1e-9
sessions = ops.sessions  # fixture


async def _team_rows(dsn: str, team: Any = None) -> tuple[Any, pd.DataFrame]:
    if team is None:
        team = (await owner_frame(dsn, tq("insights_first_team")))["id"][0]
    raw = await owner_frame(
        dsn, tq("insights_team_skill_raw"), team, START - timedelta(days=60), INSIGHTS_END
    )
    qa = await owner_frame(dsn, tq("insights_team_qa_raw"), team, START, INSIGHTS_END)
    raw["qa"] = raw["id"].map(qa.groupby("id")["score"].mean())
    raw["root"] = raw["path"].str.split("/").str[0]
    hours = (raw["resolved_at"] - raw["created_at"]).dt.total_seconds() / 3600.0
    raw["log_hours"] = np.log1p(hours.clip(lower=0.0))
    raw["reopened"] = (raw["reopen_count"] > 0).astype(float)
    return team, raw


def _expected(part: pd.DataFrame, agent: str, metric: str) -> dict[str, float]:
    column = {"csat": "csat", "qa_score": "qa", "resolution_time": "log_hours"}.get(
        metric, "reopened"
    )
    mine = part.loc[part["agent"] == agent, column].dropna().to_numpy()
    rest = part.loc[part["agent"] != agent, column].dropna().to_numpy()
    out = {"agent": mine.mean(), "team": rest.mean(), "n_agent": len(mine), "n_team": len(rest)}
    if metric == "reopen_rate":
        counts, nobs = [mine.sum(), rest.sum()], [len(mine), len(rest)]
        out["p"] = proportions_ztest(counts, nobs)[1]
        lo, hi = confint_proportions_2indep(*counts[:1], nobs[0], counts[1], nobs[1], method="wald")
        out |= {"lo": lo, "hi": hi}
    else:
        t = stats.ttest_ind(mine, rest, equal_var=False)
        ci = t.confidence_interval(0.95)
        out |= {"p": t.pvalue, "lo": ci.low, "hi": ci.high}
    return out


async def test_every_metric_against_raw_rows(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    team, raw = await _team_rows(insights_db.dsn)
    inside = raw[raw["resolved_at"] >= START]
    r = await skill_gap_report(sessions["manager"], team, START, INSIGHTS_END)
    assert r.skills
    checked: dict[str, int] = {}
    p_values, p_adjusted = [], []
    for s in r.skills:
        kind, _, name = s.skill.partition(":")
        part = inside[inside["root" if kind == "category" else "channel"] == name]
        assert (part["agent"] == s.agent_id).sum() >= MIN_TICKETS
        for c in s.comparisons:
            e = _expected(part, s.agent_id, c.metric)
            assert (c.n_agent, c.n_team) == (e["n_agent"], e["n_team"]), (s.skill, c.metric)
            assert c.agent_value == pytest.approx(e["agent"], rel=REL)
            assert c.team_value == pytest.approx(e["team"], rel=REL)
            assert c.difference == pytest.approx(e["agent"] - e["team"], rel=REL, abs=1e-12)
            assert c.p_value == pytest.approx(e["p"], rel=1e-6), (s.skill, c.metric)
            assert (c.ci_low, c.ci_high) == pytest.approx((e["lo"], e["hi"]), rel=1e-6)
            p_values.append(c.p_value)
            p_adjusted.append(c.p_adjusted)
            checked[c.metric] = checked.get(c.metric, 0) + 1
    assert (
        min(checked.get(m, 0) for m in ("csat", "qa_score", "resolution_time", "reopen_rate")) >= 5
    )
    assert p_adjusted == pytest.approx(list(stats.false_discovery_control(p_values)), rel=1e-9)


async def test_a_skill_is_the_whole_category_subtree(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    """Tickets are filed under leaf categories (``billing/refund_status``); the skill
    ``category:billing`` counts every ticket of the subtree, not only the root's own."""
    team, raw = await _team_rows(insights_db.dsn)
    inside = raw[raw["resolved_at"] >= START]
    r = await skill_gap_report(sessions["manager"], team, START, INSIGHTS_END)
    wide = 0
    for s in r.skills:
        kind, _, name = s.skill.partition(":")
        if kind != "category":
            continue
        mine = inside[(inside["agent"] == s.agent_id) & inside["path"].str.startswith(name + "/")]
        reopen = next(c for c in s.comparisons if c.metric == "reopen_rate")
        assert reopen.n_agent == len(mine)
        assert (inside["path"] == name).sum() == 0  # nothing is filed on the root itself
        wide += mine["path"].nunique() >= 2
    assert wide >= 5


async def test_training_effect_against_scipy_welch(
    sessions: dict[str, RequestContext], insights_db: InsightsDb
) -> None:
    """Every team's completed courses: CSAT of the agent's tickets resolved in the 30 days
    before and after completion (tickets from 60 days before the window on, as the resolver
    reads), the difference with scipy's Welch 95% interval."""
    measured = 0
    for team in (await owner_frame(insights_db.dsn, tq("insights_team_ids")))["id"]:
        measured += await _check_training(sessions["manager"], insights_db.dsn, team)
    assert measured >= 5


async def _check_training(ctx: RequestContext, dsn: str, team: Any) -> int:
    team, raw = await _team_rows(dsn, team)
    training = await owner_frame(dsn, tq("insights_team_training_raw"), team)
    r = await skill_gap_report(ctx, team, START, INSIGHTS_END)
    found = {(t.agent_id, e.course, e.completed_at): e for t in r.training for e in t.effects}
    assert len(found) == len(training)
    span = pd.Timedelta(days=EFFECT_DAYS)
    rated = raw[raw["csat"].notna()]
    measured = 0
    for t in training.itertuples():
        e = found[(t.agent, t.course, t.completed_at.to_pydatetime())]
        mine = rated[rated["agent"] == t.agent]
        done = t.completed_at
        before = mine.loc[
            (mine["resolved_at"] >= done - span) & (mine["resolved_at"] < done), "csat"
        ]
        after = mine.loc[
            (mine["resolved_at"] >= done) & (mine["resolved_at"] < done + span), "csat"
        ]
        if len(before) < 2 or len(after) < 2:
            assert e.difference is None and e.helped is None
            continue
        w = stats.ttest_ind(after, before, equal_var=False)
        ci = w.confidence_interval(0.95)
        assert e.csat_before == pytest.approx(before.mean(), rel=REL)
        assert e.csat_after == pytest.approx(after.mean(), rel=REL)
        assert e.difference == pytest.approx(after.mean() - before.mean(), rel=REL, abs=1e-12)
        assert (e.ci_low, e.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-6)
        assert e.helped is bool(ci.low > 0)
        measured += 1
    return measured
