"""The database's functions and policies, read from the catalog of the migrated test database.

Checked for every function and policy there is, so functions added by later migrations are held
to the same rules (``supabase/migrations/20261202001000_function_hygiene.sql`` explains them):

* every function has a fixed ``search_path``, or a comment saying ``no search_path: <reason>``
  (sql functions postgres must inline cannot have one); security definer functions have no
  exception;
* no security definer function may be executed by ``anon`` or ``public``;
* policies call per-statement helpers (no arguments) and security definer functions (never
  inlined) only in the ``(select f(...))`` form, never once per row; inlinable functions of the
  row's columns are fine.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import pytest
from testkit import tq

#: Policies known to call a helper per row, each with who fixes it; the test fails when one of
#: them no longer does (then its entry goes).
KNOWN_PER_ROW: dict[tuple[str, str], str] = {}
#: "no search_path: " and at least a few words of reason.
EXCEPTION = re.compile(r"no search_path: \S+(\s+\S+){2,}")
#: A call of a schema-qualified function in a policy expression as pg_get_expr prints it.
CALL = re.compile(r"(?P<before>\(\s*SELECT\s+)?\b(?P<schema>[a-z_]+)\.(?P<name>[a-z_0-9]+)\(")


def fetch(dsn: str, query: str) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        conn = await asyncpg.connect(dsn)
        try:
            return [dict(r) for r in await conn.fetch(tq(query))]
        finally:
            await conn.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def functions(seeded_dsn: str) -> list[dict[str, Any]]:
    rows = fetch(seeded_dsn, "catalog_functions")
    assert len(rows) > 40, "the catalog query found too few functions"
    return rows


def test_every_function_has_a_fixed_search_path_or_says_why_not(
    functions: list[dict[str, Any]],
) -> None:
    missing = [
        f["signature"]
        for f in functions
        if not f["fixed_search_path"] and not EXCEPTION.search(f["comment"] or "")
    ]
    assert not missing, f"set search_path = '' or comment 'no search_path: <reason>': {missing}"


def test_security_definer_functions_have_a_search_path_and_no_anon_execute(
    functions: list[dict[str, Any]],
) -> None:
    definers = [f for f in functions if f["security_definer"]]
    assert definers
    assert [f["signature"] for f in definers if not f["fixed_search_path"]] == []
    assert [f["signature"] for f in definers if f["anon_may_execute"]] == []
    assert [f["signature"] for f in definers if f["public_may_execute"]] == []


def test_policies_call_helpers_once_per_statement(
    seeded_dsn: str, functions: list[dict[str, Any]]
) -> None:
    per_statement = {
        (f["schema"], f["name"])
        for f in functions
        if f["volatility"] != "i" and (f["nargs"] == 0 or f["security_definer"])
    }
    per_row: dict[tuple[str, str], list[str]] = {}
    for policy in fetch(seeded_dsn, "catalog_policies"):
        for expr in (policy["qual"], policy["with_check"]):
            for m in CALL.finditer(expr or ""):
                key = (m["schema"], m["name"])
                if key in per_statement and not m["before"]:
                    name = (policy["tablename"], policy["policyname"])
                    per_row.setdefault(name, []).append(".".join(key))
    unexpected = {k: v for k, v in per_row.items() if k not in KNOWN_PER_ROW}
    assert not unexpected, f"wrap non-immutable helpers as (select f(...)): {unexpected}"
    assert set(KNOWN_PER_ROW) <= set(per_row), "fixed: remove it from KNOWN_PER_ROW"
