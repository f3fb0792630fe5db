"""The ``window`` input and the separate window arguments are one window, checked by one rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

GQL = Callable[..., dict[str, Any]]
FROM, TO = "2026-11-01T00:00:00Z", "2026-11-15T00:00:00Z"


@pytest.mark.parametrize(
    ("separate", "as_input"),
    [
        (f'from: "{FROM}", to: "{TO}"', f'window: {{from: "{FROM}", to: "{TO}"}}'),
        (
            'period: THIS_MONTH, timezone: "America/New_York"',
            'window: {period: THIS_MONTH, timezone: "America/New_York"}',
        ),
    ],
)
def test_window_input_gives_the_same_answer_as_the_separate_arguments(
    graphql: GQL, make_token: Callable[..., str], separate: str, as_input: str
) -> None:
    token = make_token("manager")
    template = (
        '{{ kpi(name: "csat", {w}) {{ overall {{ value n ciLow }} }}'
        ' timeSeries(kpi: "ticket_volume", granularity: DAY, {w}) {{ localLabel n value }}'
        ' dashboard({w}) {{ start timezone kpi(name: "csat") {{ value n }} }} }}'
    )
    one = graphql(template.format(w=separate), token=token)
    other = graphql(template.format(w=as_input), token=token)
    assert "errors" not in one, one
    assert one["data"] == other["data"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("window: {period: TODAY}, period: TODAY", "not both"),
        ('period: LAST_7_DAYS, timezone: "localtime"', "unknown time zone 'localtime'"),
        ('window: {period: TODAY, timezone: "localtime"}', "unknown time zone 'localtime'"),
        (f'from: "{FROM}", to: "{TO}", timezone: "Mars/Olympus"', "unknown time zone"),
        ('from: "2025-01-01T00:00:00Z", to: "2026-02-06T00:00:00Z"', "at most 400 days"),
    ],
)
def test_bad_windows_are_refused_alike_everywhere(
    graphql: GQL, make_token: Callable[..., str], arguments: str, message: str
) -> None:
    token = make_token("manager")
    for field in (
        f'kpi(name: "csat", {arguments}) {{ overall {{ value }} }}',
        f"dashboard({arguments}) {{ start }}",
        f"operations({arguments}) {{ queues {{ queue }} }}",
    ):
        body = graphql(f"{{ {field} }}", token=token)
        assert body["data"] is None, field
        assert message in body["errors"][0]["message"], (field, body)
