"""A login moves the session to a fresh token (no session fixation): the token the browser held
before the login opens nothing afterwards."""

import httpx
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.kit.sessions import COOKIE, WebSession, token_id
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.sandbox import _login


async def test_login_moves_the_session_to_a_new_token(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        await log_in(http, sandbox)  # a session before the login (the login's state is not one)
        before = http.cookies[COOKIE]
        await log_in(http, sandbox)
        after = http.cookies[COOKIE]
        assert after != before
        assert (await http.get("/api/v1/cases")).status_code == 200
        async with db.read_session() as session:
            rows = set(await session.scalars(select(WebSession.id)))
        assert token_id(after) in rows and token_id(before) not in rows
        http.cookies.set(COOKIE, before)
        assert (await http.get("/api/v1/cases")).status_code in (401, 303)


async def log_in(http: httpx.AsyncClient, sandbox: ServerThread) -> None:
    start = await http.get("/auth/login")
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        back = await _login(browser, start.headers["location"], WANG)
    assert (await http.get(back.headers["location"])).status_code == 303
