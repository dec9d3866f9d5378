"""Server-side sessions: logout, deactivation and a password change end a session for good; an
administrator lists a staff member's sessions."""

import httpx
import pytest

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.staff import PASSWORD, make_staff, staff_client


async def _replay(web: ServerThread, cookie: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=web.url, cookies={"ruxue_session": cookie}) as http:
        return await http.get("/api/v1/review/queue")


async def test_logout_ends_the_session_for_good(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "rev1", "reviewer", district="320508")
    http = await staff_client(web, "rev1", secret)
    cookie = http.cookies["ruxue_session"]
    assert (await _replay(web, cookie)).status_code == 200
    assert (await http.post("/staff/logout")).status_code == 303
    await http.aclose()
    assert (await _replay(web, cookie)).status_code == 401


@pytest.mark.slow
async def test_deactivation_and_password_change_end_sessions(
    web: ServerThread, db: Database
) -> None:
    admin_secret = await make_staff(db, "admin1", "admin")
    secret = await make_staff(db, "rev2", "reviewer", district="320508")
    admin = await staff_client(web, "admin1", admin_secret)
    http = await staff_client(web, "rev2", secret)
    try:
        listed = (await admin.get("/api/v1/admin/staff/rev2/sessions")).json()
        assert len(listed) == 1 and set(listed[0]) == {"created_at", "expires_at"}
        cookie = http.cookies["ruxue_session"]
        assert (await admin.post("/api/v1/admin/staff/rev2/deactivate")).status_code == 200
        assert (await _replay(web, cookie)).status_code == 401
        assert (await admin.get("/api/v1/admin/staff/rev2/sessions")).json() == []
        cookie = admin.cookies["ruxue_session"]
        wrong = await admin.post("/api/v1/staff/password", json={"current": "x", "new": "n" * 12})
        assert wrong.status_code == 400 and (await _replay(web, cookie)).status_code == 200
        body = {"current": PASSWORD, "new": "a-new-password-1"}
        changed = await admin.post("/api/v1/staff/password", json=body)
        assert changed.status_code == 200 and changed.json()["sessions_ended"] == 1
    finally:
        await admin.aclose()
        await http.aclose()
    assert (await _replay(web, cookie)).status_code == 401
