"""``support-gateway db-stop`` stops the embedded Postgres that ``demo``/``serve`` leave running,
keeps its data, and says so when there is nothing to stop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from gateway.embedded import EmbeddedPostgres


def _db_stop(data_dir: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "support-gateway"
    env = {"PATH": "/usr/bin:/bin", "SUPPORT_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [str(exe), "db-stop"], capture_output=True, text=True, env=env, check=True, timeout=120
    )


def test_db_stop_stops_the_embedded_server_and_keeps_its_data(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    pg = EmbeddedPostgres(folder, throwaway=True)
    try:
        pg.start()
        assert pg.is_running()
        out = _db_stop(folder)
        assert "stopped" in out.stdout
        assert not pg.is_running()
        assert (pg.pgdata / "PG_VERSION").exists(), "the data stays"
        again = _db_stop(folder)
        assert "no embedded Postgres running" in again.stdout
    finally:
        pg.destroy()
        shutil.rmtree(folder, ignore_errors=True)
