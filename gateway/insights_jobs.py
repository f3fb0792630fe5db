"""The insights ``predict`` job: run once (``support-gateway predict``) or on a schedule inside
``serve`` (``INSIGHTS_PREDICT_HOURS``).

Every gateway process keeps the schedule (``serve``, each ``serve --workers N`` worker, other
hosts), and the job runs once per slot of the schedule
(:func:`resolvers.insights_predict.predict_once_per_slot`): the first process to check a slot
takes a transaction-scoped advisory lock, finds the slot not yet done in
``support_insight_runs``, runs it and records it in the same transaction; the others skip while
it runs (lock taken) or after (slot done). A failed run records nothing, so the next check of
any process tries the slot again. A run on demand waits for the same lock, so it never trains
beside a scheduled run.

The trainer reads in a read-only transaction as an analyst (:data:`TRAINER`: every row under
row level security, no personal data) and writes models and predictions in one read-write
transaction of the owner connection, committed at the end (a failed run writes nothing).
See :mod:`resolvers.insights_models` for who trains on what, and
:mod:`resolvers.insights_predict` for what is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from gateway.auth import Principal
from gateway.db import Database
from gateway.transactions import TransactionSession
from resolvers.insights_models import TRAINER_APP_ROLE
from resolvers.insights_predict import (
    PredictSummary,
    ScheduledRun,
    predict_exclusively,
    predict_once_per_slot,
)

log = logging.getLogger(__name__)

#: The principal the trainer reads with (a service identity, not a person).
TRAINER_USER = uuid.UUID("00000000-0000-4000-8000-00000000a11e")
TRAINER = Principal(
    user_id=TRAINER_USER,
    role="authenticated",
    app_role=TRAINER_APP_ROLE,
    claims={"role": "authenticated", "sub": str(TRAINER_USER), "app_role": TRAINER_APP_ROLE},
    token=None,
)
TRAINED_AS = f"authenticated/{TRAINER_APP_ROLE} (row level security: every row, no personal data)"
FIRST_RUN_DELAY_SECONDS = 60.0
_SKIPPED = {"busy": "another process is running it", "done": "already run"}


async def run_predict(db: Database, as_of: datetime, timezone: str) -> PredictSummary:
    """One ``predict`` run for ``as_of``'s day on demand (see the module docstring): it waits
    while a scheduled run (or another run on demand) holds the job's lock."""
    reader = db.session(TRAINER, statement_timeout_ms=600_000)
    try:
        async with db.pool.acquire() as conn, conn.transaction():
            writer = TransactionSession(conn)
            return await predict_exclusively(
                reader, writer, as_of, timezone=timezone, trained_as=TRAINED_AS
            )
    finally:
        await reader.close()


async def run_scheduled_predict(
    db: Database, at: datetime, hours: float, timezone: str
) -> ScheduledRun:
    """One check of the schedule (module docstring): run the slot of ``at`` unless another
    process runs or ran it."""
    reader = db.session(TRAINER, statement_timeout_ms=600_000)
    try:
        async with db.pool.acquire() as conn, conn.transaction():
            writer = TransactionSession(conn)
            return await predict_once_per_slot(
                reader, writer, at, hours=hours, timezone=timezone, trained_as=TRAINED_AS
            )
    finally:
        await reader.close()


class PredictSchedule:
    """Checks the schedule every ``hours`` (first after ``first_delay`` seconds) with
    :func:`run_scheduled_predict`."""

    def __init__(
        self,
        db: Database,
        hours: float,
        timezone: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        first_delay: float = FIRST_RUN_DELAY_SECONDS,
    ) -> None:
        self._db = db
        self._interval = hours * 3600.0
        self._timezone = timezone
        self._clock = clock
        self._first_delay = first_delay
        self._task: asyncio.Task[None] | None = None
        self._hours = hours
        self.runs = 0
        self.skipped = 0
        self.failures = 0
        self.last: PredictSummary | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="insights-predict")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        await asyncio.sleep(self._first_delay)
        while True:
            try:
                run = await run_scheduled_predict(
                    self._db, self._clock(), self._hours, self._timezone
                )
                if run.summary is not None:
                    self.last = run.summary
                    self.runs += 1
                    log.info("insights predict, slot %s: %s", run.slot, run.summary.written)
                else:
                    self.skipped += 1
                    log.info("insights predict, slot %s: %s", run.slot, _SKIPPED[run.outcome])
            except Exception:
                self.failures += 1
                log.exception("insights predict failed")
            await asyncio.sleep(self._interval)
