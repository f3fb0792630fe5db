"""Injected incidents: where they sit in the period, and their ground-truth rows.

Three incidents are placed deterministically relative to the period's length (local Paris days
from its start), each only when the period is long enough to show it against normal days:

``sla_breach_wave`` (≥ 7 days)
    two whole local days at 20% of the period (moved to a Monday–Friday start) where first
    responses of every team take ``magnitude`` times longer.
``volume_spike`` (≥ 14 days)
    10:00–15:00 local on a Tuesday–Thursday at 45% of the period: a delivery carrier outage makes
    total arrivals ``magnitude`` times the normal rate, all extra tickets in late_delivery.
``satisfaction_drop`` (≥ 26 days)
    seven local days from 65% of the period where CSAT of the beauty team's surveys answered in the
    window falls by about ``|magnitude|`` points.
``hold_delay`` (≥ 28 days)
    seven local days from 72% of the period where a carrier investigation keeps the tickets of
    the on-hold categories (late delivery, damaged item, refund status) created in the window on
    hold for most of each wait for the customer: the share of the wait spent on hold goes from
    about 0.3 to ``magnitude`` (synthetic/status_history.py), so rootCause's on-hold stage grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from synthetic import text
from synthetic.calendar import DAY, ORG_TZ, DataSpan
from synthetic.people import BEAUTY, Staff
from synthetic.pgbinary import CopyColumn, Frame, jsonb_payload, payload_col, text_col
from synthetic.rand import as_uuid
from synthetic.reference import LEAF_ID0, LEAF_SLUGS, ROOTS

SPIKE_LEAF = LEAF_SLUGS.index("late_delivery")
#: Categories whose tickets go on hold (waiting for a carrier or the warehouse).
HOLD_LEAF_SLUGS = ("late_delivery", "damaged_item", "refund_status")
SPIKE_MAGNITUDE = 3.0
WAVE_MAGNITUDE = 6.0
DROP_MAGNITUDE = -0.8
HOLD_MAGNITUDE = 0.9
DROP_TEAM = BEAUTY


@dataclass(frozen=True)
class IncidentWindow:
    """``[start, end)`` in Unix seconds."""

    start: int
    end: int

    def contains(self, ts: np.ndarray) -> np.ndarray:
        return (ts >= self.start) & (ts < self.end)


@dataclass(frozen=True)
class Incidents:
    spike: IncidentWindow | None
    wave: IncidentWindow | None
    drop: IncidentWindow | None
    hold: IncidentWindow | None = None


def _local(day: datetime, hour: int) -> int:
    zone = ZoneInfo(ORG_TZ)
    return int(datetime.combine(day.date(), time(hour), zone).timestamp())


def plan_incidents(period: DataSpan) -> Incidents:
    """Windows of the incidents that fit in ``period`` (None for those that do not)."""
    zone = ZoneInfo(ORG_TZ)
    first = datetime.fromtimestamp(period.start, zone) + timedelta(days=1)
    days = period.days

    def day_at(fraction: float, weekdays: set[int]) -> datetime:
        d = first + timedelta(days=int(fraction * days))
        while d.isoweekday() not in weekdays:
            d += timedelta(days=1)
        return d

    wave = spike = drop = hold = None
    if days >= 7:
        d = day_at(0.2, {1, 2, 3, 4})
        wave = IncidentWindow(_local(d, 0), _local(d + timedelta(days=2), 0))
    if days >= 14:
        d = day_at(0.45, {2, 3, 4})
        spike = IncidentWindow(_local(d, 10), _local(d, 15))
    if days >= 26:
        d = first + timedelta(days=int(0.65 * days))
        drop = IncidentWindow(_local(d, 0), _local(d + timedelta(days=7), 0))
    if days >= 28:
        d = first + timedelta(days=int(0.72 * days))
        hold = IncidentWindow(_local(d, 0), _local(d + timedelta(days=7), 0))
    return Incidents(
        spike=_fits(spike, period),
        wave=_fits(wave, period),
        drop=_fits(drop, period),
        hold=_fits(hold, period),
    )


def _fits(window: IncidentWindow | None, period: DataSpan) -> IncidentWindow | None:
    """The window if it ends a day before the period does (its effect must be observable)."""
    if window is None or window.end > period.end - DAY:
        return None
    return window


def incidents_frame(incidents: Incidents, staff: Staff) -> Frame:
    rows: list[tuple[str, IncidentWindow, dict[str, object], float, str]] = []
    if incidents.wave:
        rows.append(
            (
                "sla_breach_wave",
                incidents.wave,
                {"level": "organisation"},
                WAVE_MAGNITUDE,
                "Helpdesk outage: first responses of every team took about six times longer.",
            ),
        )
    if incidents.spike:
        path = f"{ROOTS[0][0]}/{LEAF_SLUGS[SPIKE_LEAF]}"
        scope = {"level": "category", "category_id": LEAF_ID0 + SPIKE_LEAF, "category_path": path}
        rows.append(
            (
                "volume_spike",
                incidents.spike,
                scope,
                SPIKE_MAGNITUDE,
                "Delivery carrier outage: arrivals tripled for five hours, all in late_delivery.",
            ),
        )
    if incidents.drop:
        team: dict[str, object] = {
            "level": "team",
            "team_id": str(as_uuid(staff.team_ids[DROP_TEAM])),
            "team_name": text.TEAM_NAMES["beauty"],
        }
        rows.append(
            (
                "satisfaction_drop",
                incidents.drop,
                team,
                DROP_MAGNITUDE,
                "Serum reformulation complaints: the beauty team's CSAT fell ~0.8 for a week.",
            ),
        )
    if incidents.hold:
        leaves = [LEAF_ID0 + LEAF_SLUGS.index(s) for s in HOLD_LEAF_SLUGS]
        rows.append(
            (
                "hold_delay",
                incidents.hold,
                {"level": "category", "category_ids": leaves, "stage": "on_hold"},
                HOLD_MAGNITUDE,
                "Carrier investigations: tickets of the on-hold categories created this week "
                "spent ~90% of each wait for the customer on hold.",
            ),
        )
    n = len(rows)
    return Frame(
        "support_incidents",
        (
            CopyColumn("id", "int8", np.arange(1, n + 1, dtype=np.int64)),
            text_col("kind", [r[0] for r in rows]),
            CopyColumn(
                "starts_at", "timestamptz", np.array([r[1].start for r in rows], np.int64) * 10**6
            ),
            CopyColumn(
                "ends_at", "timestamptz", np.array([r[1].end for r in rows], np.int64) * 10**6
            ),
            payload_col("scope", [jsonb_payload(r[2]) for r in rows]),
            CopyColumn(
                "magnitude",
                "numeric",
                np.array([round(r[3] * 100) for r in rows], np.int64),
                scale=2,
            ),
            text_col("description", [r[4] for r in rows]),
        ),
    )
