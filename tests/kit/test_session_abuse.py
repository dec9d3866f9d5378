"""Issue 22, abuse: anonymous page views write no session row; the CSRF token is rotated at staff
login; a GET never logs anyone out (it asks, and the form posts with the CSRF token)."""

import httpx
import pyotp
from sqlalchemy import func, select

from ruxue.kit.db import Database
from ruxue.kit.sessions import WebSession
from tests.support.helpers import ServerThread
from tests.support.personas import LI
from tests.support.session import logged_in
from tests.support.staff import PASSWORD, make_staff, staff_client


async def _rows(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(WebSession)) or 0)


async def test_anonymous_page_views_write_no_session_row(web: ServerThread, db: Database) -> None:
    before = await _rows(db)
    async with httpx.AsyncClient(base_url=web.url) as http:
        for path in ("/", "/staff/login", "/", "/staff/login"):
            page = await http.get(path)
            assert page.status_code == 200, path
            assert "set-cookie" not in page.headers, path
    assert await _rows(db) == before


async def test_the_csrf_token_is_new_after_staff_login(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "csrf-rot", "admin")
    async with httpx.AsyncClient(base_url=web.url) as http:
        await http.get("/auth/login")  # a session before login (as a planted cookie would be)
        before = (await http.get("/api/v1/csrf")).json()["csrf_token"]
        login = await http.post(
            "/api/v1/staff/login",
            json={"username": "csrf-rot", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        )
        assert login.status_code == 200, login.text
        after = (await http.get("/api/v1/csrf")).json()["csrf_token"]
    assert after != before


async def test_a_get_never_logs_out(web: ServerThread, sandbox: ServerThread, db: Database) -> None:
    guardian = await logged_in(web, sandbox, LI)
    asked = await guardian.get("/auth/logout")
    assert asked.status_code == 200 and 'action="/auth/logout"' in asked.text
    assert 'name="csrf_token"' in asked.text
    assert (await guardian.get("/api/v1/cases")).status_code == 200  # still signed in
    staff = await staff_client(web, "logout-get", await make_staff(db, "logout-get", "admin"))
    asked = await staff.get("/staff/logout")
    assert asked.status_code == 200 and 'action="/staff/logout"' in asked.text
    assert (await staff.get("/staff")).status_code == 200
    forged = await staff.post("/staff/logout", data={"go": "1"}, headers={"x-csrf-token": "forged"})
    assert forged.status_code == 403
    confirmed = await staff.post("/staff/logout", data={"go": "1"})  # with the session's token
    assert confirmed.status_code == 303
    assert (await staff.get("/staff")).status_code == 303  # to the login
    await guardian.aclose()
    await staff.aclose()
