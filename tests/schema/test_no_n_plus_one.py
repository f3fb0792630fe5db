"""DataLoaders batch every relation: 100 tickets cost the same statements as 10."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

QUERY = """
query($n: Int!) {
  tickets(first: $n, filter: {status: [SOLVED, CLOSED]}) {
    nodes {
      id
      agent { id displayName team { id name } }
      team { id }
      customer { id vipTier dedicatedAgent { id } }
      category { id path parent { id } }
      interactions(last: 3) { id authorType agent { id } }
      survey { csatRating }
      slaTargets { status policy { id } }
    }
  }
}
"""


def statements(gateway_url: str, token: str, n: int) -> tuple[int, list[dict[str, Any]]]:
    resp = httpx.post(
        gateway_url + "/graphql",
        json={"query": QUERY, "variables": {"n": n}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = resp.json()
    assert "errors" not in body, body
    return body["extensions"]["sqlStatements"], body["data"]["tickets"]["nodes"]


def test_statement_count_does_not_grow_with_page_size(
    gateway_url: str, make_token: Callable[..., str]
) -> None:
    token = make_token("manager")
    small, small_nodes = statements(gateway_url, token, 10)
    large, large_nodes = statements(gateway_url, token, 100)
    assert len(small_nodes) == 10 and len(large_nodes) == 100
    # the relations are really there (otherwise the loaders would have nothing to batch)
    assert sum(1 for t in large_nodes if t["agent"] and t["agent"]["team"]) > 50
    assert all(t["customer"] and t["category"] for t in large_nodes)
    assert sum(len(t["interactions"]) for t in large_nodes) > 200
    assert sum(1 for t in large_nodes if t["survey"]) > 10
    assert large == small
    # begin + setup + page + one batch per relation (agent, team, customer, category,
    # parent category, interactions, survey, sla targets, sla policy) — a small constant
    assert large <= 14
