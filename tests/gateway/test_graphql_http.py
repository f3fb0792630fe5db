"""GraphQL over HTTP as the spec says: media types, status codes, GET, operationName."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
from serving_support import codes, post

GQL = "application/graphql-response+json"
VIEWER = "{ viewer { role } }"


def test_graphql_response_json_when_accepted(gateway_url: str) -> None:
    ok = post(gateway_url, {"query": VIEWER}, headers={"accept": GQL})
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith(GQL)
    assert ok.json()["data"] == {"viewer": {"role": "anon"}}


def test_parse_and_validation_failures_are_400_without_data(gateway_url: str) -> None:
    for query, code in (
        ("{ viewer { role }", "GRAPHQL_PARSE_FAILED"),
        ("{ viewer { nope } }", "GRAPHQL_VALIDATION_FAILED"),
    ):
        resp = post(gateway_url, {"query": query}, headers={"accept": GQL})
        assert resp.status_code == 400, resp.text
        assert resp.headers["content-type"].startswith(GQL)
        body = resp.json()
        assert "data" not in body and codes(body) == [code]


def test_application_json_keeps_the_legacy_200(gateway_url: str) -> None:
    for accept in ("application/json", None, "*/*"):
        headers = {"accept": accept} if accept else {}
        resp = post(gateway_url, {"query": "{ viewer { nope } }"}, headers=headers)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("application/json")
        assert codes(resp.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_preference_follows_quality_values(gateway_url: str) -> None:
    accept = f"application/json;q=0.9, {GQL};q=0.5"
    resp = post(gateway_url, {"query": VIEWER}, headers={"accept": accept})
    assert resp.headers["content-type"].startswith("application/json")
    unacceptable = post(gateway_url, {"query": VIEWER}, headers={"accept": "text/plain"})
    assert unacceptable.status_code == 406


def test_get_runs_queries_only(gateway_url: str, make_token: Callable[..., str]) -> None:
    ok = httpx.get(gateway_url + "/graphql", params={"query": VIEWER}, headers={"accept": GQL})
    assert ok.status_code == 200 and ok.json()["data"] == {"viewer": {"role": "anon"}}
    mutation = 'mutation { acknowledgeAlert(id: "1") { id } }'
    refused = httpx.get(
        gateway_url + "/graphql",
        params={"query": mutation},
        headers={"accept": GQL, "authorization": f"Bearer {make_token('manager')}"},
    )
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    variables = httpx.get(
        gateway_url + "/graphql",
        params={
            "query": "query($n: Int!) { tickets(first: $n) { nodes { id } } }",
            "variables": json.dumps({"n": 1}),
        },
        headers={"accept": GQL},
    )
    assert variables.status_code == 200, variables.text


def test_operation_name_required_with_several_operations(gateway_url: str) -> None:
    document = "query A { viewer { role } } query B { __typename }"
    missing = post(gateway_url, {"query": document}, headers={"accept": GQL})
    assert missing.status_code == 400 and "operationName" in missing.text
    chosen = post(gateway_url, {"query": document, "operationName": "B"})
    assert chosen.json()["data"] == {"__typename": "Query"}
    unknown = post(gateway_url, {"query": document, "operationName": "C"})
    assert unknown.status_code == 400


def test_unsupported_body_media_type_is_415(gateway_url: str) -> None:
    resp = httpx.post(
        gateway_url + "/graphql", content=VIEWER, headers={"content-type": "text/plain"}
    )
    assert resp.status_code == 415
