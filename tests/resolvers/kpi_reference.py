"""An independent pandas computation of every KPI from the raw rows (read as the database owner).

Nothing here uses the gateway's SQL functions, its measures or analytics.statistics: definitions
are restated from docs/metrics.md, first responses and reply counts are derived from the
interactions (not the tickets' own columns), intervals come from scipy (t) and statsmodels
(Wilson), and row level security is restated from the policies' wording for each viewer.
Percentiles are numpy's default (linear interpolation), which is percentile_cont's definition.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
import pandas as pd
from reference_estimators import Est, counted, nps, quantile, ratio, t_mean, wilson
from testkit import tq

SEES_ALL = {"manager", "executive", "analyst", "admin"}
TICKET_GROUPS = ("channel", "category", "priority", "status", "vip_tier", "team", "agent")


@dataclass(frozen=True)
class Raw:
    tickets: pd.DataFrame
    sla: pd.DataFrame
    surveys: pd.DataFrame
    days: pd.DataFrame
    qa: pd.DataFrame
    queues: pd.DataFrame
    vip: pd.DataFrame
    agents: pd.DataFrame
    customers: pd.DataFrame
    labels: dict[tuple[str, str], str]


def _frame(rows: Iterable[asyncpg.Record]) -> pd.DataFrame:
    """Rows as a frame, uuids as text (the API reports group keys as text)."""
    df = pd.DataFrame([dict(r) for r in rows])
    for col in df.columns:
        if df[col].map(lambda v: isinstance(v, uuid.UUID)).any():
            df[col] = df[col].map(lambda v: None if v is None else str(v))
    return df


def load(dsn: str) -> Raw:
    """Every table the KPIs read, as the owner (no row level security)."""

    async def run() -> dict[str, pd.DataFrame]:
        conn = await asyncpg.connect(dsn)
        try:
            names = ("tickets", "agent_replies", "sla", "surveys", "agent_days", "qa", "queues",
                     "vip_periods", "people", "labels")  # fmt: skip
            return {n: _frame(await conn.fetch(tq(f"kpi_owner_{n}"))) for n in names}
        finally:
            await conn.close()

    f = asyncio.run(run())
    tickets, replies = f["tickets"], f["agent_replies"]
    first = replies.groupby("ticket_id")["created_at"].min()
    tickets["first_reply_at"] = tickets["id"].map(first)
    tickets["replies"] = tickets["id"].map(replies.groupby("ticket_id").size()).fillna(0)
    tickets["root"] = tickets["category_path"].str.split("/").str[0]
    people = f["people"]
    labels = {(r.kind, r.key): r.label for r in f["labels"].itertuples()}
    for r in people[people["kind"] == "agent"].itertuples():
        labels[("agent", r.id)] = r.label
    days = f["agent_days"]
    days["day_start"] = pd.to_datetime(days["metric_date"]).dt.tz_localize("UTC")
    return Raw(
        tickets, f["sla"], f["surveys"], days, f["qa"], f["queues"], f["vip_periods"],
        people[people["kind"] == "agent"][["id", "team_id"]],
        people[people["kind"] == "customer"][["id", "dedicated_agent_id"]], labels,
    )  # fmt: skip


@dataclass(frozen=True)
class Viewer:
    role: str
    agent_id: str | None
    team_id: str | None


def restrict(raw: Raw, me: Viewer) -> Raw:
    """The rows ``me`` may see, restated from the policies of 20261125000200_rls_policies.sql."""
    if me.role in SEES_ALL:
        return raw
    t = raw.tickets
    if me.role == "team_lead":
        tickets = t[t["team_id"].notna() & (t["team_id"] == me.team_id)]
        mine = raw.agents[raw.agents["team_id"] == me.team_id]["id"]
    else:
        tickets = t[t["assigned_agent_id"].notna() & (t["assigned_agent_id"] == me.agent_id)]
        mine = pd.Series([me.agent_id])
    ids = set(tickets["id"])
    cust = raw.customers
    visible_customers = set(cust[cust["dedicated_agent_id"].isin(set(mine))]["id"])
    visible_customers |= set(tickets["customer_id"])
    return replace(
        raw,
        tickets=tickets,
        sla=raw.sla[raw.sla["ticket_id"].isin(ids)],
        surveys=raw.surveys[raw.surveys["ticket_id"].isin(ids)],
        days=raw.days[raw.days["agent_id"].isin(set(mine))],
        qa=raw.qa[raw.qa["agent_id"].isin(set(mine))],
        vip=raw.vip[raw.vip["customer_id"].isin(visible_customers)],
    )


# --- per source ------------------------------------------------------------------------------


def secs(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a - b).dt.total_seconds()


def ticket_kpis(created: pd.DataFrame, resolved: pd.DataFrame) -> dict[str, Est]:
    frt = secs(created["first_reply_at"], created["created_at"]).dropna()
    res = secs(resolved["resolved_at"], resolved["created_at"])
    first_res = secs(resolved["first_resolved_at"], resolved["created_at"])
    k = len(resolved)
    vip = created[created["vip_tier"].notna()]
    return {
        "ticket_volume": counted(len(created)),
        "first_response_time": quantile(frt, 0.5, 60.0),
        "first_response_time_mean": t_mean(frt, 60.0),
        "first_response_time_p90": quantile(frt, 0.9, 60.0),
        "resolution_time": quantile(res, 0.5, 3600.0, k),
        "resolution_time_mean": t_mean(res, 3600.0),
        "resolution_time_p90": quantile(res, 0.9, 3600.0, k),
        "first_resolution_time": quantile(first_res, 0.5, 3600.0),
        "fcr": wilson(int(((resolved["replies"] == 1) & (resolved["reopen_count"] == 0)).sum()), k),
        "one_touch": wilson(int((resolved["replies"] < 2).sum()), k),
        "reopen_rate": wilson(int((resolved["reopen_count"] > 0).sum()), k),
        "white_glove_usage": wilson(int(vip["is_white_glove"].sum()), len(vip)),
    }


def backlog_rows(tickets: pd.DataFrame, at: datetime) -> pd.DataFrame:
    ts = pd.Timestamp(at)
    t = tickets
    return t[(t["created_at"] < ts) & (t["resolved_at"].isna() | (t["resolved_at"] > ts))]


def backlog_kpis(open_rows: pd.DataFrame, at: datetime) -> dict[str, Est]:
    ts = pd.Timestamp(at)
    unanswered = open_rows["first_reply_at"].isna() | (open_rows["first_reply_at"] > ts)
    return {
        "backlog": counted(len(open_rows)),
        "backlog_unassigned": counted(int(open_rows["assigned_agent_id"].isna().sum())),
        "backlog_unanswered": counted(int(unanswered.sum())),
    }


def backlog_detail(open_rows: pd.DataFrame, at: datetime) -> dict[str, Any]:
    ts = pd.Timestamp(at)
    age = (ts - open_rows["created_at"]).dt.total_seconds()
    edges = [0, 3600, 14400, 86400, 259200, math.inf]
    buckets = [int(((age >= lo) & (age < hi)).sum()) for lo, hi in itertools.pairwise(edges)]
    uncertain = (open_rows["reopen_count"] > 0) & (open_rows["first_resolved_at"] <= ts)
    return {
        "buckets": buckets,
        "mean_age_hours": float(age.mean()) / 3600 if len(age) else None,
        "oldest_age_hours": float(age.max()) / 3600 if len(age) else None,
        "uncertain": int(uncertain.sum()),
    }


def sla_kpis(rows: pd.DataFrame, as_of: datetime) -> dict[str, Est]:
    achieved = rows["achieved_at"].notna() & (rows["achieved_at"] <= rows["due_at"])
    breached = ~achieved & (rows["due_at"] < pd.Timestamp(as_of))
    fr = rows["target_type"] == "first_response"

    def rate(mask: pd.Series) -> Est:
        a, b = int((achieved & mask).sum()), int((breached & mask).sum())
        return wilson(a, a + b)

    return {
        "sla_compliance": rate(pd.Series(True, index=rows.index)),
        "sla_first_response_compliance": rate(fr),
        "sla_resolution_compliance": rate(~fr),
    }


def survey_kpis(rows: pd.DataFrame) -> dict[str, Est]:
    csat = rows["csat_rating"].dropna()
    return {
        "csat": t_mean(csat),
        "csat_percent": wilson(int((csat >= 4).sum()), len(csat)),
        "nps": nps(rows["nps_score"]),
        "ces": t_mean(rows["ces_score"]),
        "survey_response_rate": wilson(int(rows["responded_at"].notna().sum()), len(rows)),
    }


def workforce_kpis(days: pd.DataFrame, qa: pd.DataFrame) -> dict[str, Est]:
    n = len(days)
    s = days.sum(numeric_only=True)

    def col(name: str) -> float:
        return float(s.get(name, 0.0)) if n else 0.0

    handle, avail, sched = col("handle_seconds"), col("available_seconds"), col("scheduled_seconds")
    contacts = col("contacts_handled")
    return {
        "utilization": ratio(handle + avail, sched, n, 100.0),
        "occupancy": ratio(handle, handle + avail, n, 100.0),
        "schedule_adherence": ratio(col("in_adherence_seconds"), sched, n, 100.0),
        "quality_score": t_mean(qa["score"]),
        "aht": ratio(
            col("talk_seconds") + col("hold_seconds") + col("after_contact_seconds"),
            contacts, int(contacts),
        ),
        "tickets_per_hour": ratio(col("tickets_solved"), col("logged_in_seconds"), n, 3600.0),
    }  # fmt: skip


def queue_kpis(q: pd.DataFrame) -> dict[str, Est]:
    answered = int(q["answered"].sum())
    buckets = int(q["bucket_start"].nunique())
    return {
        "service_level": wilson(
            int(q["answered_within_threshold"].sum()),
            answered + int(q["abandoned_after_threshold"].sum()),
        ),
        "abandonment_rate": wilson(int(q["abandoned"].sum()), int(q["offered"].sum())),
        "average_speed_of_answer": ratio(
            float((q["avg_wait_seconds"] * q["answered"]).sum()), answered, answered
        ),
        "longest_wait": Est(float(q["longest_wait_seconds"].max()) if len(q) else None, len(q)),
        "queue_depth": ratio(float(q["queue_depth"].sum()), buckets, buckets),
    }


def vip_active(vip: pd.DataFrame, at: datetime) -> pd.DataFrame:
    ts = pd.Timestamp(at)
    live = vip[(vip["change_reason"] != "churned") & (vip["effective_from"] <= ts)]
    return live[live["effective_to"].isna() | (live["effective_to"] > ts)]


def vip_kpis(start_rows: pd.DataFrame, end_ids: set[str]) -> dict[str, Est]:
    kept = int(start_rows["customer_id"].isin(end_ids).sum())
    return {"vip_retention": wilson(kept, len(start_rows))}


# --- the whole reference -------------------------------------------------------------------


def ticket_key(df: pd.DataFrame, group: str) -> pd.Series:
    column = {"channel": "channel", "category": "root", "priority": "priority",
              "status": "status", "vip_tier": "vip_tier", "team": "team_id",
              "agent": "assigned_agent_id"}[group]  # fmt: skip
    fill = "standard" if group == "vip_tier" else "none"
    return df[column].fillna(fill).astype(str)


class Reference:
    """Expected KPI estimates over a viewer's rows, for any window and grouping."""

    def __init__(self, raw: Raw, now: datetime) -> None:
        self.raw = raw
        self.now = now
        self.team_of = dict(zip(raw.agents["id"], raw.agents["team_id"], strict=True))

    def _window(self, df: pd.DataFrame, col: str, start: datetime, end: datetime) -> pd.DataFrame:
        return df[(df[col] >= pd.Timestamp(start)) & (df[col] < pd.Timestamp(end))]

    def _joined(self, df: pd.DataFrame) -> pd.DataFrame:
        cols = ["id", "channel", "root", "priority", "status", "vip_tier", "team_id",
                "assigned_agent_id"]  # fmt: skip
        return df.merge(
            self.raw.tickets[cols], left_on="ticket_id", right_on="id", suffixes=("_row", "")
        )

    def parts(self, source: str, start: datetime, end: datetime) -> dict[str, pd.DataFrame]:
        """The window's rows of each input of ``source`` (ticket attributes joined)."""
        r, as_of = self.raw, min(self.now, end)
        if source == "tickets":
            return {
                "created": self._window(r.tickets, "created_at", start, end),
                "resolved": self._window(r.tickets, "resolved_at", start, end),
            }
        if source == "backlog":
            return {"open": backlog_rows(r.tickets, min(end, self.now))}
        if source == "sla":
            return {"rows": self._joined(self._window(r.sla, "due_at", start, end))}
        if source == "surveys":
            return {"rows": self._joined(self._window(r.surveys, "sent_at", start, end))}
        if source == "workforce":
            return {
                "days": self._window(r.days, "day_start", start, end),
                "qa": self._window(r.qa, "evaluated_at", start, end),
            }
        if source == "queues":
            return {"q": self._window(r.queues, "bucket_start", start, end)}
        if source == "vip":
            start_rows = vip_active(r.vip, start).sort_values("effective_from")
            start_rows = start_rows.drop_duplicates("customer_id", keep="last")
            return {"start": start_rows, "end": vip_active(r.vip, as_of)}
        raise KeyError(source)

    def compute(
        self, source: str, p: dict[str, pd.DataFrame], start: datetime, end: datetime
    ) -> dict[str, Est]:
        as_of = min(self.now, end)
        fns: dict[str, Callable[[], dict[str, Est]]] = {
            "tickets": lambda: ticket_kpis(p["created"], p["resolved"]),
            "backlog": lambda: backlog_kpis(p["open"], min(end, self.now)),
            "sla": lambda: sla_kpis(p["rows"], as_of),
            "surveys": lambda: survey_kpis(p["rows"]),
            "workforce": lambda: workforce_kpis(p["days"], p["qa"]),
            "queues": lambda: queue_kpis(p["q"]),
            "vip": lambda: vip_kpis(p["start"], set(p["end"]["customer_id"])),
        }
        return fns[source]()

    def overall(self, source: str, start: datetime, end: datetime) -> dict[str, Est]:
        return self.compute(source, self.parts(source, start, end), start, end)

    def grouped(
        self, source: str, group: str, start: datetime, end: datetime
    ) -> dict[str, dict[str, Est]]:
        """Per group key: the source's KPIs over that group's rows."""
        parts = self.parts(source, start, end)
        keyed: dict[str, pd.Series] = {}
        for name, df in parts.items():
            if source == "workforce":
                team = df["agent_id"].map(self.team_of)
                keyed[name] = df["agent_id"].astype(str) if group == "agent" else team.astype(str)
            elif source == "queues":
                keyed[name] = df["queue"]
            elif source == "vip":
                keyed[name] = df["vip_tier"] if name == "start" else pd.Series("*", index=df.index)
            elif group == "policy":
                keyed[name] = df["sla_policy_id"].astype(str)
            else:
                keyed[name] = ticket_key(df, group)
        keys = set().union(
            *(set(k) for n, k in keyed.items() if not (source == "vip" and n == "end"))
        )
        out = {}
        for key in sorted(keys):
            sub = {
                n: df if source == "vip" and n == "end" else df[keyed[n] == key]
                for n, df in parts.items()
            }
            out[key] = self.compute(source, sub, start, end)
        return out


def previous_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window of the same length just before ``[start, end)``."""
    return start - (end - start), start
