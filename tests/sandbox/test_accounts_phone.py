"""Found walking the demo: step 3 asks for the spouse's mobile number as the identity platform
holds it, so the sandbox lists each test account's number beside its ID number (JSON and page)."""

import httpx

from ruxue.sandbox.idp import phone_of
from tests.support.helpers import ServerThread
from tests.support.personas import LIU


async def test_each_test_account_shows_the_number_the_platform_holds(sandbox: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        accounts = (await http.get("/_sandbox/accounts")).json()
        home = (await http.get("/")).text
    liu = next(a for a in accounts if a["id_number"] == LIU)
    assert liu["phone"] == phone_of(LIU)
    assert phone_of(LIU) in home and "实名登记手机号" in home
