"""Log a guardian in to the app through the sandbox, as a browser would (for API tests)."""

import re

import httpx

from tests.support.helpers import ServerThread
from tests.support.sandbox import _login


async def logged_in(web: ServerThread, sandbox: ServerThread, id_number: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=web.url, timeout=30)
    start = await http.get("/auth/login")
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        back = await _login(browser, start.headers["location"], id_number)
    callback = await http.get(back.headers["location"])
    assert callback.status_code == 303, callback.text
    return http


async def last_sms_code(sandbox: ServerThread) -> str:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        messages = (await http.get("/_sandbox/sms")).json()
    match = re.search(r"验证码(\d{6})", messages[0]["text"])
    assert match, messages[0]
    return match.group(1)
