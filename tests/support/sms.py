"""Shared test support moved from tests/enrollment/test_who_may_apply.py (imported by other test modules)."""

import httpx

from ruxue.sandbox.idp import phone_of
from tests.support.helpers import ServerThread

PINGJIANG, DONGWU = "3205080101", "3205060101"


async def sms_count(sandbox: ServerThread) -> int:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        return len((await http.get("/_sandbox/sms")).json())


async def sms_to(sandbox: ServerThread, id_number: str) -> list[dict[str, str]]:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        got = await http.get("/_sandbox/sms", params={"phone": phone_of(id_number)})
        return got.json()  # type: ignore[no-any-return]
