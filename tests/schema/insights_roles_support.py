"""Test support for the insights role tests: a gateway over the insights database, one user per
role, a GraphQL caller per role and each role's scope (the viewer's team and agent), plus the
owner's view of what a scope may see (the row level security policies spelled out in
``tests/queries/insights_matrix_*.sql``, read as the database owner)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from insights_support import InsightsDb, owner_rows
from testkit import LiveServer, tq

from gateway.app import create_app
from gateway.auth import mint_token
from gateway.settings import Settings

ROLES = ("agent", "team_lead", "manager", "analyst")
Ask = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Scope:
    """A viewer's rights as the policies read them: sees all, led team, own agent."""

    role: str
    team: uuid.UUID | None
    agent: uuid.UUID | None

    @property
    def sees_all(self) -> bool:
        return self.role in ("manager", "analyst")

    def args(self) -> tuple[bool, uuid.UUID | None, uuid.UUID | None]:
        """The ($1, $2, $3) of the insights_matrix_* queries."""
        return (
            self.sees_all,
            self.team if self.role == "team_lead" else None,
            self.agent if self.role == "agent" else None,
        )


@pytest.fixture(scope="module")
def server(insights_db: InsightsDb, gateway_settings: Settings) -> Iterator[str]:
    live = LiveServer(create_app(gateway_settings, insights_db.dsn, realtime=False))
    live.start()
    try:
        yield live.url
    finally:
        live.stop()


@pytest.fixture(scope="module")
def users(insights_db: InsightsDb) -> dict[str, uuid.UUID]:
    rows = asyncio.run(owner_rows(insights_db.dsn, tq("users_by_role")))
    found: dict[str, uuid.UUID] = {}
    for r in rows:
        found.setdefault(r["app_role"], r["user_id"])
    return found


@pytest.fixture(scope="module")
def scopes(insights_db: InsightsDb, users: dict[str, uuid.UUID]) -> dict[str, Scope]:
    rows = asyncio.run(
        owner_rows(insights_db.dsn, tq("insights_user_scope"), [users[r] for r in ROLES])
    )
    return {r["app_role"]: Scope(r["app_role"], r["team"], r["agent"]) for r in rows}


@pytest.fixture(scope="module")
def ask(server: str, users: dict[str, uuid.UUID], gateway_settings: Settings) -> Ask:
    def run(role: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        token = mint_token(gateway_settings.jwt_secret, user_id=users[role], app_role=role)
        resp = httpx.post(
            server + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=180,
        )
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body

    return run


def owner(dsn: str, query: str, scope: Scope, *args: Any) -> list[Any]:
    """Rows of ``tests/queries/<query>.sql`` for ``scope`` ($1–$3) and ``args`` ($4…)."""
    return asyncio.run(owner_rows(dsn, tq(query), *scope.args(), *args))


def customers_in(body: Any) -> list[dict[str, Any]]:
    """Every Customer object (a dict with piiMasked) anywhere in a response."""
    found: list[dict[str, Any]] = []
    if isinstance(body, dict):
        if "piiMasked" in body:
            found.append(body)
        for v in body.values():
            found.extend(customers_in(v))
    elif isinstance(body, list):
        for v in body:
            found.extend(customers_in(v))
    return found
