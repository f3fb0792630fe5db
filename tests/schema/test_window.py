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


def test_the_window_limit_is_written_from_its_constant() -> None:
    """Descriptions state the window limit from ``resolvers.windows.MAX_WINDOW_DAYS``, never as
    a number of their own (which would stay behind when the limit changes)."""
    import io
    import re
    import tokenize
    from pathlib import Path

    from resolvers.windows import MAX_WINDOW_DAYS

    number = re.compile(rf"\b{MAX_WINDOW_DAYS}\s*\"?\s*days")
    written = []
    for path in sorted((Path(__file__).resolve().parents[2] / "schema").glob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        for t in tokens:
            if t.type == tokenize.STRING and number.search(t.string):
                written.append(f"{path.name}:{t.start[0]}")
    assert not written, f"write {{MAX_WINDOW_DAYS}} instead: {written}"


def test_predictions_and_incidents_take_the_window_input(
    graphql: GQL, make_token: Callable[..., str]
) -> None:
    """``predictions`` and ``incidents`` (open-ended from/to) also take ``window``: the same rows
    as from/to, the same refusals (the one rule of ``resolvers.windows``). The seeded data has
    incidents; stored predictions exist only once a prediction run wrote them, so predictions
    are compared on the incidents' window (possibly empty) and refused alike."""
    token = make_token("manager")
    starts = sorted(r["startsAt"] for r in graphql("{ incidents { startsAt } }", token=token)[
        "data"]["incidents"])  # fmt: skip
    assert len(starts) >= 3, "the data must hold incidents for the comparison"
    start, end = starts[len(starts) // 3], starts[2 * len(starts) // 3]
    for field in ("incidents({w}) {{ id startsAt }}", "predictions(type: CSAT, {w}) {{ id }}"):
        name = field.split("(")[0]
        one = graphql("{ " + field.format(w=f'from: "{start}", to: "{end}"') + " }", token=token)
        other = graphql(
            "{ " + field.format(w=f'window: {{from: "{start}", to: "{end}"}}') + " }", token=token
        )
        assert "errors" not in one, one
        assert one["data"] == other["data"]
        assert one["data"][name] or name == "predictions", (field, "the window must hold rows")
        both = graphql(
            "{ " + field.format(w=f'from: "{start}", window: {{period: TODAY}}') + " }",
            token=token,
        )
        assert both["data"] is None and "not both" in both["errors"][0]["message"], both
        long = 'window: {from: "2025-01-01T00:00:00Z", to: "2026-02-06T00:00:00Z"}'
        refused = graphql("{ " + field.format(w=long) + " }", token=token)
        assert "at most 400 days" in refused["errors"][0]["message"], refused
