"""``python -m bench.reports [--runs N]``: reports and exports at 1M tickets.

Uses the database of ``python -m bench`` (``DATABASE_URL``, or the embedded ``.data/bench-N``,
seeded once) and a gateway in its own process. Prints:

* the **weekly team report** (the busiest team, the last whole ISO week before the data's end,
  as a manager) as PDF, XLSX and CSV: median and max over ``--runs`` downloads of its
  ``/exports/<token>`` link, end to end (every SQL statement under the manager's rights, the
  rendering off the event loop, the HTTP transfer), next to the dashboard's own time for the
  same window and team (the SQL the report cannot avoid);
* a **1,000,000-row CSV export** of every ticket (as an executive), streamed: rows and MB/s at
  the client, and the gateway process's resident memory sampled every 0.1 s — before, at 10%,
  50%, 90% of the rows, peak and after — next to a 100,000-row export's peak (constant memory:
  the peaks match whatever the size).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

import sql
from bench.harness import BENCH_END, GatewayProcess, first_user, prepare_database, process_stats
from bench.harness import token as mint
from gateway.settings import load_settings
from resolvers.report_builder import default_window

QUERIES = Path(__file__).parent / "queries"
RUN = """mutation($team: ID!, $from: DateTime!, $to: DateTime!, $f: ReportFormat!) {
  runReport(slug: "weekly-team", teamId: $team, from: $from, to: $to, format: $f,
            timezone: "Europe/Paris") { url } }"""
DASH = """query($team: ID!, $from: DateTime!, $to: DateTime!) {
  dashboard(teamId: $team, from: $from, to: $to) { kpis { name value } }
  teamPerformance(teamId: $team, from: $from, to: $to) { agents { name } } }"""
EXPORT = """mutation($filter: TicketFilter) {
  exportTickets(format: CSV, filter: $filter) { url rows } }"""


def _post(base: str, tok: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    resp = httpx.post(
        base + "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {tok}"},
        timeout=300,
    )
    body: dict[str, Any] = resp.json()
    assert "errors" not in body, body
    return body


async def _busiest_team(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        team = await conn.fetchval((QUERIES / "reports_busiest_team.sql").read_text())
    finally:
        await conn.close()
    return str(team)


def weekly(gw: GatewayProcess, tok: str, team: str, runs: int) -> None:
    start, end = default_window("weekly_team", "Europe/Paris", BENCH_END)
    args = {"team": team, "from": start.isoformat(), "to": end.isoformat()}
    dash = []
    for _ in range(runs):
        t0 = time.perf_counter()
        _post(gw.url, tok, DASH, args)
        dash.append(time.perf_counter() - t0)
    print(f"weekly team report, team {team}, {start:%Y-%m-%d} to {end:%Y-%m-%d} (Europe/Paris)")
    print(
        f"  {'dashboard + teamPerformance (same SQL)':<40} median {statistics.median(dash):6.2f} s"
    )
    for fmt in ("PDF", "XLSX", "CSV"):
        times, size = [], 0
        for _ in range(runs):
            url = _post(gw.url, tok, RUN, {**args, "f": fmt})["data"]["runReport"]["url"]
            t0 = time.perf_counter()
            resp = httpx.get(gw.url + url, headers={"Authorization": f"Bearer {tok}"}, timeout=300)
            times.append(time.perf_counter() - t0)
            assert resp.status_code == 200, resp.text
            size = len(resp.content)
        print(
            f"  {fmt + ' (download, end to end)':<40} median {statistics.median(times):6.2f} s"
            f"   max {max(times):6.2f} s   {size / 1024:8.1f} KiB"
        )


async def split(dsn: str, settings: Any, manager: Any, team: str, runs: int) -> None:
    """The weekly report's two costs apart, in this process: building it (its SQL, under the
    manager's rights) and rendering the built document (pure Python)."""
    from gateway.db import Database
    from gateway.reports.commands import principal_of
    from gateway.reports.render import render
    from gateway.reports.routes import request_context
    from resolvers.report_builder import ReportRequest, build_report

    start, end = default_window("weekly_team", "Europe/Paris", BENCH_END)
    req = ReportRequest(
        "weekly_team", "Weekly Team Performance", start, end, "Europe/Paris", UUID(team)
    )
    principal = await principal_of(dsn, manager, "manager")
    db = Database(dsn, min_size=1, max_size=2)
    await db.open()
    builds, doc = [], None
    try:
        for _ in range(runs):
            session = db.session(principal, statement_timeout_ms=120_000)
            t0 = time.perf_counter()
            try:
                doc = await build_report(
                    request_context(settings, principal, session),
                    req,
                    organisation="Bench",
                    requested_by="manager",
                )
            finally:
                await session.close()
            builds.append(time.perf_counter() - t0)
    finally:
        await db.close()
    assert doc is not None
    print(f"  {'build (all its SQL, in process)':<40} median {statistics.median(builds):6.2f} s")
    for fmt in ("pdf", "xlsx", "csv"):
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            render(doc, fmt)
            times.append(time.perf_counter() - t0)
        print(f"  {'render ' + fmt + ' (in process)':<40} median {statistics.median(times):6.3f} s")


class RssSampler(threading.Thread):
    """Samples a process's resident MiB every 0.1 s, with the client's row count."""

    def __init__(self, pid: int, rows: list[int]) -> None:
        super().__init__(daemon=True)
        self.pid, self.rows = pid, rows
        self.samples: list[tuple[int, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((self.rows[0], process_stats(self.pid)[1]))
            time.sleep(0.1)


def export(gw: GatewayProcess, tok: str, filt: dict[str, Any] | None) -> dict[str, float]:
    link = _post(gw.url, tok, EXPORT, {"filter": filt})["data"]["exportTickets"]
    rows = [0]
    before = process_stats(gw.pid)[1]
    sampler = RssSampler(gw.pid, rows)
    sampler.start()
    t0, size = time.perf_counter(), 0
    with httpx.stream(
        "GET", gw.url + link["url"], headers={"Authorization": f"Bearer {tok}"}, timeout=900
    ) as resp:
        assert resp.status_code == 200
        for chunk in resp.iter_bytes():
            size += len(chunk)
            rows[0] += chunk.count(b"\n")
    elapsed = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    time.sleep(0.5)
    after = process_stats(gw.pid)[1]
    total = rows[0] - 1  # header line

    def at(frac: float) -> float:
        return next((mib for n, mib in sampler.samples if n >= frac * total), after)

    return {
        "rows": total,
        "expected": link["rows"],
        "seconds": elapsed,
        "mb": size / 1e6,
        "before": before,
        "p10": at(0.1),
        "p50": at(0.5),
        "p90": at(0.9),
        "peak": max(m for _, m in sampler.samples),
        "after": after,
    }


def exports(gw: GatewayProcess, tok: str) -> None:
    small_to = BENCH_END - timedelta(days=162)
    small = export(gw, tok, {"createdTo": small_to.isoformat()})
    full = export(gw, tok, None)
    for name, r in (("CSV export, small", small), ("CSV export, every ticket", full)):
        print(
            f"{name}: {r['rows']:,.0f} rows (expected {r['expected']:,.0f}) in "
            f"{r['seconds']:.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s, "
            f"{r['mb'] / r['seconds']:.1f} MB/s ({r['mb']:.0f} MB)"
        )
        print(
            f"  gateway RSS MiB: before {r['before']:.0f}, at 10% {r['p10']:.0f}, 50% "
            f"{r['p50']:.0f}, 90% {r['p90']:.0f}, peak {r['peak']:.0f}, after {r['after']:.0f}"
        )


async def main(runs: int, only: str | None) -> None:
    settings = load_settings()
    dsn = await prepare_database(settings, 1_000_000, 180)
    team = await _busiest_team(dsn)
    manager_id = await first_user(dsn, sql.load("first_user_of_role"), "manager")
    manager = mint(settings, manager_id, "manager")
    executive = mint(
        settings, await first_user(dsn, sql.load("first_user_of_role"), "executive"), "executive"
    )
    # only the work measured: no alerting rules, retention runs or scheduled deliveries
    os.environ.update(ALERTING="off", RETENTION_INTERVAL_SECONDS="0", REPORTS_SCHEDULER="off")
    gw = GatewayProcess(dsn, settings)
    try:
        try:
            gw.start()
        except RuntimeError:  # a loaded machine may need more than the harness's 30 s
            _wait_ready(gw.url, 120)
        if only in (None, "weekly"):
            weekly(gw, manager, team, runs)
            await split(dsn, settings, manager_id, team, runs)
        if only in (None, "export"):
            exports(gw, executive)
    finally:
        gw.close()


def _wait_ready(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gateway did not start")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["weekly", "export"])
    options = parser.parse_args()
    asyncio.run(main(options.runs, options.only))
