"""Rules of the code base that a reader relies on, checked on the source (AST, no imports):

* no two public classes share a name across the packages, so a class name says which one it is;
* no import renames one of our modules or names (``from resolvers import kpis as engine`` hid
  where calls went): import the module by its path or the name itself;
* no module passes 400 lines (split it by what its parts hold);
* only ``gateway/settings.py`` touches the process environment.

The dependency direction between packages is the import-linter contract in ``pyproject.toml``
(``lint-imports``, run by ``make test`` and by :func:`test_import_contract_is_kept`).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "schema", "resolvers", "analytics", "sql", "synthetic")
#: Where imports are checked: the packages, the benchmarks and the tests.
CHECKED = (*PACKAGES, "bench", "tests")


def sources(*roots: str) -> Iterator[tuple[Path, ast.Module]]:
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            if "node_modules" not in path.parts:
                yield path, ast.parse(path.read_text("utf-8"), str(path))


def test_no_two_public_classes_share_a_name() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path, tree in sources(*PACKAGES):
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                where[node.name].append(str(path.relative_to(REPO)))
    shared = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not shared, f"rename one of each: {shared}"


def test_no_import_renames_our_modules_or_names() -> None:
    renamed = []
    for path, tree in sources(*CHECKED):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    ours = alias.name.split(".")[0] in PACKAGES
                    if ours and alias.asname and alias.asname != alias.name.rsplit(".", 1)[-1]:
                        renamed.append(f"{path.relative_to(REPO)}:{node.lineno} {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] not in PACKAGES:
                    continue
                for alias in node.names:
                    if alias.asname and alias.asname != alias.name:
                        where = f"{path.relative_to(REPO)}:{node.lineno}"
                        renamed.append(f"{where} {node.module}.{alias.name} as {alias.asname}")
    assert not renamed, f"import without renaming: {renamed}"


def test_import_contract_is_kept() -> None:
    """``gateway -> schema -> resolvers -> (sql, analytics)``; schema never imports sql;
    analytics imports nothing of ours; synthetic imports nothing of the gateway."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is a dev dependency (make install)"
    done = subprocess.run(
        [exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_readme_paths_reach_their_sql_in_the_files_they_count() -> None:
    """README "From a field to its SQL": each step names the next, the last is the SQL, and
    each row's file count is the number of files it names (every one of which exists)."""
    import inspect

    import resolvers.agents
    import resolvers.dashboards
    import resolvers.kpis
    import schema.dashboards
    import schema.tickets
    from resolvers.loaders import Loaders

    def calls(function: object, text: str) -> None:
        assert text in inspect.getsource(function), (function, text)  # type: ignore[arg-type]

    # dashboard: schema/dashboards.py → resolvers/dashboards.py → kpi_dashboard.sql → migration
    calls(schema.dashboards.DashboardsQuery.dashboard, "resolvers.dashboards.dashboard(")
    calls(resolvers.dashboards.dashboard, "dashboard_kpis(")
    calls(resolvers.dashboards.dashboard_kpis, 'sql.load("kpi_dashboard")')
    assert "analytics.ticket_stats(" in (REPO / "sql/queries/kpi_dashboard.sql").read_text()
    # Ticket.agent: schema/tickets.py → resolvers/agents.py → resolvers/loaders.py → the SQL
    calls(schema.tickets.Ticket.agent, "resolvers.agents.agent_by_id(")
    calls(resolvers.agents.agent_by_id, "loaders.agent_by_id")
    calls(Loaders.agent_by_id.fget, '"agents_by_ids"')  # type: ignore[attr-defined]
    assert (REPO / "sql/queries/agents_by_ids.sql").is_file()
    # teamPerformance: schema → resolvers/dashboards.py → resolvers/kpis.py → kpi_agents.sql
    calls(schema.dashboards.DashboardsQuery.team_performance, "resolvers.dashboards.team_perf")
    calls(resolvers.dashboards.team_performance, "agent_kpis(")
    calls(resolvers.kpis.agent_kpis, 'sql.load("kpi_agents")')
    assert "analytics.agent_stats(" in (REPO / "sql/queries/kpi_agents.sql").read_text()
    migration = REPO / "supabase/migrations/20261125000400_analytics_kpis.sql"
    assert "function analytics.agent_stats(" in migration.read_text()
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("From a field to its SQL") :]
    rows = [r for r in section.splitlines() if r.startswith("| `")][:3]
    counted = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        files = set(re.findall(r"`((?:[a-z0-9_]+/)+[a-z0-9_]+\.(?:py|sql))`", row))
        assert files and all((REPO / f).is_file() for f in files), row
        assert int(cells[-1]) == len(files), row
        counted[cells[0].strip("`")] = len(files)
    assert counted == {"dashboard": 4, "Ticket.agent": 4, "teamPerformance": 5}


#: Schema modules that still reach the session or the loaders themselves (none left); each
#: should pass ``info.context`` to its resolvers instead. The test fails for any other module,
#: and when one of these no longer does (then its entry goes).
SCHEMA_SESSION_USERS: set[str] = set()


def test_schema_modules_hold_types_and_signatures_only() -> None:
    """No ``sql`` import (also the import contract), and no ``.session`` / ``.loaders`` use:
    every field calls one function of ``resolvers/<domain>.py`` with the request context."""
    users = set()
    for path, tree in sources("schema"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("session", "loaders"):
                users.add(str(path.relative_to(REPO)))
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names]
                module = node.module if isinstance(node, ast.ImportFrom) else None
                assert "sql" not in names and module != "sql", path
    assert users - SCHEMA_SESSION_USERS == set(), "pass info.context to a resolver instead"
    assert users >= SCHEMA_SESSION_USERS, "no longer uses the session: remove its entry"


#: The size past which a module is split by what it holds (the guide's ~400 lines).
MAX_LINES = 400
#: Modules still past it (owner: serving); the test fails when one is split (remove its entry).
LONG_MODULES: set[str] = set()


def test_modules_stay_under_the_size_limit() -> None:
    long = set()
    for root in CHECKED:
        for path in (REPO / root).rglob("*.py"):
            if "node_modules" not in path.parts and len(path.read_bytes().splitlines()) > MAX_LINES:
                long.add(str(path.relative_to(REPO)))
    assert long - LONG_MODULES == set(), f"split by what each part holds: {long - LONG_MODULES}"
    assert long >= LONG_MODULES, "split now: remove its entry from LONG_MODULES"


#: Modules that still touch the process environment outside ``gateway/settings.py`` (owner:
#: serving: the benchmarks' child processes).
ENVIRONMENT_USERS = {"bench/harness.py", "bench/peer.py", "bench/reports.py"}


def test_only_the_settings_module_touches_the_environment() -> None:
    users = set()
    for path, tree in sources(*PACKAGES, "bench"):
        for node in ast.walk(tree):
            environ = isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
            if environ or (isinstance(node, ast.Name) and node.id in ("environ", "getenv")):
                users.add(str(path.relative_to(REPO)))
    users.discard("gateway/settings.py")
    assert users - ENVIRONMENT_USERS == set(), "read settings from gateway/settings.py instead"
    assert users >= ENVIRONMENT_USERS, "no longer touches the environment: remove its entry"
