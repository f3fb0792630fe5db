"""Every reference resolves and every named query is used.

* Each ``sql/queries/<name>.sql`` is named (as the string ``"<name>"``) by code of the packages or
  the benchmarks: a query nothing runs is dead and goes.
* Each ``<name>.sql`` a source, query or document mentions exists (a named query, a test query,
  a benchmark query, a migration or the shim), and so does each repository document (``*.md``)
  they cite (only in landed migrations, which cannot change, is a bare upper-case name read as
  ``docs/metrics.md``).
* Each repository path of a Python file (``<dir>/<name>.py``, at least one directory) that text
  mentions exists; a landed migration that cites a file since moved is listed in
  ``MOVED_IN_MIGRATIONS`` with the file's current path (which must exist).
* ``supabase/`` is a Supabase CLI project: ``config.toml`` parses, points the custom access token
  hook at a function the migrations create, and every migration is named ``<14 digits>_<name>.sql``.
"""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE = ("gateway", "schema", "resolvers", "analytics", "sql", "synthetic", "bench")
TEXT_SUFFIXES = {".py", ".sql", ".md", ".toml"}
SKIP_PARTS = {"node_modules", ".venv", ".git", ".data", "vendor", "__pycache__", ".mypy_cache"}
SQL_DIRS = ("sql/queries", "tests/queries", "bench/queries", "supabase/migrations", "sql")
SQL_MENTION = re.compile(r"(?<![\w/.-])([a-z0-9_]+)\.sql\b")
DOC_MENTION = re.compile(r"(?<![\w/.:-])((?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.md)\b")
#: Documents that are named in text but are not files of this repository.
EXTERNAL_DOCS = {"PROTOCOL.md"}
#: Python files named in text that belong to another repository (the upstream test a port cites).
EXTERNAL_PY = {"tests/test_pyhomogeneity.py"}  # pyHomogeneity's, cited by test_changepoint.py
PY_MENTION = re.compile(r"(?<![\w/.:-])((?:[A-Za-z0-9_-]+/)+[A-Za-z0-9_]+\.py)\b")
#: Python files that landed migrations (which cannot be edited) cite by a path they have since
#: left: (migration, cited path) -> the file's current path.
MOVED_IN_MIGRATIONS = {
    # the function catalog test moved from tests/schema/ to tests/supabase/ (tests mirror the
    # source tree: it checks supabase/migrations)
    ("20261202001000_function_hygiene.sql", "tests/schema/test_database_catalog.py"): (
        "tests/supabase/test_function_catalog.py"
    ),
}


def text_files(*roots: str) -> Iterator[Path]:
    for root in roots:
        base = REPO / root
        paths = [base] if base.is_file() else base.rglob("*")
        for path in paths:
            if path.suffix in TEXT_SUFFIXES and not SKIP_PARTS & set(path.parts):
                yield path


def prose(path: Path) -> str:
    """The text of a file where file names are written: all of it, but only the strings and
    comments of Python (in code, ``.sql`` after a name is an attribute, not a file)."""
    text = path.read_text("utf-8")
    if path.suffix != ".py":
        return text
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return "\n".join(t.string for t in tokens if t.type in (tokenize.STRING, tokenize.COMMENT))


def test_every_named_query_is_used() -> None:
    code = "\n".join(p.read_text("utf-8") for p in text_files(*CODE) if p.suffix == ".py")
    names = sorted(p.stem for p in (REPO / "sql/queries").glob("*.sql"))
    assert names
    # a family of queries loaded by a formatted name, e.g. sql.load(f"stats_segments_{source}")
    families = tuple(re.findall(r'f"([a-z0-9_]+)\{', code))
    unused = [n for n in names if f'"{n}"' not in code and not n.startswith(families or ("\0",))]
    assert not unused, f"named queries nothing runs (remove them): {unused}"


def test_every_mentioned_sql_file_exists() -> None:
    known = {p.stem for d in SQL_DIRS for p in (REPO / d).glob("*.sql")}
    missing = []
    for path in text_files(*CODE, "tests", "supabase", "README.md", "docs", "Makefile"):
        for m in SQL_MENTION.finditer(prose(path)):
            if m[1] not in known:
                missing.append(f"{path.relative_to(REPO)}: {m[0]}")
    assert not missing, f"mentions of files that do not exist: {missing}"


def test_every_cited_document_exists() -> None:
    missing = []
    for path in text_files(*CODE, "tests", "supabase", "README.md", "docs"):
        for m in DOC_MENTION.finditer(prose(path)):
            doc = m[1]
            here = [REPO / doc, path.parent / doc]
            if path.parent.name == "migrations":  # landed migrations cannot be edited
                here.append(REPO / "docs" / doc.lower())
            if doc in EXTERNAL_DOCS or any(p.is_file() for p in here):
                continue
            missing.append(f"{path.relative_to(REPO)}: {doc}")
    assert not missing, f"documents that are not in the repository: {missing}"


def test_every_mentioned_python_path_exists() -> None:
    missing = []
    for path in text_files(*CODE, "tests", "supabase", "README.md", "docs", "Makefile"):
        if path == Path(__file__).resolve():  # the moved paths listed above
            continue
        for m in PY_MENTION.finditer(prose(path)):
            cited = m[1]
            if cited in EXTERNAL_PY:
                continue
            moved = MOVED_IN_MIGRATIONS.get((path.name, cited))
            if moved is not None and path.parent.name == "migrations":
                assert (REPO / moved).is_file(), f"{path.name}: {cited} moved to {moved}, not found"
                continue
            if not any(p.is_file() for p in (REPO / cited, path.parent / cited)):
                missing.append(f"{path.relative_to(REPO)}: {cited}")
    assert not missing, f"mentions of Python files that do not exist: {missing}"


def test_supabase_is_a_cli_project() -> None:
    config = tomllib.loads((REPO / "supabase/config.toml").read_text("utf-8"))
    assert config["project_id"]
    hook = config["auth"]["hook"]["custom_access_token"]
    assert hook["enabled"] is True
    schema, function = hook["uri"].removeprefix("pg-functions://postgres/").split("/")
    migrations = sorted((REPO / "supabase/migrations").glob("*.sql"))
    assert all(re.fullmatch(r"\d{14}_[a-z0-9_]+\.sql", p.name) for p in migrations)
    ddl = "\n".join(p.read_text("utf-8") for p in migrations)
    assert f"create or replace function {schema}.{function}(" in ddl
