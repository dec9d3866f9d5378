"""Issue 22: the kiosk's idle timeout covers every page its session opens. After 90 idle seconds
the same cookie opens neither the kiosk nor the guardian's own pages and API (the family's cases
and notice), and it does not come back."""

import datetime as dt

import pytest

from ruxue.identity import service as identity
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.kiosk import _read, _screen, _terminal
from tests.support.personas import WANG


async def test_an_idle_kiosk_session_opens_no_page_of_the_family(
    web: ServerThread, sandbox: ServerThread, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = _screen(web, "KSK-IDLE", await _terminal(db, "KSK-IDLE"))
    signed = await screen.post("/kiosk/login", data=_read(WANG, "王建国"))
    assert signed.status_code == 303
    assert (await screen.get("/api/v1/cases")).status_code == 200  # in use: the family's cases
    assert (await screen.get("/apply")).status_code == 200

    later = utcnow() + dt.timedelta(seconds=91)  # the terminal left alone past its 90 seconds
    monkeypatch.setattr(identity, "utcnow", lambda: later)
    assert (await screen.get("/api/v1/cases")).status_code == 401
    monkeypatch.undo()  # and it stays ended, whatever comes next
    assert (await screen.get("/api/v1/cases")).status_code == 401
    assert (await screen.get("/apply")).status_code in (302, 303, 307)
    assert (await screen.get("/kiosk/home")).headers["location"] == "/kiosk"
    await screen.aclose()
