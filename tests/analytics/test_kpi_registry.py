"""The KPI registry: definitions and targets of docs/metrics.md, status rule boundaries, target
overrides, unknown names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analytics.kpi_registry import (
    DEFINITIONS,
    KpiSpec,
    UnknownKpiError,
    lookup,
    names,
    registry,
    status,
)

SEED_TARGETS = {
    "csat": ("higher", 4.5),
    "nps": ("higher", 30.0),
    "ces": ("higher", 5.0),  # the seed's "effort ≤ 3" on our 1-7 ease scale (7 = very easy)
    "survey_response_rate": ("higher", 50.0),
    "first_response_time": ("lower", 60.0),
    "resolution_time": ("lower", 24.0),
    "sla_compliance": ("higher", 95.0),
    "fcr": ("higher", 80.0),
    "utilization": ("target", 85.0),
    "schedule_adherence": ("higher", 90.0),
    "quality_score": ("higher", 4.5),
    "occupancy": ("lower", 85.0),
    "vip_retention": ("higher", 95.0),
}

REQUIRED = {
    "first_response_time", "resolution_time", "sla_compliance", "fcr", "one_touch",
    "reopen_rate", "csat", "csat_percent", "nps", "ces", "survey_response_rate", "backlog",
    "ticket_volume", "utilization", "occupancy", "schedule_adherence", "quality_score", "aht",
    "tickets_per_hour", "service_level", "abandonment_rate", "vip_retention", "white_glove_usage",
}  # fmt: skip


def _defn(direction: str, target: float | None = 10.0, margin: float = 2.0) -> KpiSpec:
    return KpiSpec("x", "a test kpi", "units", direction, target, margin)  # type: ignore[arg-type]


def test_every_required_kpi_is_registered_once_with_a_one_line_description() -> None:
    assert REQUIRED - set(names()) == set()
    assert len(names()) == len(set(names())) == len(DEFINITIONS)
    for d in DEFINITIONS:
        assert d.description and "\n" not in d.description, d.name
        assert d.unit and d.direction in ("higher", "lower", "target")
        assert re.fullmatch(r"[a-z0-9_]+", d.name)


def test_seed_targets_and_directions() -> None:
    reg = registry()
    for name, (direction, target) in SEED_TARGETS.items():
        assert (reg[name].direction, reg[name].target) == (direction, target), name
    # every rate is in percent, so "≥ 95%" reads as 95.0
    assert {reg[n].unit for n in ("sla_compliance", "fcr", "survey_response_rate")} == {"percent"}


def test_ces_direction_is_documented_as_ease() -> None:
    ces = lookup("ces")
    assert ces.direction == "higher"
    assert "7 = very easy" in ces.description
    # the survey table's own comment states the direction the registry relies on
    core = Path(__file__).parents[2] / "supabase" / "migrations" / "20261125000100_core_tables.sql"
    assert "ces 1-7 where 7 = very easy" in core.read_text()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.0, "on_target"), (10.0, "on_target"), (9.0, "at_risk"), (8.0, "at_risk"),
     (7.999, "off_target"), (-5.0, "off_target")],
)  # fmt: skip
def test_higher_is_better_boundaries(value: float, expected: str) -> None:
    assert status(_defn("higher"), value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0, "on_target"), (10.0, "on_target"), (11.0, "at_risk"), (12.0, "at_risk"),
     (12.001, "off_target")],
)  # fmt: skip
def test_lower_is_better_boundaries(value: float, expected: str) -> None:
    assert status(_defn("lower"), value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(10.0, "on_target"), (8.0, "on_target"), (12.0, "on_target"), (7.5, "at_risk"),
     (6.0, "at_risk"), (14.0, "at_risk"), (5.999, "off_target"), (14.001, "off_target")],
)  # fmt: skip
def test_closest_to_target_boundaries(value: float, expected: str) -> None:
    assert status(_defn("target"), value) == expected


def test_status_boundaries_on_real_targets() -> None:
    csat, frt = lookup("csat"), lookup("first_response_time")
    assert status(csat, 4.5) == "on_target"
    assert status(csat, 4.5 - 0.2) == "at_risk"
    assert status(csat, 4.29) == "off_target"
    assert status(frt, 60.0) == "on_target"
    assert status(frt, 75.0) == "at_risk"
    assert status(frt, 75.01) == "off_target"


def test_no_status_without_target_or_value() -> None:
    assert status(_defn("higher", None), 3.0) is None
    assert status(lookup("csat"), None) is None
    assert status(lookup("aht"), 300.0) is None  # no target in the seed
    assert status(lookup("csat"), float("nan")) is None


def test_zero_margin_has_no_at_risk_band() -> None:
    d = _defn("higher", 10.0, 0.0)
    assert [status(d, v) for v in (10.0, 9.999)] == ["on_target", "off_target"]


def test_overrides_replace_targets_without_touching_the_defaults() -> None:
    custom = registry({"csat": 4.0, "aht": 300})
    assert custom["csat"].target == 4.0
    assert custom["aht"].target == 300.0
    assert status(custom["csat"], 4.1) == "on_target"
    assert status(custom["aht"], 320.0) == "off_target"  # aht has no margin by default
    assert registry()["csat"].target == 4.5
    assert lookup("csat").target == 4.5
    assert list(custom) == names()
    assert registry() is registry(None) is registry({})


def test_override_of_unknown_kpi_or_bad_target_is_rejected() -> None:
    with pytest.raises(UnknownKpiError, match="unknown KPI 'csta'; valid KPIs: ticket_volume, "):
        registry({"csta": 4.0})
    with pytest.raises(ValueError, match="finite"):
        registry({"csat": float("inf")})


def test_unknown_name_lists_every_valid_name() -> None:
    with pytest.raises(ValueError) as err:
        lookup("first_reply_time")
    message = str(err.value)
    assert message.startswith("unknown KPI 'first_reply_time'; valid KPIs: ")
    assert message.endswith(", ".join(names()))
    assert isinstance(err.value, UnknownKpiError)
    assert err.value.valid == tuple(names())


def test_lookup_in_a_custom_registry() -> None:
    custom = registry({"nps": 40.0})
    assert lookup("nps", custom).target == 40.0


def test_definitions_validate_their_fields() -> None:
    with pytest.raises(ValueError, match="direction"):
        _defn("sideways")
    with pytest.raises(ValueError, match="at_risk_margin"):
        _defn("higher", 1.0, -1.0)
    with pytest.raises(ValueError, match="finite"):
        _defn("higher", float("nan"))
