"""``support-gateway report``: the weekly team report written to a file under a user's rights,
with the API's numbers; bad arguments exit 2 with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from reports_support import GQL, TZ, WEEK_FROM, WEEK_TO, fmt2, pdf_text

from gateway.settings import Settings


def _cli(dsn: str, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn, "SUPABASE_JWT_SECRET": settings.jwt_secret}
    command = str(Path(sys.executable).parent / "support-gateway")
    return subprocess.run(
        [command, "report", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_weekly_team_pdf_from_the_cli(
    graphql: GQL,
    make_token: Callable[..., str],
    seeded_dsn: str,
    gateway_settings: Settings,
    tmp_path: Path,
) -> None:
    token = make_token("manager")
    team = graphql("{ teams { id name } }", token=token)["data"]["teams"][0]
    out = tmp_path / "weekly.pdf"
    done = _cli(
        seeded_dsn,
        gateway_settings,
        "--name",
        "weekly-team",
        "--team",
        team["id"],
        "--format",
        "pdf",
        "--out",
        str(out),
        "--from",
        WEEK_FROM.isoformat(),
        "--to",
        WEEK_TO.isoformat(),
        "--timezone",
        TZ,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote Weekly Team Performance" in done.stdout
    text = pdf_text(out.read_bytes()).replace("\n", " ")
    assert f"team {team['name']}" in text
    body = graphql(
        """query($t: ID!, $f: DateTime!, $to: DateTime!) {
      dashboard(teamId: $t, from: $f, to: $to) { kpis { name value } } }""",
        {"t": team["id"], "f": WEEK_FROM.isoformat(), "to": WEEK_TO.isoformat()},
        token,
    )
    for k in body["data"]["dashboard"]["kpis"]:
        if k["value"] is not None:
            assert f" {k['name']} {fmt2(k['value'])} " in text


def test_bad_cli_arguments(seeded_dsn: str, gateway_settings: Settings, tmp_path: Path) -> None:
    done = _cli(seeded_dsn, gateway_settings, "--name", "yearly", "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "no such report" in done.stderr
