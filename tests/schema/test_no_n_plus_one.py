"""DataLoaders batch every relation: 100 tickets cost the same statements as 10."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

#: The issue's query: tickets with agent (and team), customer, category, last 3 interactions,
#: survey. Each relation uses a different loader, so each costs exactly one batch.
QUERY = """
query($n: Int!) {
  tickets(first: $n, filter: {status: [SOLVED, CLOSED]}) {
    nodes {
      id
      agent { id displayName team { id name } }
      customer { id vipTier }
      category { id path }
      interactions(last: 3) { id authorType }
      survey { csatRating }
      slaTargets { status }
    }
  }
}
"""

#: Deeper: relations reached twice through the same loader (agents of tickets and of
#: interactions, categories and their parents). Keys already loaded are served from the
#: loader's cache, so the count may differ by a batch or two with the data, but never grows
#: with the page size.
DEEP_QUERY = """
query($n: Int!) {
  tickets(first: $n) {
    nodes {
      id
      agent { id team { id lead { id } } }
      team { id }
      customer { id dedicatedAgent { id } vipHistory { tier } }
      category { id parent { id children { id } } }
      interactions(last: 3) { id agent { id } }
      survey { csatRating customer { id } }
      slaTargets { status policy { id } }
      slaPolicy { id }
    }
  }
}
"""


def statements(
    gateway_url: str, token: str, n: int, query: str = QUERY
) -> tuple[int, list[dict[str, Any]]]:
    resp = httpx.post(
        gateway_url + "/graphql",
        json={"query": query, "variables": {"n": n}},
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
    # begin + setup + page + one batch each: agent, team, customer, category, interactions,
    # survey, sla targets
    assert large == small == 10


def test_deep_query_statement_count_is_bounded(
    gateway_url: str, make_token: Callable[..., str]
) -> None:
    token = make_token("manager")
    counts = [statements(gateway_url, token, n, DEEP_QUERY)[0] for n in (10, 100, 300)]
    # 3 + one batch per distinct loader level (at most 15 here), whatever the page size
    assert max(counts) <= 18, counts
    assert max(counts) - min(counts) <= 3, counts
