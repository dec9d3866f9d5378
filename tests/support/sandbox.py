"""Shared test support moved from tests/sandbox/test_idp.py (imported by other test modules)."""

import html
import re

import httpx

GUARDIAN = "320508198801010110"


def _field(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no field {name} in page"
    return html.unescape(match.group(1))


async def _login(
    http: httpx.AsyncClient, authorize_url: str, id_number: str = GUARDIAN
) -> httpx.Response:
    page = await http.get(authorize_url)
    assert page.status_code == 200, page.text
    query = _field(page.text, "query")
    sent = await http.post("/idp/authorize/sms", data={"query": query, "id_number": id_number})
    assert sent.status_code == 200, sent.text
    code = re.search(r'<strong id="otp">(\d{6})</strong>', sent.text)
    assert code
    return await http.post(
        "/idp/authorize/verify",
        data={"query": query, "txn": _field(sent.text, "txn"), "code": code.group(1)},
    )
