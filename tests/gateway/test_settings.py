"""Settings come from one mapping; bad values fail loudly at start-up, not per request."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.settings import DEV_JWT_SECRET, load_settings


def test_defaults() -> None:
    s = load_settings({})
    assert s.database_url is None
    assert s.data_dir == Path(".data")
    assert s.jwt_secret == DEV_JWT_SECRET
    assert s.jwt_audience == "authenticated"
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    assert s.kpi_targets == {}


def test_overrides() -> None:
    s = load_settings(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "SUPABASE_JWT_SECRET": "x" * 40,
            "GATEWAY_PORT": "9000",
            "KPI_TARGETS": "csat=4.6, nps=35",
            "ORG_TIMEZONE": "America/New_York",
        }
    )
    assert s.database_url == "postgresql://u@h/db"
    assert s.port == 9000
    assert s.kpi_targets == {"csat": 4.6, "nps": 35.0}
    assert s.org_timezone == "America/New_York"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT must be an integer"),
        ({"KPI_TARGETS": "csat"}, "name=number"),
        ({"KPI_TARGETS": "csat=high"}, "name=number"),
    ],
)
def test_bad_values_are_rejected(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(env)


def test_settings_handed_down_to_child_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve --workers N`` hands its workers the database it started (gateway.settings is the
    only module that touches the environment, so the hand-over lives there)."""
    import json

    from gateway.settings import HANDED_DOWN, hand_down

    monkeypatch.setenv(HANDED_DOWN, "")  # restored (unset) after the test
    hand_down(database_url="postgresql://x@127.0.0.1:1/db", data_dir="/tmp/somewhere")
    import os

    handed = os.environ[HANDED_DOWN]
    assert json.loads(handed) == {
        "database_url": "postgresql://x@127.0.0.1:1/db",
        "data_dir": "/tmp/somewhere",
    }
    # the child's own DATABASE_URL loses to what its parent handed down
    child = load_settings({"DATABASE_URL": "postgresql://other/db", HANDED_DOWN: handed})
    assert child.database_url == "postgresql://x@127.0.0.1:1/db"
    assert child.data_dir == Path("/tmp/somewhere")
    assert load_settings({}).database_url is None
    with pytest.raises(ValueError, match="cannot hand down jwt_secret"):
        hand_down(jwt_secret="s")
    with pytest.raises(ValueError, match=HANDED_DOWN):
        load_settings({HANDED_DOWN: '{"port": 1}'})
