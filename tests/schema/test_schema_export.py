"""The committed schema.graphql is the schema the gateway serves (run `make schema` to update)."""

from __future__ import annotations

from pathlib import Path

from schema.root import build_schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    exported = build_schema().as_str() + "\n"
    committed = SCHEMA_FILE.read_text("utf-8")
    assert committed == exported, "schema changed: run `make schema` and commit schema.graphql"
