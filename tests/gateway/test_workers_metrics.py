"""``serve --workers 2``: ``/metrics`` of whichever worker answers counts the requests of both
(prometheus_client's multiprocess mode, a folder per run), and the folder goes with the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from testkit import free_port

from gateway.settings import Settings


def requests_total(text: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        if family.name == "gateway_requests"
        for s in family.samples
        if s.name == "gateway_requests_total"
    )


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def metrics_dir_of(pid: int) -> Path | None:
    for child in children(pid):
        with open(f"/proc/{child}/environ", "rb") as f:
            for item in f.read().split(b"\0"):
                if item.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                    return Path(item.split(b"=", 1)[1].decode())
    return None


@pytest.fixture(scope="module")
def two_workers(seeded_dsn: str, gateway_settings: Settings) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": seeded_dsn,
        "GATEWAY_PORT": str(port),
        "SUPABASE_JWT_SECRET": gateway_settings.jwt_secret,
        "GATEWAY_LIMITS": "default.burst=100000,default.concurrency=100",
        "GATEWAY_LOG_FORMAT": "text",
        "INSIGHTS_PREDICT_HOURS": "off",
        "ALERTING": "off",
        "RETENTION_INTERVAL_SECONDS": "0",
        "REPORTS_SCHEDULER": "off",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    exe = Path(sys.executable).parent / "support-gateway"
    proc = subprocess.Popen(
        [str(exe), "serve", "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError("serve --workers 2 did not start")
        while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_metrics_of_any_worker_count_the_requests_of_all(
    two_workers: tuple[str, int], make_token: Callable[..., str]
) -> None:
    url, pid = two_workers
    folder = metrics_dir_of(pid)
    assert folder is not None and folder.is_dir()
    token = make_token("manager")
    before = requests_total(httpx.get(url + "/metrics", timeout=10).text)

    def one(i: int) -> int:
        # a connection per request, several at once: the two workers accept them in turn
        resp = httpx.post(
            url + "/graphql",
            json={"query": "{ tickets(first: 2) { nodes { id } } }"},
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            timeout=30,
        )
        return resp.status_code

    sent = 60
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(one, range(sent))) == [200] * sent
    scrapes = {requests_total(httpx.get(url + "/metrics", timeout=10).text) for _ in range(8)}
    assert scrapes == {before + sent}  # every scrape, whichever worker answered it
    # and both workers served some: each one's own files, collected alone
    per_worker = []
    for counter in sorted(folder.glob("counter_*.db")):
        alone = folder.parent / f"{folder.name}-{counter.stem}"
        alone.mkdir()
        try:
            shutil.copy(counter, alone / counter.name)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
            per_worker.append(
                sum(
                    s.value
                    for m in registry.collect()
                    if m.name == "gateway_requests"
                    for s in m.samples
                    if s.name == "gateway_requests_total"
                )
            )
        finally:
            shutil.rmtree(alone)
    assert len(per_worker) >= 2 and sum(per_worker) == before + sent
    assert sorted(per_worker)[-2] > 0, per_worker  # the traffic reached two workers


def test_the_metrics_folder_is_removed_with_the_run(
    seeded_dsn: str, gateway_settings: Settings
) -> None:
    """Checked on a run of its own, stopped here."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": seeded_dsn,
        "GATEWAY_PORT": str(port),
        "GATEWAY_LOG_FORMAT": "text",
        "INSIGHTS_PREDICT_HOURS": "off",
        "ALERTING": "off",
        "RETENTION_INTERVAL_SECONDS": "0",
        "REPORTS_SCHEDULER": "off",
    }
    exe = Path(sys.executable).parent / "support-gateway"
    proc = subprocess.Popen([str(exe), "serve", "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        folder = None
        while folder is None and time.monotonic() < deadline:
            time.sleep(0.5)
            folder = metrics_dir_of(proc.pid)
        assert folder is not None and folder.is_dir()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert not folder.exists()
