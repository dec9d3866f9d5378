"""``ruxue serve --workers 2``: two app processes, each with its own socket on the port, share the
connections (uvicorn's shared socket left one process three quarters of them at the peak); a
process that dies is started again; SIGTERM stops them all."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from ruxue.cli.run import wait_ready
from tests.support.helpers import free_port

pytestmark = pytest.mark.slow


def _until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _children(supervisor: subprocess.Popen[bytes]) -> list[psutil.Process]:
    listening = []
    for child in psutil.Process(supervisor.pid).children():
        try:
            if any(c.status == psutil.CONN_LISTEN for c in child.net_connections("tcp")):
                listening.append(child)
        except psutil.NoSuchProcess:
            continue
    return listening


def _established(child: psutil.Process, port: int) -> int:
    return sum(
        1
        for c in child.net_connections("tcp")
        if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
    )


def _serve(tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RUXUE_MODE": "test", "RUXUE_VAR_DIR": str(tmp_path)}
    env["RUXUE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    args = [sys.executable, "-m", "ruxue.cli.main", "serve", "--port", str(port), "--workers", "2"]
    return subprocess.Popen(args, env=env, stderr=subprocess.DEVNULL)


def test_two_app_processes_share_the_connections(tmp_path: Path) -> None:
    port = free_port()
    supervisor = _serve(tmp_path, port)
    apps: list[int] = []
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", [supervisor])
        _until(lambda: len(_children(supervisor)) == 2, "two listening app processes")
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(40)]
        for client in clients:  # forty keep-alive connections, held open
            assert client.get("/healthz").status_code == 200
        held = [_established(child, port) for child in _children(supervisor)]
        assert sum(held) == 40 and min(held) >= 8, held  # spread by the kernel, not 40 to 0
        for client in clients:
            client.close()

        first = _children(supervisor)[0]
        first.kill()
        _until(
            lambda: (
                len(_children(supervisor)) == 2
                and first.pid not in {c.pid for c in _children(supervisor)}
            ),
            "a dead app process is started again",
        )
        wait_ready(f"http://127.0.0.1:{port}/healthz", [supervisor])
        apps = [c.pid for c in _children(supervisor)]
    finally:
        supervisor.send_signal(signal.SIGTERM)
        stopped = supervisor.wait(timeout=40)
    assert stopped == 0 and not any(psutil.pid_exists(pid) for pid in apps)


def test_the_app_processes_end_with_a_killed_supervisor(tmp_path: Path) -> None:
    port = free_port()
    supervisor = _serve(tmp_path, port)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", [supervisor])
        _until(lambda: len(_children(supervisor)) == 2, "two listening app processes")
        apps = [psutil.Process(c.pid) for c in _children(supervisor)]
    finally:
        supervisor.kill()
        supervisor.wait(timeout=10)
    _until(lambda: not any(a.is_running() for a in apps), "no orphan keeps serving the port")
