"""No access-log line holds a full ID number."""

import logging
import threading
import time

import httpx
import pytest
import uvicorn

from ruxue.kit.logging import uvicorn_log_config
from tests.helpers import free_port

CHILD = "320506201909090013"


async def _ok(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


def test_access_log_masks_id_numbers(capfd: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    config = uvicorn.Config(_ok, port=port, log_config=uvicorn_log_config(), lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        httpx.get(f"http://127.0.0.1:{port}/api/v1/staff/children/{CHILD}?child={CHILD}")
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    logging.getLogger("uvicorn.access").handlers[0].flush()
    out = capfd.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if "/api/v1/staff/children/" in line]
    assert lines, out  # the access line was written
    assert all(CHILD not in line for line in lines)
    assert "320506********0013" in lines[0]
