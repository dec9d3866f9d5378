"""Issue 22 (must show): crafted uploads against a running ``ruxue serve``. Eight crafted PDFs and
images (the 2.5 KB inflate-loop PDF among them) go through a guardianship request's upload at
once; meanwhile ``/healthz`` and a page answer within a second; then SIGTERM stops the server
within a few seconds."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ruxue.cli.run import wait_ready
from ruxue.kit import migrate
from ruxue.settings import Settings
from tests.support import files
from tests.support.guardianship import FILE
from tests.support.helpers import ServerThread, free_port
from tests.support.personas import CHEN
from tests.support.sandbox import _login

pytestmark = pytest.mark.slow

CRAFTED = {
    "loop.pdf": files.pdf_inflate_loop(),
    "bomb.pdf": files.pdf_bomb(),
    "bomb85.pdf": files.pdf_bomb_ascii85(),
    "uri.pdf": files.pdf_with_action(b"/S /URI /URI (http://example.invalid/)"),
    "script.pdf": files.pdf_with_script(),
    "html.pdf": files.pdf_then_html(),
    "bomb.png": files.png_bomb(),
    "bomb.jpg": files.jpeg_bomb(),
}


@pytest.fixture
def served(
    settings: Settings, sandbox: ServerThread, tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``ruxue serve`` in its own process, against the session's sandbox (whose login accepts
    any loopback redirect URI, so the subprocess's port needs no registration)."""
    port = free_port()
    url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
    migrate.upgrade(url)
    env = {
        **os.environ,
        "RUXUE_MODE": "test",
        "RUXUE_VAR_DIR": str(tmp_path / "var"),
        "RUXUE_DATABASE_URL": url,
        "RUXUE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "RUXUE_EXCHANGE_URL": settings.exchange_url,
        "RUXUE_IDP_URL": settings.idp_url,
        "RUXUE_SMS_URL": settings.sms_url,
        "RUXUE_NOW": "2026-06-15T10:00:00+08:00",
    }
    args = [sys.executable, "-m", "ruxue.cli.main", "serve", "--port", str(port)]
    server = subprocess.Popen(args, env=env, stderr=subprocess.PIPE)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", [server])
        yield f"http://127.0.0.1:{port}", server
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=30)


def _stopped_by_sigterm(server: subprocess.Popen[bytes]) -> float:
    """Seconds from SIGTERM to the server's exit; the exit must be uvicorn's own (it re-raises
    the signal after its shutdown) with no traceback."""
    began = time.monotonic()
    server.send_signal(signal.SIGTERM)
    _, log = server.communicate(timeout=60)
    took = time.monotonic() - began
    assert server.returncode in (0, -signal.SIGTERM), log.decode()[-2000:]
    assert b"Finished server process" in log and b"Traceback" not in log, log.decode()[-2000:]
    return took


async def _logged_in(base: str, sandbox: ServerThread) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base, timeout=60)
    start = await http.get("/auth/login")
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        back = await _login(browser, start.headers["location"], CHEN)
    assert (await http.get(back.headers["location"])).status_code == 303
    return http


async def _answers_within_a_second(base: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=1.0) as other:
        assert (await other.get("/healthz")).status_code == 200
        assert (await other.get("/")).status_code == 200


async def _send_all(http: httpx.AsyncClient, path: str) -> list[asyncio.Task[httpx.Response]]:
    """All at once, with the session's CSRF token read once, as the upload page holds it (eight
    first reads at once would each make a token, and only the last one would count)."""
    token = {"x-csrf-token": (await http.get("/api/v1/csrf")).json()["csrf_token"]}
    return [
        asyncio.create_task(http.post(path, files={"file": (name, data)}, headers=token))
        for name, data in CRAFTED.items()
    ]


async def test_crafted_uploads_hold_neither_the_server_nor_its_shutdown(
    served: tuple[str, subprocess.Popen[bytes]], sandbox: ServerThread
) -> None:
    base, server = served
    grandpa = await _logged_in(base, sandbox)
    filed = await grandpa.post("/api/v1/guardianship", json=FILE)
    assert filed.status_code == 201, filed.text
    path = f"/api/v1/guardianship/{filed.json()['request_no']}/documents"
    uploads = await _send_all(grandpa, path)
    probes = 0
    while not all(u.done() for u in uploads):
        await _answers_within_a_second(base)  # a timeout fails the test
        probes += 1
        await asyncio.wait(uploads, timeout=0.2)
    assert probes >= 3  # the uploads were in flight while the server answered
    answers = {name: u.result() for name, u in zip(CRAFTED, uploads, strict=True)}
    # the loop PDF is a valid PDF once its inflation ends: stored; every other one refused
    assert answers.pop("loop.pdf").status_code == 201
    assert all(a.status_code == 400 for a in answers.values()), {
        n: (a.status_code, a.text) for n, a in answers.items()
    }

    in_flight = await _send_all(grandpa, path)  # and again, SIGTERM while they are parsed
    await asyncio.wait(in_flight, timeout=0.5)
    assert not all(u.done() for u in in_flight)
    assert await asyncio.to_thread(_stopped_by_sigterm, server) < 5
    await asyncio.gather(*in_flight, return_exceptions=True)
    await grandpa.aclose()
