"""Every form POST riding on a session carries the session's CSRF token; the pages' forms do."""

import re

import httpx

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client


async def test_a_form_post_without_the_token_is_refused(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "rev-c", "reviewer", district="320508")
    http = await staff_client(web, "rev-c", secret)
    try:
        home = await http.get("/staff")
        field = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
        assert field, "the pages' forms carry the token"
        forged = {"x-csrf-token": "not-the-token"}
        refused = await http.post("/staff/logout", data={"x": "1"}, headers=forged)
        assert refused.status_code == 403 and "页面已过期" in refused.text
        assert (await http.get("/api/v1/review/queue")).status_code == 200  # still signed in
        missing = {"x-csrf-token": ""}
        assert (
            await http.post("/staff/logout", data={"x": "1"}, headers=missing)
        ).status_code == 403
        plain = await http.post(  # a form can send text/plain too
            "/staff/logout", content=b"x=1", headers={**missing, "content-type": "text/plain"}
        )
        assert plain.status_code == 403
        good = {"csrf_token": field.group(1)}
        out = await http.post("/staff/logout", data=good, headers=missing)  # the hidden field
        assert out.status_code == 303
    finally:
        await http.aclose()


async def test_no_session_nothing_to_forge(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        answer = await http.post("/staff/logout", data={}, headers={"x-csrf-token": ""})
        assert answer.status_code == 303
