"""``python -m bench.insights [--requests R]``: the insights at 1M tickets.

Uses the database of ``python -m bench`` (``DATABASE_URL``, or the embedded ``.data/bench-N``).
Prints the time of a fresh fit of both models (as the trainer: an analyst session, stored with the
owner connection and rolled back), the time to score every active VIP client and every open
ticket (SQL feature tables + the models, under an analyst's rights: the largest set any caller
scores), a ``predict`` run (training the hour's models unless stored) and a second one (models
reused, scores and forecasts stored), and each field's p50/p95 latency through HTTP with its
SQL statements per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

import sql
from bench.harness import BENCH_END, GatewayProcess, Timing, first_user, prepare_database, token
from gateway.db import Database
from gateway.insights_jobs import TRAINED_AS, TRAINER, run_predict
from gateway.settings import load_settings
from gateway.transactions import TransactionSession
from resolvers.insights_models import (
    CHURN,
    CHURN_HORIZON_DAYS,
    CHURN_LOOKBACK_DAYS,
    latest_model,
    train_churn,
    train_satisfaction_risk,
)
from resolvers.insights_scoring import churn_risk_page, score_tickets
from resolvers.port import Session

MONTH = {"from": (BENCH_END - timedelta(days=30)).isoformat(), "to": BENCH_END.isoformat()}
YEAR = {"from": (BENCH_END - timedelta(days=300)).isoformat(),
        "to": (BENCH_END + timedelta(days=60)).isoformat()}  # fmt: skip
FIELDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("churnRisk (first 50)", "analyst",
     "{ churnRisk(first: 50) { totalCount nodes { revenueAtRisk recommendedAction"
     " risk { probability topFactors { name contribution } } customer { name } } } }", {}),
    ("churnRisk (first 50)", "manager",
     "{ churnRisk(first: 50) { totalCount nodes { risk { probability } } } }", {}),
    ("churnRisk (first 50)", "agent",
     "{ churnRisk(first: 50) { totalCount nodes { risk { probability } } } }", {}),
    ("Customer.churnRisk (50 diamond)", "manager",
     "{ customers(first: 50, vipTier: [DIAMOND]) { nodes {"
     " churnRisk { risk { probability } } } } }", {}),
    ("Ticket.satisfactionRisk (100 open)", "manager",
     "{ tickets(first: 100, filter: {status: [NEW, OPEN, PENDING]}) { nodes {"
     " satisfactionRisk { probability topFactors { name } } } } }", {}),
    ("Ticket.satisfactionRisk (100 open)", "team_lead",
     "{ tickets(first: 100, filter: {status: [NEW, OPEN, PENDING]}) { nodes {"
     " satisfactionRisk { probability } } } }", {}),
    ("churnModel", "agent", "{ churnModel { version auc brier calibration { n observed } } }", {}),
    ("upsellCandidates (20)", "manager",
     "{ upsellCandidates(first: 20) { nextTier score reason } }", {}),
    ("satisfactionDrivers (30 d)", "analyst",
     "query($from: DateTime!, $to: DateTime!) { satisfactionDrivers(window: {from: $from,"
     " to: $to}) { overall { n drivers { factor effect pAdjusted } } } }", MONTH),
    ("satisfactionForecast (56 d, +7 d)", "manager",
     "{ satisfactionForecast { days { mean lo80 hi80 } } }", {}),
    ("predictionAccuracy volume (400 d)", "analyst",
     "query($from: DateTime!, $to: DateTime!) { predictionAccuracy(type: VOLUME,"
     " window: {from: $from, to: $to}) { n mase wape coverage80 } }", YEAR),
]  # fmt: skip


async def _post(client: httpx.AsyncClient, url: str, tok: str, query: str,
                variables: dict[str, Any]) -> tuple[float, int]:  # fmt: skip
    t0 = time.perf_counter()
    resp = await client.post(url + "/graphql", json={"query": query, "variables": variables},
                             headers={"Authorization": f"Bearer {tok}"})  # fmt: skip
    elapsed = (time.perf_counter() - t0) * 1000
    body = resp.json()
    if "errors" in body:
        raise RuntimeError(f"benchmark query failed: {body['errors']}")
    return elapsed, int(body.get("extensions", {}).get("sqlStatements", 0))


async def _offline(dsn: str, as_of: datetime) -> None:
    db = Database(dsn, min_size=1, max_size=3)
    await db.open()
    try:
        reader = db.session(TRAINER, statement_timeout_ms=600_000)
        # a fresh fit of each model (refit: even when the day's version is stored), its new
        # version rolled back so that the database keeps the models it had
        async with db.pool.acquire() as conn:
            fresh = conn.transaction()
            await fresh.start()
            writer = TransactionSession(conn)
            t0 = time.perf_counter()
            churn = await train_churn(reader, writer, as_of, TRAINED_AS, refit=True)
            t1 = time.perf_counter()
            risk = await train_satisfaction_risk(reader, writer, as_of, TRAINED_AS, refit=True)
            t2 = time.perf_counter()
            await fresh.rollback()
        print(f"training churn model (fresh)  {t1 - t0:8.2f} s  (n_train {churn.n_train}, "
              f"held-out AUC {churn.evaluation.auc:.3f})")  # fmt: skip
        print(f"training sat. risk (fresh)    {t2 - t1:8.2f} s  (n_train {risk.n_train}, "
              f"held-out AUC {risk.evaluation.auc:.3f})")  # fmt: skip
        await reader.close()
        await _scoring(db, as_of)
        labels = ("predict run (trains the hour's models unless stored)",
                  "predict run again (models reused)")  # fmt: skip
        for label in labels:
            t0 = time.perf_counter()
            summary = await run_predict(db, as_of, "Europe/Paris")
            print(f"{label:<55} {time.perf_counter() - t0:8.2f} s  written {summary.written}")
    finally:
        await db.close()


async def _feature_sql(s: Session, as_of: datetime) -> tuple[float, int]:
    t0 = time.perf_counter()
    vips = await s.fetch(sql.load("insights_vip_features"), as_of, CHURN_LOOKBACK_DAYS,
                         CHURN_HORIZON_DAYS, None)  # fmt: skip
    opened = await s.fetch(sql.load("insights_open_ticket_features"), as_of, None)
    return time.perf_counter() - t0, len(vips) + len(opened)


async def _score_all(s: Session, as_of: datetime) -> tuple[float, str]:
    t0 = time.perf_counter()
    page = await churn_risk_page(s, as_of, tiers=None, min_probability=0.0, first=50,
                                 after=None)  # fmt: skip
    t1 = time.perf_counter()
    tickets = await score_tickets(s, as_of)
    shown = [tickets.result(i) for i in range(min(100, len(tickets)))]
    t2 = time.perf_counter()
    return t2 - t0, (
        f"{page.total:,} VIP clients {t1 - t0:.3f} s ({len(page.nodes)} built), "
        f"{len(tickets):,} open tickets {t2 - t1:.3f} s ({len(shown)} built)"
    )


async def _scoring(db: Database, as_of: datetime, runs: int = 6) -> None:
    """Scoring every active VIP client (``churnRisk``: all scored, a page of 50 built) and every
    open ticket (all scored, result objects for a page of 100), beside the reference measured
    in the same runs: the two feature statements alone (rows fetched, nothing scored; in turn
    before and after the scoring). Under the trainer's rights (an analyst: every row, the
    largest set any caller scores)."""
    ratios, totals, refs = [], [], []
    for attempt in range(runs):
        s = db.session(TRAINER)
        try:
            await latest_model(s, CHURN)  # the session's setup is paid here, by neither side
            if attempt % 2:
                total, what = await _score_all(s, as_of)
                ref, rows = await _feature_sql(s, as_of)
            else:
                ref, rows = await _feature_sql(s, as_of)
                total, what = await _score_all(s, as_of)
        finally:
            await s.close()
        refs.append(ref)
        totals.append(total)
        ratios.append(total / ref)
        print(f"scoring (run {attempt + 1}): {what}; together {total:.3f} s; feature SQL alone "
              f"({rows:,} rows) {ref:.3f} s; ratio {total / ref:.2f}")  # fmt: skip
    print(
        f"scoring median {statistics.median(totals):.3f} s, feature SQL median "
        f"{statistics.median(refs):.3f} s, median ratio {statistics.median(ratios):.2f}"
    )


async def _survey_sql(dsn: str, runs: int = 3) -> list[float]:
    """The reference of ``satisfactionDrivers``: its feature statement alone (the 30 days of
    :data:`MONTH`, an analyst's rights), seconds of each of ``runs``."""
    db = Database(dsn, min_size=1, max_size=2)
    await db.open()
    try:
        times = []
        for _ in range(runs):
            s = db.session(TRAINER, statement_timeout_ms=600_000)
            try:
                await s.fetch(sql.load("stats_data_version"))  # the session's setup
                t0 = time.perf_counter()
                await s.fetch(sql.load("insights_survey_features"),
                              datetime.fromisoformat(MONTH["from"]),
                              datetime.fromisoformat(MONTH["to"]))  # fmt: skip
                times.append(time.perf_counter() - t0)
            finally:
                await s.close()
        return times
    finally:
        await db.close()


async def run(tickets: int, days: int, requests: int, only: str) -> None:
    settings = load_settings()
    dsn = await prepare_database(settings, tickets, days)
    now = datetime.now(UTC)
    print(f"\nInsights: {tickets:,} tickets over {days} days (models as of now, {now:%H:%M} UTC)")
    if not only:
        await _offline(dsn, now)
    before = await _survey_sql(dsn)
    users = {r: await first_user(dsn, sql.load("first_user_of_role"), r)
             for r in {f[1] for f in FIELDS}}  # fmt: skip
    tokens = {r: token(settings, u, r) for r, u in users.items()}
    drivers_p50: float | None = None
    head = f"{'field':<38} {'role':<10} {'p50 ms':>8} {'p95 ms':>8} {'SQL/req':>8}"
    print(head)
    print("-" * len(head))
    with GatewayProcess(dsn, settings) as gw:
        async with httpx.AsyncClient(timeout=300) as client:
            for name, role, query, variables in FIELDS:
                if only not in name:
                    continue
                samples, stmts = [], 0
                for i in range(requests + 1):
                    ms, stmts = await _post(client, gw.url, tokens[role], query, variables)
                    if i:  # the first request warms the process
                        samples.append(ms)
                t = Timing.of(samples)
                print(f"{name:<38} {role:<10} {t.p50:>8.1f} {t.p95:>8.1f} {stmts:>8}")
                if name.startswith("satisfactionDrivers"):
                    drivers_p50 = t.p50
    survey_sql = statistics.median(before + await _survey_sql(dsn))
    print(f"reference: the survey feature SQL alone (30 d, analyst; 3 runs before the fields, 3 "
          f"after) median {survey_sql * 1000:.1f} ms")  # fmt: skip
    if drivers_p50 is not None:
        print(f"satisfactionDrivers (30 d) p50 = {drivers_p50 / (survey_sql * 1000):.2f} x the "
              "feature SQL alone")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--only", default="", help="run the fields whose name contains this")
    args = parser.parse_args()
    asyncio.run(run(args.tickets, args.days, args.requests, args.only))


if __name__ == "__main__":
    main()
