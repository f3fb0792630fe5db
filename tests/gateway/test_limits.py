"""Operation limits before execution, per role and configurable: each abusive document is refused
with a 4xx naming the limit and the value, well under a second, while a concurrent simple query
still answers quickly."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from serving_support import codes, own_gateway, post

from gateway.graphql_view import GatewayState
from gateway.role_limits import parse_limits
from gateway.settings import Settings

Gateway = tuple[str, GatewayState]


@pytest.fixture(scope="module")
def gateway(gateway_settings: Settings, seeded_dsn: str) -> Iterator[Gateway]:
    limits = parse_limits("analyst.depth=3,anon.introspection=0,default.burst=10000")
    with own_gateway(gateway_settings, seeded_dsn, limits=limits) as gw:
        yield gw


def nested(levels: int) -> str:
    """agents { tickets { nodes { agent { tickets { nodes { ... } } } } } }, ``levels`` deep."""
    inner = "id"
    for _ in range(levels):
        inner = f"agent {{ tickets(first: 2) {{ nodes {{ {inner} }} }} }}"
    return f"{{ tickets(first: 2) {{ nodes {{ {inner} }} }} }}"


def abusive(make_token: Callable[..., str]) -> dict[str, tuple[dict[str, Any], str | None, str]]:
    """name → (body, token, the limit that must refuse it)."""
    manager = make_token("manager")
    aliases_75k = "{ " + " ".join(f"a{i}: __typename" for i in range(75_000)) + " }"
    return {
        "anonymous 75,000 aliases (1.4 MB)": ({"query": aliases_75k}, None, "body_bytes"),
        "signed-in 10,000 aliases": (
            {"query": "{ " + " ".join(f"a{i}: __typename" for i in range(10_000)) + " }"},
            manager,
            "tokens",
        ),
        "500 aliased dashboards": (
            {
                "query": "{ "
                + " ".join(
                    f"d{i}: dashboard(period: TODAY) {{ kpis {{ name }} }}" for i in range(500)
                )
                + " }"
            },
            manager,
            "aliases",
        ),
        "depth-5 agents/tickets": (
            {
                "query": "{ agents { tickets { nodes { agent { tickets { nodes { agent { "
                "tickets { nodes { id } } } } } } } } } }"
            },
            manager,
            "cost",
        ),
        "depth 16": ({"query": nested(5)}, manager, "depth"),
        "30 root fields": (
            {"query": "{ " + " ".join(f"v{i}: viewer {{ role }}" for i in range(30)) + " }"},
            make_token("executive"),
            "root_fields",
        ),
        "connection of 500 x 500": (
            {
                "query": "{ tickets(first: 500) { nodes { agent { tickets(first: 500) "
                "{ nodes { id subject } } } } } }"
            },
            manager,
            "cost",
        ),
    }


def test_each_abusive_document_is_refused_quickly_while_a_simple_query_answers(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    """Timings are the best of three tries: the machine's 2 cores are shared with other work."""
    url, _ = gateway
    simple = {"query": "{ viewer { role } tickets(first: 1) { nodes { id } } }"}
    agent = make_token("agent")
    with ThreadPoolExecutor(4) as pool:
        for name, (body, token, limit) in abusive(make_token).items():
            best: tuple[float, float] = (99.0, 99.0)
            for _ in range(3):
                started = time.monotonic()
                refused = pool.submit(post, url, body, token=token)
                answer = post(url, simple, token=agent)
                simple_seconds = time.monotonic() - started
                resp = refused.result()
                seconds = time.monotonic() - started
                assert resp.status_code in (400, 413), (name, resp.text[:300])
                error = resp.json()["errors"][0]
                assert error["extensions"]["code"] == "LIMIT_EXCEEDED", name
                assert error["extensions"]["limit"] == limit, (name, error)
                assert limit in error["message"], error["message"]
                assert answer.status_code == 200, answer.text
                best = min(best, (max(seconds, simple_seconds), simple_seconds))
                if best[0] < 1.0:
                    break
            assert best[0] < 1.0, (name, best)


def test_limits_are_per_role_and_name_the_value(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    query = {"query": "{ tickets(first: 1) { nodes { agent { team { name } } } } }"}  # depth 5
    ok = post(url, query, token=make_token("manager"))
    assert ok.status_code == 200 and "errors" not in ok.json()
    refused = post(url, query, token=make_token("analyst"))
    assert refused.status_code == 400
    ext = refused.json()["errors"][0]["extensions"]
    assert (ext["limit"], ext["value"], ext["max"]) == ("depth", 5, 3)


def test_anonymous_limits_are_the_tightest(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    query = {
        "query": "{ viewer { role } " + " ".join(f"t{i}: teams {{ id }}" for i in range(6)) + " }"
    }
    assert post(url, query, token=make_token("agent")).status_code == 200
    refused = post(url, query)
    assert refused.status_code == 400 and codes(refused.json()) == ["LIMIT_EXCEEDED"]


def test_introspection_is_configurable(gateway: Gateway, make_token: Callable[..., str]) -> None:
    url, _ = gateway
    query = {"query": "{ __schema { queryType { name } } }"}
    assert post(url, query, token=make_token("manager")).json()["data"] == {
        "__schema": {"queryType": {"name": "Query"}}
    }
    refused = post(url, query)
    assert refused.status_code == 403 and codes(refused.json()) == ["FORBIDDEN"]


def test_fragment_cycles_and_spreads_are_measured(
    gateway: Gateway, make_token: Callable[..., str]
) -> None:
    url, _ = gateway
    cyclic = {"query": "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"}
    resp = post(url, cyclic, token=make_token("manager"))
    assert resp.status_code == 200 and codes(resp.json())  # a validation error, answered
    spread = {
        "query": "{ ...T } fragment T on Query { tickets(first: 500) { nodes { ...N } } }"
        " fragment N on Ticket { agent { tickets(first: 500) { nodes { id } } } }"
    }
    refused = post(url, spread, token=make_token("manager"))
    assert refused.json()["errors"][0]["extensions"]["limit"] == "cost"


def test_production_mode_turns_anonymous_introspection_off() -> None:
    from gateway.settings import load_settings

    assert load_settings({}).limits["anon"].introspection is True
    production = load_settings({"GATEWAY_MODE": "production"}).limits
    assert production["anon"].introspection is False
    assert production["default"].introspection is True
    again = load_settings({"GATEWAY_MODE": "production", "GATEWAY_LIMITS": "anon.introspection=1"})
    assert again.limits["anon"].introspection is True
    with pytest.raises(ValueError, match="GATEWAY_LIMITS"):
        parse_limits("anon.depth=x")
    with pytest.raises(ValueError, match="GATEWAY_LIMITS"):
        parse_limits("nobody")
