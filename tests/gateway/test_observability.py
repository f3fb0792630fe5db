"""Operations against the real server: Prometheus /metrics, JSON logs carrying the request id,
user id and role, internal routes not public, and a durable embedded Postgres for kept data."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Callable, Iterator

import asyncpg
import httpx
import pytest
from serving_support import own_gateway, post
from testkit import server_dir, tq

from gateway.app import create_app
from gateway.embedded import EmbeddedPostgres
from gateway.graphql_view import GatewayState
from gateway.observability import JsonFormatter
from gateway.settings import Settings

Gateway = tuple[str, GatewayState]


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[Gateway]:
    with own_gateway(gateway_settings, seeded_dsn) as gw:
        yield gw


def samples(text: str, name: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line.startswith(name):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def test_metrics_count_requests_outcomes_statements_and_rejections(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    token = make_token("manager")
    for _ in range(3):
        post(url, {"query": "query TicketPage { tickets(first: 2) { nodes { id } } }"}, token=token)
    post(url, {"query": "{ dashboard(period: TODAY) { kpis { name } } }"})  # anon: forbidden
    post(
        url, {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(60)) + " }"}, token=token
    )
    resp = httpx.get(url + "/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    requests = samples(text, "gateway_requests_total")
    assert requests['gateway_requests_total{operation="TicketPage",outcome="ok"}'] == 3
    assert requests['gateway_requests_total{operation="anonymous",outcome="forbidden"}'] >= 1
    rejections = samples(text, "gateway_rejections_total")
    assert rejections['gateway_rejections_total{limit="aliases"}'] >= 1
    assert rejections['gateway_rejections_total{limit="forbidden"}'] >= 1
    latency = samples(text, "gateway_request_seconds_count")
    assert latency['gateway_request_seconds_count{operation="TicketPage",outcome="ok"}'] == 3
    statements = samples(text, "gateway_request_sql_statements_sum")
    assert statements["gateway_request_sql_statements_sum"] >= 9  # 3 statements each
    pool = samples(text, "gateway_pool_connections")
    assert pool['gateway_pool_connections{state="max"}'] == 10
    assert "gateway_pool_waiting" in text and "gateway_subscriptions" in text


def test_access_log_is_json_with_request_id_user_and_role(
    gateway: Gateway,
    make_token: Callable[..., str],
    users_by_role: dict[str, list[object]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, _ = gateway
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        resp = post(
            url,
            {"query": "query Mine { viewer { role } }"},
            token=make_token("agent"),
            headers={"x-request-id": "req-42"},
        )
    assert resp.headers["x-request-id"] == "req-42"
    records = [r for r in caplog.records if r.name == "gateway.access"]
    assert records
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["requestId"] == "req-42"
    assert line["userId"] == str(users_by_role["agent"][0])
    assert line["role"] == "authenticated"
    assert line["operation"] == "Mine" and line["status"] == 200
    assert "email" not in json.dumps(line)


def test_internal_routes_need_the_token_when_configured(
    gateway_settings: Settings, seeded_dsn: str
) -> None:
    with own_gateway(gateway_settings, seeded_dsn, internal_token="s3cret-token") as (url, _):
        for path in ("/metrics", "/realtime/stats"):
            assert httpx.get(url + path).status_code == 403
            wrong = httpx.get(url + path, headers={"authorization": "Bearer nope"})
            assert wrong.status_code == 403
            ok = httpx.get(url + path, headers={"authorization": "Bearer s3cret-token"})
            assert ok.status_code == 200


async def test_internal_routes_are_loopback_only_without_a_token(
    gateway_settings: Settings, seeded_dsn: str
) -> None:
    app = create_app(gateway_settings, seeded_dsn, realtime=False)
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        for path in ("/metrics", "/realtime/stats"):
            assert (await client.get(path)).status_code == 403


async def show(dsn: str, name: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        value: str = await conn.fetchval(tq("show_setting"), name)
        return value
    finally:
        await conn.close()


DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")


def test_kept_embedded_postgres_is_durable_and_throwaway_ones_are_fast(
    pg_server: str, base_settings: Settings
) -> None:
    folder = server_dir("durable")
    pg = EmbeddedPostgres(folder)  # as `make demo` / `serve` start it
    try:
        url = pg.start()
        assert [asyncio.run(show(url, n)) for n in DURABILITY] == ["on", "on", "on"]
    finally:
        pg.destroy()
        shutil.rmtree(folder, ignore_errors=True)
    if base_settings.database_url is None:  # the test suite's own throw-away cluster
        assert [asyncio.run(show(pg_server, n)) for n in DURABILITY] == ["off", "off", "off"]
