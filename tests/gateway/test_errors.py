"""Error classification against the real server: stable ``extensions.code``, user errors never
logged with a stack trace nor counted by the error-rate alert, malformed bodies are 400, a
statement timeout is TIMEOUT on its own field, anonymous analytics are FORBIDDEN before SQL."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import pytest
from serving_support import codes, own_gateway, post
from testkit import tq

from gateway.graphql_view import GatewayState
from gateway.settings import Settings

Gateway = tuple[str, GatewayState]


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[Gateway]:
    with own_gateway(gateway_settings, seeded_dsn, statement_timeout_ms=400) as gw:
        yield gw


def cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


PAGE = '{{ tickets(first: 1, after: "{}") {{ nodes {{ id }} }} }}'
BAD_INPUTS = {
    "id beyond int64": '{ ticket(id: "99999999999999999999") { id } }',
    "id not a number": '{ ticket(id: "abc") { id } }',
    "first beyond int32": "{ tickets(first: 3000000000) { nodes { id } } }",
    "tampered cursor key": PAGE.format(cursor({"o": "created_at:desc", "k": "x", "i": 1})),
    "tampered cursor id": PAGE.format(
        cursor({"o": "created_at:desc", "k": "2026-01-01T00:00:00+00:00", "i": 10**22})
    ),
    "garbage cursor": '{ tickets(first: 1, after: "!!!") { nodes { id } } }',
    "year 0001 window": '{ timeSeries(kpi: "ticket_volume", granularity: DAY,'
    ' from: "0001-01-01T00:00:00Z", to: "0001-01-05T00:00:00Z") { n } }',
    "localtime timezone": '{ timeSeries(kpi: "ticket_volume", granularity: DAY,'
    ' period: LAST_7_DAYS, timezone: "localtime") { n } }',
}
USER_CODES = {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_a_user_error_not_counted_nor_logged(
    case: str,
    gateway: Gateway,
    make_token: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, state = gateway
    before = state.errors.window(3600).errors
    with caplog.at_level(logging.INFO):
        resp = post(url, {"query": BAD_INPUTS[case]}, token=make_token("manager"))
    body = resp.json()
    assert resp.status_code == 200, body
    assert codes(body) and set(codes(body)) <= USER_CODES, body
    assert "Unexpected error." not in resp.text
    assert state.errors.window(3600).errors == before
    assert not [r for r in caplog.records if r.exc_info], "a user error was logged with a trace"


def test_messages_echo_at_most_200_characters_of_input(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    long = "9" * 5000
    body = post(url, {"query": f'{{ ticket(id: "{long}") {{ id }} }}'}, token=make_token("manager"))
    message = body.json()["errors"][0]["message"]
    assert len(message) < 300 and long not in message


@pytest.mark.parametrize(
    "content",
    [b"null", b'"a string"', b"[1, 2]", b"42", b"{not json", b"", ("[" * 10000 + "]" * 10000)],
    ids=["null", "string", "array", "number", "broken", "empty", "deep"],
)
def test_malformed_bodies_are_400(
    content: bytes | str, gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, state = gateway
    before = state.errors.window(3600).errors
    raw = content.encode() if isinstance(content, str) else content
    resp = post(url, content=raw, token=make_token("manager"))
    assert resp.status_code == 400, resp.text
    assert codes(resp.json()) == ["BAD_REQUEST"]
    assert state.errors.window(3600).errors == before


def test_deeply_nested_variables_are_400(gateway: Gateway, make_token: Callable[..., str]) -> None:
    url, _ = gateway
    content = (
        '{"query": "{ viewer { role } }", "variables": {"a": ' + "[" * 10000 + "]" * 10000 + "}}"
    ).encode()
    resp = post(url, content=content, token=make_token("manager"))
    assert resp.status_code == 400
    for body in ({"query": 5}, {"query": "{ viewer { role } }", "variables": [1]}, {}):
        assert post(url, body, token=make_token("manager")).status_code == 400


ANALYTICS = [
    "{ dashboard(period: LAST_7_DAYS) { kpis { name } } }",
    '{ timeSeries(kpi: "ticket_volume", granularity: DAY, period: LAST_7_DAYS) { n } }',
    "{ satisfaction(period: LAST_30_DAYS) { csat { overall { value } } } }",
    "{ volumeForecast(granularity: DAY, historyDays: 28, horizonDays: 7) { method } }",
]


@pytest.mark.parametrize("query", ANALYTICS)
def test_anonymous_analytics_are_forbidden_before_any_sql(
    query: str, gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    url, state = gateway
    before = state.errors.window(3600).errors
    with caplog.at_level(logging.INFO):
        resp = post(url, {"query": query})
    body = resp.json()
    assert resp.status_code == 403
    assert codes(body) == ["FORBIDDEN"]
    assert "data" not in body and "sqlStatements" not in body.get("extensions", {})
    assert state.errors.window(3600).errors == before
    assert not [r for r in caplog.records if r.exc_info]


def test_anonymous_plain_reads_still_answer_empty(gateway: Gateway) -> None:
    url, _ = gateway
    body = post(url, {"query": "{ viewer { role } tickets(first: 3) { nodes { id } } }"}).json()
    assert body["data"] == {"viewer": {"role": "anon"}, "tickets": {"nodes": []}}
    assert codes(post(url, {"query": "mutation { __typename }"}).json()) == ["FORBIDDEN"]


def test_statement_timeout_is_timeout_on_its_field_and_others_keep_data(
    gateway: Gateway, seeded_dsn: str, make_token: Callable[..., str]
) -> None:
    url, state = gateway
    query = '{ viewer { role } teams { id } ticket(id: "1") { id } }'

    async def locked() -> tuple[dict[str, Any], float]:
        conn = await asyncpg.connect(seeded_dsn)
        try:
            async with conn.transaction():
                await conn.execute(tq("lock_table", table="support_tickets"))
                started = time.monotonic()
                resp = await asyncio.to_thread(
                    post, url, {"query": query}, token=make_token("manager")
                )
                return resp.json(), time.monotonic() - started
        finally:
            await conn.close()

    before = state.errors.window(3600).errors
    body, elapsed = asyncio.run(locked())
    assert body["data"]["ticket"] is None
    assert body["data"]["viewer"] == {"role": "authenticated"}
    assert len(body["data"]["teams"]) > 0
    assert codes(body) == ["TIMEOUT"]
    assert body["errors"][0]["path"] == ["ticket"]
    assert elapsed < 5
    assert state.errors.window(3600).errors == before


def test_request_id_in_header_and_error_extensions(gateway: Gateway) -> None:
    url, _ = gateway
    resp = post(
        url,
        {"query": "{ dashboard(period: TODAY) { kpis { name } } }"},
        headers={"x-request-id": "abc-123"},
    )
    assert resp.headers["x-request-id"] == "abc-123"
    assert resp.json()["errors"][0]["extensions"]["requestId"] == "abc-123"
    other = post(url, {"query": "{ viewer { role } }"})
    assert len(other.headers["x-request-id"]) == 32
