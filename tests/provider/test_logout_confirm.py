"""Issue 22: RP-initiated logout without an ``id_token_hint`` asks the person (RP-Initiated Logout
§2) instead of logging out from a GET any site can send; the page's form posts with the
session's CSRF token, and only that ends the city session."""

import html
import re

from ruxue.kit.db import Database
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.session import logged_in

AFTER = "http://127.0.0.1:9/kunshan/bye"


async def test_a_logout_without_a_hint_is_asked_and_posted(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    await register(db, "kunshan", "320583", post_logout_redirect_uris=[AFTER])
    city = await logged_in(web, sandbox, WANG)
    try:
        asked = await city.get(
            "/oidc/logout",
            params={"client_id": "kunshan", "post_logout_redirect_uri": AFTER, "state": "s9"},
        )
        assert asked.status_code == 200 and 'id="oidc-logout"' in asked.text
        assert (await city.get("/api/v1/cases")).status_code == 200  # a GET ended nothing
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked.text)
        )
        form = {k: html.unescape(v) for k, v in fields.items()} | {"confirm": "yes"}
        forged = await city.post(  # the suite's client adds the real token unless one is set
            "/oidc/logout", data=form, headers={"x-csrf-token": "forged"}
        )
        assert forged.status_code == 403 and (await city.get("/api/v1/cases")).status_code == 200
        done = await city.post("/oidc/logout", data=form)
        assert (done.status_code, done.headers["location"]) == (303, f"{AFTER}?state=s9")
        assert (await city.get("/api/v1/cases")).status_code == 401
    finally:
        await city.aclose()
