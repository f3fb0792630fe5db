"""The ALERTING setting: rules and thresholds configured without code, checked at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.alerting.config import AlertingConfig, AlertingConfigError, parse_alerting
from gateway.settings import load_settings

CLI = Path(sys.executable).with_name("support-gateway")


def test_empty_is_the_default_and_off_disables_the_engine() -> None:
    assert parse_alerting("") == AlertingConfig()
    assert parse_alerting(" OFF ") is None


def test_overrides_reach_the_engine_and_nothing_else_changes() -> None:
    config = parse_alerting(
        "interval_seconds=30, volume.z_threshold=4.5, performance.window_days=14,"
        "sla.enabled=false, sla.critical_vip_tiers=Diamond|platinum"
    )
    default = AlertingConfig()
    assert config == replace(
        default,
        interval_seconds=30.0,
        volume=replace(default.volume, z_threshold=4.5),
        performance=replace(default.performance, window_days=14),
        sla=replace(
            default.sla, enabled=False, critical_vip_tiers=frozenset({"diamond", "platinum"})
        ),
    )
    assert isinstance(config.performance.window_days, int)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("volume.z_treshold=4", "no 'volume.z_treshold' (did you mean 'volume.z_threshold'?)"),
        ("clock=now", "no 'clock'"),
        ("sla.enabled=maybe", "sla.enabled must be true or false"),
        ("performance.window_days=7.5", "performance.window_days must be a whole number"),
        ("volume.min_ratio=-1", "volume.min_ratio must be a finite number >= 0"),
        ("volume.min_ratio=nan", "volume.min_ratio must be a finite number >= 0"),
        ("interval_seconds=0", "interval_seconds must be >= 5"),
        ("volume.period_hours=0", "volume.period_hours must be >= 1"),
        ("performance.window_days=0", "performance.window_days must be >= 1"),
        ("satisfaction.alpha=7", "satisfaction.alpha must be > 0 and < 1"),
        ("satisfaction.alpha=0", "satisfaction.alpha must be > 0 and < 1"),
        ("sla.critical_priorities=urgnet", "sla.critical_priorities: unknown urgnet"),
        ("volume.min_ratio=0.5", "volume.min_ratio must be >= 1"),
        ("sla.enabled=true,sla.enabled=false", "sets 'sla.enabled' twice"),
        ("interval_seconds", "must be name=value"),
    ],
)
def test_bad_items_are_named_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(AlertingConfigError, match="ALERTING") as info:
        parse_alerting(text)
    assert message in str(info.value)


def test_settings_read_the_variable() -> None:
    assert load_settings({"ALERTING": " volume.z_threshold=5 "}).alerting == "volume.z_threshold=5"
    assert load_settings({}).alerting == ""


def test_the_server_refuses_to_start_with_a_bad_setting_before_any_work() -> None:
    env = {**os.environ, "ALERTING": "volume.bogus=1", "DATABASE_URL": "postgresql://127.0.0.1:9/x"}
    done = subprocess.run(
        [str(CLI), "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "error: ALERTING has no 'volume.bogus'" in done.stderr
