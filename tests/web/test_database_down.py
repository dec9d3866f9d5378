"""A database that cannot be reached is a passing condition: every route answers 503 with
Retry-After — a Chinese page for a person, JSON for the API — not the 500 of an unexpected error.
The login (its start needs no database: its callback is refused, where the account is written), a
request with a session cookie (the middleware reads the row before any route) and a route that
reads the database itself."""

import httpx
import pytest

from ruxue.settings import Settings
from ruxue.web.app import create_app
from tests.support.helpers import ServerThread
from tests.support.sandbox import _login
from tests.support.web import is_page

UNREACHABLE = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/ruxue",  # nothing listens on port 1
    "sqlite": "sqlite+aiosqlite:////nonexistent-ruxue-dir/ruxue.db",
}
BUSY = "系统繁忙，请稍后再试"
HTML = {"accept": "text/html"}


@pytest.mark.parametrize("backend", sorted(UNREACHABLE))
async def test_a_database_that_cannot_be_reached_is_answered_503_busy(
    settings: Settings, sandbox: ServerThread, backend: str
) -> None:
    app = create_app(settings.model_copy(update={"database_url": UNREACHABLE[backend]}))
    with ServerThread(app) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            login = await http.get(await back_from_login(http, sandbox), headers=HTML)
            back = await back_from_login(http, sandbox)
            login_api = await http.get(back, headers={"accept": "application/json"})
            http.cookies.set("ruxue_session", "a-token-whose-row-cannot-be-read")
            with_cookie = await http.get("/api/v1/catchment", params={"q": "x"})
            http.cookies.clear()
            route = await http.get("/catchment", params={"q": "平江"}, headers=HTML)
            route_api = await http.get("/api/v1/catchment", params={"q": "平江"})
    for page in (login, route):
        assert is_page(page, 503, "系统繁忙") and BUSY in page.text, page.text
        assert "参考编号" not in page.text  # not the unexpected-error page
        assert page.headers["retry-after"] == "30"
        assert "content-security-policy" in page.headers  # still inside the security headers
        assert "set-cookie" not in page.headers
    for api in (login_api, with_cookie, route_api):
        assert api.status_code == 503 and api.headers["retry-after"] == "30"
        assert api.json() == {"error": "busy", "message": f"{BUSY}。", "retry_after": 30}


async def back_from_login(http: httpx.AsyncClient, sandbox: ServerThread) -> str:
    """The callback a login started at the app comes back to; the start needs no database."""
    start = await http.get("/auth/login", headers=HTML)
    assert start.status_code == 302 and "ruxue_session" not in http.cookies
    async with httpx.AsyncClient(base_url=sandbox.url) as idp:
        back = (await _login(idp, start.headers["location"])).headers["location"]
    return httpx.URL(back).raw_path.decode()
