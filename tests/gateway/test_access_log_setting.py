"""``GATEWAY_ACCESS_LOG``: on by default; ``off`` silences our access line and uvicorn's."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from gateway.observability import silence_access_log
from gateway.settings import load_settings

ACCESS_LOGGERS = ("gateway.access", "uvicorn.access")


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    before = {name: logging.getLogger(name).disabled for name in ACCESS_LOGGERS}
    yield
    for name, disabled in before.items():
        logging.getLogger(name).disabled = disabled


def test_access_log_is_on_unless_set_off() -> None:
    assert load_settings({}).access_log is True
    assert load_settings({"GATEWAY_ACCESS_LOG": "off"}).access_log is False
    with pytest.raises(ValueError, match="GATEWAY_ACCESS_LOG"):
        load_settings({"GATEWAY_ACCESS_LOG": "sometimes"})


def test_silenced_access_log_writes_no_line(
    restored_loggers: None, caplog: pytest.LogCaptureFixture
) -> None:
    silence_access_log()
    with caplog.at_level(logging.INFO):
        for name in ACCESS_LOGGERS:
            logging.getLogger(name).info("GET /graphql 200")
    assert [r for r in caplog.records if r.name in ACCESS_LOGGERS] == []
