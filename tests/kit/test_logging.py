"""No log line holds a full ID number: access lines, nor tracebacks of unexpected errors."""

import logging
import threading
import time

import httpx
import pytest
import structlog
import uvicorn

from ruxue.kit.logging import configure_logging, uvicorn_log_config
from tests.support.helpers import free_port

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


def _fails_with_a_number_in_its_locals() -> None:
    guardian = {"id_number": CHILD}  # a local, as a request body or a session is in the app
    raise ValueError(f"no record for {guardian['id_number']}")


@pytest.mark.parametrize("json", [False, True])
def test_a_traceback_is_masked_and_shows_no_locals(
    json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=json)
    try:
        _fails_with_a_number_in_its_locals()
    except ValueError as exc:
        structlog.get_logger("test").error("unexpected error", exc_info=exc)
    finally:
        structlog.reset_defaults()
    out = capsys.readouterr().out
    assert "_fails_with_a_number_in_its_locals" in out  # the traceback was written
    assert "no record for 320506********0013" in out
    assert CHILD not in out
