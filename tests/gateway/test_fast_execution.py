"""The gateway's execution shortcuts (gateway/fast_execution.py, lazy cursors, a root ticket
page's agents fetched ahead) answer exactly what plain strawberry answers.

Each document runs twice against the same seeded database under the same caller: through the
real gateway over HTTP (shortcuts installed), and through a schema built without them, executed
in-process on a session of the same rights. Data, errors and the SQL statement count must be
equal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import strawberry

from gateway.auth import TokenVerifier
from gateway.db import Database
from gateway.fast_execution import LEAF, GatewayExecutor, install
from gateway.settings import Settings
from resolvers.context import Caller, RequestContext
from schema.root import build_schema

DOCUMENTS = {
    "side by side shape": "{ tickets(first: 100) { nodes { id subject agent { displayName } } } }",
    "edges and cursors": (
        "{ tickets(first: 7) { edges { cursor node { id status agent { id email } } }"
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    ),
    "backward page": (
        "{ tickets(last: 5, orderBy: {field: UPDATED_AT, direction: ASC}) { edges { cursor"
        " node { id updatedAt vipTier } } pageInfo { startCursor endCursor } } }"
    ),
    "agent through a fragment": (
        "{ tickets(first: 20) { nodes { ...T } } } fragment T on Ticket { id agent { id } }"
    ),
    "agent under a directive": (
        "query($x: Boolean!) { tickets(first: 20) { nodes { id agent @include(if: $x)"
        " { displayName } } } }"
    ),
    "aliases, twice the agent": (
        "{ a: tickets(first: 10) { nodes { id x: agent { id } y: agent { displayName team"
        " { name } } } } b: tickets(first: 3, filter: {status: [OPEN]}) { totalCount nodes"
        " { agent { skillLevel channels } } } }"
    ),
    "nested pages batch across agents": (
        "{ agents { id tickets(first: 3) { nodes { id priority agent { id } } } } }"
    ),
    "typename and enums": (
        "{ tickets(first: 5) { __typename nodes { __typename channel status } } }"
    ),
    "no row": '{ ticket(id: "999999999") { id agent { id } } }',
}


@pytest.fixture(scope="module")
def reference(
    seeded_dsn: str, gateway_settings: Settings, make_token: Callable[..., str]
) -> Callable[[str, dict[str, Any], str], dict[str, Any]]:
    plain = build_schema()

    def run(query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            db = Database(seeded_dsn, min_size=1, max_size=2)
            await db.open()
            try:
                verifier = TokenVerifier(gateway_settings)
                principal = await verifier.principal_from_authorization(f"Bearer {token}")
                await verifier.aclose()
                session = db.session(principal)
                ctx = RequestContext(
                    viewer=Caller(principal.user_id, principal.role, principal.app_role),
                    session=session,
                    org_timezone=gateway_settings.org_timezone,
                    kpi_targets=gateway_settings.kpi_targets,
                )
                try:
                    result = await plain.execute(
                        query, variable_values=variables, context_value=ctx
                    )
                finally:
                    statements = session.statements
                    await session.close()
            finally:
                await db.close()
            out: dict[str, Any] = {"data": result.data, "statements": statements}
            if result.errors:
                out["errors"] = [e.formatted["message"] for e in result.errors]
            return out

        return asyncio.run(go())

    return run


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("role", ["manager", "agent", "analyst"])
def test_the_gateway_answers_what_plain_strawberry_answers(
    name: str,
    role: str,
    gateway_url: str,
    make_token: Callable[..., str],
    reference: Callable[[str, dict[str, Any], str], dict[str, Any]],
) -> None:
    token = make_token(role)
    variables = {"x": True} if "$x" in DOCUMENTS[name] else {}
    resp = httpx.post(
        gateway_url + "/graphql",
        json={"query": DOCUMENTS[name], "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = resp.json()
    expected = reference(DOCUMENTS[name], variables, token)
    assert body["data"] == expected["data"]
    assert [e["message"] for e in body.get("errors", [])] == expected.get("errors", [])
    assert body["extensions"]["sqlStatements"] == expected["statements"]
    if name == "side by side shape" and role == "manager":
        nodes = body["data"]["tickets"]["nodes"]
        assert len(nodes) == 100 and sum(1 for n in nodes if n["agent"]) > 50


def test_install_marks_leaves_and_leaves_fields_with_arguments_alone() -> None:
    schema = build_schema(execution_context_class=GatewayExecutor)
    changed = install(schema)
    ticket = schema._schema.type_map["Ticket"]
    assert changed > 100
    assert LEAF in ticket.fields["id"].extensions  # an attribute
    assert LEAF not in ticket.fields["subject"].extensions  # a resolver (masking)
    assert getattr(ticket.fields["subject"].resolve, "__name__", "") == "resolve_self_info"
    # an argument: strawberry converts it, so strawberry keeps the field
    assert getattr(ticket.fields["interactions"].resolve, "__name__", "") == "_async_resolver"


@strawberry.type(name="Thing")
class _Thing:
    name: str


@strawberry.type(name="Query")
class _Query:
    @strawberry.field
    def things(self) -> list[_Thing]:
        broken = _Thing(name="x")
        broken.name = None  # type: ignore[assignment]
        return [_Thing(name="ok"), broken]


def test_a_null_in_a_non_null_leaf_is_the_same_error() -> None:
    """The leaf shortcut raises graphql-core's own error for a null non-null attribute."""
    plain = strawberry.Schema(query=_Query)
    fast = strawberry.Schema(query=_Query, execution_context_class=GatewayExecutor)
    assert install(fast) == 2  # Thing.name (leaf), Query.things (direct)
    doc = "{ things { name } }"
    a, b = plain.execute_sync(doc), fast.execute_sync(doc)
    assert a.data == b.data is None
    assert a.errors is not None and b.errors is not None
    assert [e.formatted for e in a.errors] == [e.formatted for e in b.errors]
    assert "Cannot return null for non-nullable field Thing.name." in b.errors[0].message


@strawberry.type(name="Point")
class _Point:
    n: int
    label: str
    value: float | None


@strawberry.type(name="Query")
class _Series:
    @strawberry.field
    async def points(self, broken: int = -1) -> list[_Point]:
        out = [_Point(n=i, label=f"p{i}", value=i / 3 if i % 7 else None) for i in range(5_000)]
        if broken >= 0:
            out[broken].n = None  # type: ignore[assignment]
        return out


async def test_a_large_list_of_plain_objects_completes_off_the_loop_to_the_same_answer() -> None:
    from gateway import list_plans

    plain = strawberry.Schema(query=_Series)
    fast = strawberry.Schema(query=_Series, execution_context_class=GatewayExecutor)
    install(fast)
    calls: list[int] = []
    original = list_plans.run_off_loop

    def counting(plan: Any, items: list[Any]) -> Any:
        calls.append(len(items))
        return original(plan, items)

    list_plans.run_off_loop = counting  # type: ignore[assignment]
    try:
        for doc in (
            "{ points { n label value __typename } }",
            "{ points { a: n b: value } }",
            "{ points(broken: 4321) { n label } }",  # a null in a non-null leaf: graphql-core's
        ):
            a, b = await plain.execute(doc), await fast.execute(doc)
            assert a.data == b.data
            assert [e.formatted for e in a.errors or []] == [e.formatted for e in b.errors or []]
        assert calls == [5_000, 5_000, 5_000]  # all three went to the pool (the last gave up)
        a = await plain.execute("{ points(broken: 4321) { n } }")
        assert a.errors and "Cannot return null for non-nullable field Point.n." in str(a.errors)
        # a selection with an object, a fragment or a directive stays on the loop
        for doc in (
            "{ points { ... on Point { n } } }",
            "query($x: Boolean!) { points { n @include(if: $x) } }",
        ):
            b = await fast.execute(doc, variable_values={"x": True})
            assert b.data == (await plain.execute(doc, variable_values={"x": True})).data
        assert len(calls) == 3
    finally:
        list_plans.run_off_loop = original  # type: ignore[assignment]


@strawberry.type(name="Owner")
class _Owner:
    name: str

    @strawberry.field
    def shout(self) -> str:
        if self.name == "bad":
            raise ValueError("no shouting at bad")
        return self.name.upper()


@strawberry.type(name="Item")
class _Item:
    id: int
    _owner: strawberry.Private[_Owner | None]

    @strawberry.field
    def owner(self) -> _Owner | None:
        return self._owner

    @strawberry.field
    async def later(self) -> str:
        return "later"


@strawberry.type(name="Query")
class _Items:
    @strawberry.field
    def items(self, bad: int = -1) -> list[_Item]:
        owners = [_Owner(name=f"o{i % 3}") for i in range(3)]
        out = [_Item(id=i, _owner=owners[i % 3] if i % 4 else None) for i in range(30)]
        if bad >= 0:
            out[bad] = _Item(id=bad, _owner=_Owner(name="bad"))
        return out


async def test_planned_lists_answer_what_graphql_core_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lists completed by plan (direct resolvers, nested objects): the same data; a resolver that
    raises, or one that returns an awaitable, hands the list back to graphql-core."""
    from gateway import list_plans

    plain = strawberry.Schema(query=_Items)
    fast = strawberry.Schema(query=_Items, execution_context_class=GatewayExecutor)
    install(fast)
    outcomes: list[bool] = []
    original = list_plans.run_plan

    def spy(*args: Any) -> Any:
        done = original(*args)
        outcomes.append(done is not list_plans.GIVE_UP)
        return done

    monkeypatch.setattr(list_plans, "run_plan", spy)
    for doc in (
        "{ items { id owner { name shout __typename } } }",
        "{ items { i: id o: owner { s: shout } } }",
        "{ items(bad: 7) { id owner { shout } } }",  # raises for one item
        "{ items { id later owner { name } } }",  # async field: not planned
    ):
        a, b = await plain.execute(doc), await fast.execute(doc)
        assert a.data == b.data, doc
        assert [e.formatted for e in a.errors or []] == [e.formatted for e in b.errors or []]
    # planned and completed, planned and handed back (the error), not planned (async field)
    assert outcomes == [True, True, False]
    b = await fast.execute("{ items(bad: 7) { id owner { shout } } }")
    assert b.errors and b.errors[0].path == ["items", 7, "owner", "shout"]


#: Every Ticket field that reads only columns of the row (resolvers.tickets TICKET_FIELD_COLUMNS)
ALL_COLUMN_FIELDS = (
    "id subject channel priority status vipTier isWhiteGlove createdAt updatedAt"
    " firstResponseAt firstResolvedAt resolvedAt closedAt firstResponseDueAt resolutionDueAt"
    " reopenCount agentReplyCount customerMessageCount tags firstResponseMinutes"
    " resolutionMinutes customer { id } agent { id } team { id } category { id }"
    " slaPolicy { id } __typename"
)


@pytest.mark.parametrize("role", ["manager", "analyst"])
def test_a_page_reading_only_its_columns_answers_what_a_whole_row_page_answers(
    role: str, gateway_url: str, make_token: Callable[..., str]
) -> None:
    """Plain node selections read only their columns; the same fields through a fragment read
    whole rows (t.*): the answers must be equal, field by field."""
    import resolvers.tickets

    mapped = set(resolvers.tickets.TICKET_FIELD_COLUMNS)
    asked = {part.split(" ")[0] for part in ALL_COLUMN_FIELDS.replace("{ id }", "").split()}
    assert asked == mapped  # the document covers every mapped field
    ticket_fields = set(build_schema()._schema.type_map["Ticket"].fields) | {"__typename"}
    assert mapped <= ticket_fields
    token = make_token(role)
    by_columns = f"{{ tickets(first: 60) {{ nodes {{ {ALL_COLUMN_FIELDS} }} }} }}"
    whole_rows = (
        f"{{ tickets(first: 60) {{ nodes {{ ...T }} }} }} fragment T on Ticket {{"
        f" {ALL_COLUMN_FIELDS} }}"
    )
    answers = []
    for doc in (by_columns, whole_rows):
        resp = httpx.post(
            gateway_url + "/graphql",
            json={"query": doc},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        body = resp.json()
        assert "errors" not in body, body
        answers.append(body["data"]["tickets"]["nodes"])
    assert len(answers[0]) == 60 and answers[0] == answers[1]
    assert resolvers.tickets.page_columns({"id", "subject", "agent"}) == (
        "assigned_agent_id",
        "id",
        "subject",
    )
    assert resolvers.tickets.page_columns({"id", "interactions"}) is None  # not mapped: t.*
    assert resolvers.tickets.page_columns(None) is None
    text = resolvers.tickets._query("created_at", False, True, ("assigned_agent_id", "id"))
    assert "select t.assigned_agent_id, t.id, t.created_at as sort_key" in text
    assert "t.*" in resolvers.tickets._query("created_at", False, True, None)
