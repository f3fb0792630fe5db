"""Cron schedules in a schedule's own time zone, DST-correct (pure).

A five-field cron expression (croniter's syntax: ``0 8 * * 1`` is Mondays at 08:00) is matched
against **local wall-clock time** of the schedule's IANA zone: croniter iterates naive local
times and each is then placed in the zone. So ``0 8 * * 1`` in Europe/Paris is 07:00 UTC in
winter and 06:00 UTC in summer. At the spring-forward gap a wall time that does not exist
(02:30 on the last Sunday of March in Paris) runs once, at the same distance after the gap's
start (03:30 local); at the fall-back overlap a repeated wall time runs once, at its first
occurrence (``fold=0``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from resolvers.errors import UserInputError
from resolvers.windows import resolve_timezone

#: A schedule may not fire more often than this (a report every minute is a mistake).
MIN_INTERVAL = timedelta(minutes=5)


def check_cron(expression: str, timezone: str) -> ZoneInfo:
    """The zone, after checking that ``expression`` is a valid five-field cron expression that
    fires at most every :data:`MIN_INTERVAL`; UserInputError otherwise."""
    zone = resolve_timezone(timezone)
    fields = expression.split()
    if len(fields) != 5:
        raise UserInputError(
            "cron needs five fields (minute hour day-of-month month day-of-week), "
            f"e.g. '0 8 * * 1'; got {expression!r}",
            field="cron",
        )
    try:
        it = croniter(expression, datetime(2026, 1, 5))
        first, second = it.get_next(datetime), it.get_next(datetime)
    except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as exc:
        raise UserInputError(
            f"invalid cron expression {expression!r}: {exc}", field="cron"
        ) from exc
    if second - first < MIN_INTERVAL:
        raise UserInputError("a report schedule may fire at most every 5 minutes", field="cron")
    return zone


def _place(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant of naive local wall time ``local`` in ``zone``: ``fold=0`` (PEP 495) reads a
    time in a gap with the offset before it (02:30 → 03:30 after the change) and a repeated time
    as its first occurrence."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def occurrences(expression: str, timezone: str, after: datetime) -> Iterator[datetime]:
    """The UTC instants of ``expression`` in ``timezone`` strictly after ``after`` (aware), in
    order, each once."""
    zone = resolve_timezone(timezone)
    start_local = after.astimezone(zone).replace(tzinfo=None) - timedelta(hours=3)
    it = croniter(expression, start_local)
    last: datetime | None = None
    while True:
        local = it.get_next(datetime)
        instant = _place(local, zone)
        if instant <= after or (last is not None and instant <= last):
            continue
        last = instant
        yield instant


def due_runs(
    expression: str, timezone: str, planned_until: datetime, now: datetime, grace: timedelta
) -> tuple[datetime | None, datetime]:
    """The run to plan now and the new ``planned_until``.

    Runs fall in ``(planned_until, now]``; only the latest of them is sent, and only if it is
    within ``grace`` of ``now`` (a scheduler that was down sends the missed run once on start,
    not one per missed occurrence, and not a stale one).
    """
    latest: datetime | None = None
    for instant in occurrences(expression, timezone, planned_until):
        if instant > now:
            break
        latest = instant
    if latest is not None and now - latest > grace:
        latest = None
    return latest, now


def next_run(expression: str, timezone: str, after: datetime) -> datetime:
    """The first run strictly after ``after``."""
    return next(occurrences(expression, timezone, after))
