"""A guardian logs in to the app through the sandbox identity platform (code + PKCE), over HTTP."""

import httpx

from tests.support.helpers import ServerThread
from tests.support.sandbox import _login

GUARDIAN = "320508198801010110"


async def test_home_page_offers_login(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        home = await http.get("/")
    assert home.status_code == 200
    assert "实名认证登录" in home.text and 'href="/auth/login"' in home.text


async def test_guardian_logs_in_and_sees_masked_identity(
    web: ServerThread, sandbox: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await http.get("/api/v1/me/data-tracker")).status_code == 401
        start = await http.get("/auth/login")
        assert start.status_code == 302
        authorize = start.headers["location"]
        assert (
            authorize.startswith(f"{sandbox.url}/idp/authorize")
            and "code_challenge_method=S256" in authorize
        )
        back = await _login(httpx.AsyncClient(base_url=sandbox.url), authorize)
        callback = await http.get(back.headers["location"])
        assert callback.status_code == 303 and callback.headers["location"] == "/apply"
        me = await http.get("/apply")
        assert "幼升小" in me.text and "我的办理" in me.text
        assert GUARDIAN not in me.text
        assert (await http.get("/api/v1/me/data-tracker")).json() == []
        await http.post("/auth/logout")
        assert (await http.get("/api/v1/me/data-tracker")).status_code == 401


async def test_forged_callback_is_refused(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        forged = await http.get("/auth/callback?code=abc&state=xyz")
    assert forged.status_code == 401  # a browser lands here: a Chinese page, not JSON
    assert forged.headers["content-type"].startswith("text/html")
    assert "<title>错误 - 需要登录" in forged.text and "登录未完成" in forged.text


async def test_pages_ask_for_login(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        for path in ("/apply", "/apply/primary", "/cases/RX2026PXXXX", "/cases/RX2026PXXXX/step/3"):
            page = await http.get(path)
            expected = f"/auth/login?next={path}"  # back to the page after the login
            assert page.status_code == 303 and page.headers["location"] == expected, path
        posted = await http.post("/cases/RX2026PXXXX/submit")
        assert posted.status_code == 303 and posted.headers["location"] == "/auth/login"
