"""``queueMetrics``, ``qaEvaluations`` and ``trainingRecords`` take ``window`` too.

Their ``from``/``to`` were required; now either ``window`` or both of them is (relaxing a
required argument keeps every existing document valid). The window goes through the one rule of
``resolvers.windows``, so refusals carry the same code and message as another field's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from testkit import SEED_END

GQL = Callable[..., dict[str, Any]]
START = (SEED_END - timedelta(days=60)).isoformat()
END = SEED_END.isoformat()

FIELDS = {
    "queueMetrics": "queueMetrics({w}) {{ queue bucketStart offered answered }}",
    "qaEvaluations": "qaEvaluations({w}) {{ id evaluatedAt score }}",
    "trainingRecords": "trainingRecords({w}) {{ id status assignedAt }}",
}


def _query(graphql: GQL, token: str, field: str, arguments: str) -> dict[str, Any]:
    return graphql("{ " + FIELDS[field].format(w=arguments) + " }", token=token)


def _refusal(body: dict[str, Any]) -> tuple[str, str]:
    assert body["data"] is None, body
    error = body["errors"][0]
    return error["extensions"]["code"], error["message"]


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_window_gives_the_same_rows_as_from_and_to(
    graphql: GQL, make_token: Callable[..., str], field: str
) -> None:
    token = make_token("manager")
    one = _query(graphql, token, field, f'from: "{START}", to: "{END}"')
    other = _query(graphql, token, field, f'window: {{from: "{START}", to: "{END}"}}')
    assert "errors" not in one, one
    assert one["data"][field], "the window must hold rows"
    assert one["data"] == other["data"]


@pytest.mark.parametrize(
    ("arguments", "elsewhere"),
    [
        # both forms given: the same refusal as dashboard's
        (
            f'from: "{START}", window: {{period: TODAY}}',
            f'dashboard(from: "{START}", window: {{period: TODAY}}) {{ start }}',
        ),
        # a bad zone in the window: the same refusal as dashboard's
        (
            'window: {period: TODAY, timezone: "localtime"}',
            'dashboard(window: {period: TODAY, timezone: "localtime"}) { start }',
        ),
        # from without to: the same refusal as dashboard's
        (f'from: "{START}"', f'dashboard(from: "{START}") {{ start }}'),
    ],
)
def test_bad_windows_are_refused_as_another_fields(
    graphql: GQL, make_token: Callable[..., str], arguments: str, elsewhere: str
) -> None:
    token = make_token("manager")
    expected = _refusal(graphql("{ " + elsewhere + " }", token=token))
    assert expected[0] == "BAD_USER_INPUT", expected
    for field in FIELDS:
        assert _refusal(_query(graphql, token, field, arguments)) == expected, field


def test_no_window_at_all_is_refused_alike(graphql: GQL, make_token: Callable[..., str]) -> None:
    """These fields have no default window (their from/to were required): giving none is a
    BAD_USER_INPUT with one message for the three."""
    token = make_token("manager")
    refusals = {
        field: _refusal(
            graphql("{ " + FIELDS[field].replace("({w})", "{w}").format(w="") + " }", token=token)
        )
        for field in FIELDS
    }
    expected = ("BAD_USER_INPUT", "give either 'window' or both 'from' and 'to'")
    assert set(refusals.values()) == {expected}, refusals
