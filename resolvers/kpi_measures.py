"""From the sufficient statistics the ``analytics.*_stats`` SQL functions return to KPI estimates.

Each KPI name maps to a *source* (the SQL function that feeds it) and a *measure*: a pure function
from one statistics row (a mapping of the function's columns) to an :class:`Estimate` in the KPI's
unit. The estimators are :mod:`analytics.statistics`'s aggregate forms:

* means from (n, Σx, Σx²) with a Student-t interval (``mean_from_moments``);
* proportions from counts with a Wilson interval, reported in percent (``proportion_from_counts``);
* CSAT from the 1-5 histogram (``csat_from_counts``), NPS from promoter/passive/detractor counts
  with the trinomial interval (``nps_from_counts``);
* medians and p90 are the database's ``percentile_cont`` (linear interpolation), without an
  interval: an order-statistic interval would need the sorted values or a second scan, and we
  keep one statement per dashboard (the mean KPIs beside them carry intervals);
* workforce ratios (utilization, occupancy, adherence, AHT, tickets per hour) are ratios of time
  totals over agent days, without an interval; queue depth, speed of answer and longest wait are
  averages/maxima of reported intervals, without an interval.

A ratio with a zero denominator has the value ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from analytics.statistics import (
    csat_from_counts,
    mean_from_moments,
    nps_from_counts,
    proportion_from_counts,
)

Stats = Mapping[str, Any]

MINUTE, HOUR = 60.0, 3600.0
TICKET_GROUPS = ("channel", "category", "priority", "status", "vip_tier", "team", "agent")


@dataclass(frozen=True, slots=True)
class Estimate:
    """A KPI's point estimate with its count and (where it is a sample estimate) 95% CI."""

    value: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None
    std: float | None = None


Estimator = Callable[[Stats], Estimate]


@dataclass(frozen=True, slots=True)
class Measure:
    """How a KPI is computed: the statistics ``source`` that feeds it and the ``estimate`` that
    turns one statistics row (or any mapping with the same columns) into the KPI's figure."""

    source: str
    estimate: Estimator


@dataclass(frozen=True, slots=True)
class Source:
    """A SQL statistics function as seen by the resolvers.

    ``query``: the named query returning (period, stats jsonb) rows; ``groups``: the groupings it
    accepts; ``key``: the column holding the group key; ``grouped_rows``: the function always
    returns one row per key plus an overall row keyed 'all' (queues, vip) instead of taking a
    grouping argument; ``scoped``: it accepts the team / agent scope.
    """

    name: str
    query: str
    groups: tuple[str, ...]
    key: str = "group_key"
    grouped_rows: bool = False
    scoped: bool = True


SOURCES: Mapping[str, Source] = {
    "tickets": Source("tickets", "kpi_tickets", TICKET_GROUPS),
    "backlog": Source("backlog", "kpi_backlog", TICKET_GROUPS),
    "sla": Source("sla", "kpi_sla", (*TICKET_GROUPS, "policy")),
    "surveys": Source("surveys", "kpi_surveys", TICKET_GROUPS),
    "workforce": Source("workforce", "kpi_workforce", ("team", "agent")),
    "queues": Source("queues", "kpi_queues", ("queue",), "queue", True, False),
    "vip": Source("vip", "kpi_vip", ("vip_tier",), "vip_tier", True, False),
}


def count(stats: Stats, key: str) -> int:
    """A count column (a missing one is 0)."""
    value = stats.get(key)
    return int(value) if value is not None else 0


def _number(stats: Stats, key: str) -> float:
    value = stats.get(key)
    return float(value) if value is not None else 0.0


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value / scale


def counted(key: str) -> Estimator:
    """A count as the KPI value (an empty window gives 0)."""

    def measure(stats: Stats) -> Estimate:
        n = count(stats, key)
        return Estimate(float(n), n)

    return measure


def mean(n_key: str, sum_key: str, sq_key: str, scale: float = 1.0) -> Estimator:
    """Mean of x / scale from (n, Σx, Σx²) with a t interval."""

    def measure(stats: Stats) -> Estimate:
        est = mean_from_moments(
            count(stats, n_key), _number(stats, sum_key), _number(stats, sq_key)
        )
        return Estimate(
            _scaled(est.value, scale),
            est.n,
            _scaled(est.ci_low, scale),
            _scaled(est.ci_high, scale),
            _scaled(est.std, scale),
        )

    return measure


def quantile(key: str, n_key: str, scale: float = 1.0) -> Estimator:
    """A percentile computed by the database (seconds) / scale; no interval."""

    def measure(stats: Stats) -> Estimate:
        raw = stats.get(key)
        return Estimate(None if raw is None else float(raw) / scale, count(stats, n_key))

    return measure


def percent(successes: int, trials: int) -> Estimate:
    """successes / trials in percent with a Wilson interval: every proportion KPI's figure."""
    est = proportion_from_counts(successes, trials)
    return Estimate(
        _scaled(est.value, 0.01),
        est.n,
        _scaled(est.ci_low, 0.01),
        _scaled(est.ci_high, 0.01),
    )


def proportion(successes: Callable[[Stats], int], trials: Callable[[Stats], int]) -> Estimator:
    """successes / trials in percent with a Wilson interval (:func:`percent`)."""

    def measure(stats: Stats) -> Estimate:
        return percent(successes(stats), trials(stats))

    return measure


def cols(*keys: str) -> Callable[[Stats], int]:
    """Sum of count columns."""
    return lambda stats: sum(count(stats, k) for k in keys)


def ratio(
    numerator: Callable[[Stats], float],
    denominator: Callable[[Stats], float],
    n: Callable[[Stats], int],
    scale: float = 1.0,
) -> Estimator:
    """numerator / denominator × scale without an interval (None when the denominator is 0)."""

    def measure(stats: Stats) -> Estimate:
        den = denominator(stats)
        value = numerator(stats) / den * scale if den else None
        return Estimate(value, n(stats))

    return measure


def total(*keys: str) -> Callable[[Stats], float]:
    """Sum of numeric columns."""
    return lambda stats: sum(_number(stats, k) for k in keys)


def _csat_mean(stats: Stats) -> Estimate:
    est = csat_from_counts({r: count(stats, f"csat_{r}") for r in range(1, 6)}).mean
    return Estimate(est.value, est.n, est.ci_low, est.ci_high, est.std)


def _nps(stats: Stats) -> Estimate:
    est = nps_from_counts(
        count(stats, "nps_promoters"),
        count(stats, "nps_passives"),
        count(stats, "nps_detractors"),
    )
    return Estimate(est.value, est.n, est.ci_low, est.ci_high)


def _longest_wait(stats: Stats) -> Estimate:
    raw = stats.get("longest_wait_seconds")
    return Estimate(None if raw is None else float(raw), count(stats, "intervals"))


_SLA_ALL = ("fr_achieved", "fr_breached", "res_achieved", "res_breached")

#: KPI name → its :class:`Measure`; every name of :data:`analytics.kpi_registry.DEFINITIONS`.
MEASURES: Mapping[str, Measure] = {
    "ticket_volume": Measure("tickets", counted("created")),
    "backlog": Measure("backlog", counted("open")),
    "backlog_unassigned": Measure("backlog", counted("unassigned")),
    "backlog_unanswered": Measure("backlog", counted("unanswered")),
    "first_response_time": Measure("tickets", quantile("frt_median", "frt_n", MINUTE)),
    "first_response_time_mean": Measure("tickets", mean("frt_n", "frt_sum", "frt_sum_sq", MINUTE)),
    "first_response_time_p90": Measure("tickets", quantile("frt_p90", "frt_n", MINUTE)),
    "resolution_time": Measure("tickets", quantile("res_median", "resolved", HOUR)),
    "resolution_time_mean": Measure("tickets", mean("resolved", "res_sum", "res_sum_sq", HOUR)),
    "resolution_time_p90": Measure("tickets", quantile("res_p90", "resolved", HOUR)),
    "first_resolution_time": Measure("tickets", quantile("first_res_median", "first_res_n", HOUR)),
    "fcr": Measure("tickets", proportion(cols("fcr"), cols("resolved"))),
    "one_touch": Measure("tickets", proportion(cols("one_touch"), cols("resolved"))),
    "reopen_rate": Measure("tickets", proportion(cols("reopened"), cols("resolved"))),
    "white_glove_usage": Measure(
        "tickets", proportion(cols("white_glove_created"), cols("vip_created"))
    ),
    "sla_compliance": Measure(
        "sla", proportion(cols("fr_achieved", "res_achieved"), cols(*_SLA_ALL))
    ),
    "sla_first_response_compliance": Measure(
        "sla",
        proportion(cols("fr_achieved"), cols("fr_achieved", "fr_breached")),
    ),
    "sla_resolution_compliance": Measure(
        "sla",
        proportion(cols("res_achieved"), cols("res_achieved", "res_breached")),
    ),
    "csat": Measure("surveys", _csat_mean),
    "csat_percent": Measure(
        "surveys",
        proportion(cols("csat_4", "csat_5"), cols(*(f"csat_{r}" for r in range(1, 6)))),
    ),
    "nps": Measure("surveys", _nps),
    "ces": Measure("surveys", mean("ces_n", "ces_sum", "ces_sum_sq")),
    "survey_response_rate": Measure("surveys", proportion(cols("responded"), cols("sent"))),
    "utilization": Measure(
        "workforce",
        ratio(
            total("handle_seconds", "available_seconds"),
            total("scheduled_seconds"),
            cols("days"),
            100.0,
        ),
    ),
    "occupancy": Measure(
        "workforce",
        ratio(
            total("handle_seconds"),
            total("handle_seconds", "available_seconds"),
            cols("days"),
            100.0,
        ),
    ),
    "schedule_adherence": Measure(
        "workforce",
        ratio(total("in_adherence_seconds"), total("scheduled_seconds"), cols("days"), 100.0),
    ),
    "quality_score": Measure("workforce", mean("qa_n", "qa_sum", "qa_sum_sq")),
    "aht": Measure(
        "workforce",
        ratio(
            total("talk_seconds", "hold_seconds", "after_contact_seconds"),
            total("contacts_handled"),
            cols("contacts_handled"),
        ),
    ),
    "tickets_per_hour": Measure(
        "workforce",
        ratio(total("tickets_solved"), total("logged_in_seconds"), cols("days"), HOUR),
    ),
    "service_level": Measure(
        "queues",
        proportion(
            cols("answered_within_threshold"), cols("answered", "abandoned_after_threshold")
        ),
    ),
    "abandonment_rate": Measure("queues", proportion(cols("abandoned"), cols("offered"))),
    "average_speed_of_answer": Measure(
        "queues",
        ratio(total("wait_sum"), total("answered"), cols("answered")),
    ),
    "longest_wait": Measure("queues", _longest_wait),
    "queue_depth": Measure("queues", ratio(total("depth_sum"), total("buckets"), cols("buckets"))),
    "vip_retention": Measure("vip", proportion(cols("retained"), cols("active_start"))),
}

#: KPIs computed per agent by ``analytics.agent_stats`` (tickets, surveys and workforce columns).
AGENT_KPIS: tuple[str, ...] = (
    "ticket_volume",
    "first_response_time",
    "first_response_time_mean",
    "resolution_time",
    "resolution_time_mean",
    "fcr",
    "one_touch",
    "reopen_rate",
    "csat",
    "csat_percent",
    "nps",
    "ces",
    "survey_response_rate",
    "quality_score",
    "utilization",
    "occupancy",
    "schedule_adherence",
    "aht",
    "tickets_per_hour",
)

#: KPIs computed per queue by ``analytics.queue_stats``.
QUEUE_KPIS: tuple[str, ...] = tuple(n for n, m in MEASURES.items() if m.source == "queues")
