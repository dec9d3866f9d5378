"""Issue 22: ``request`` and ``request_uri`` are refused to the county (``request_not_supported``,
``request_uri_not_supported``; discovery says neither is supported), never silently ignored;
``offline_access`` is ignored (no refresh tokens), not refused."""

from urllib.parse import parse_qs, urlsplit

import httpx

from ruxue.kit.db import Database
from tests.support.authlib_rp import REDIRECT, authorize
from tests.support.county import register
from tests.support.helpers import ServerThread


async def test_request_objects_are_refused_and_offline_access_ignored(
    web: ServerThread, db: Database
) -> None:
    await register(db, "kunshan", "320583", redirect_uris=[REDIRECT])
    async with httpx.AsyncClient(base_url=web.url) as browser:
        meta = (await browser.get("/oidc/.well-known/openid-configuration")).json()
        by_value = await browser.get(
            "/oidc/authorize", params=authorize(request="e30.e30.", state="a")
        )
        by_uri = await browser.get(
            "/oidc/authorize", params=authorize(request_uri="https://evil.example/r", state="b")
        )
        offline = await browser.get(
            "/oidc/authorize", params=authorize(scope="openid offline_access")
        )
    assert meta["request_parameter_supported"] is False
    assert meta["request_uri_parameter_supported"] is False
    for answer, error, state in (
        (by_value, "request_not_supported", "a"),
        (by_uri, "request_uri_not_supported", "b"),
    ):
        assert answer.status_code in (302, 303) and answer.headers["location"].startswith(REDIRECT)
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["error"] == [error] and query["state"] == [state]
    assert offline.status_code == 303  # on to the login, as without offline_access
    assert offline.headers["location"].startswith("/auth/login?next=")
