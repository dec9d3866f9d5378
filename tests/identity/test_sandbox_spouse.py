"""The spouse's link with the sandbox's own identity platform (what the demo runs)."""

import httpx

from ruxue.kit.db import Database
from ruxue.sandbox.idp import phone_of
from tests.support.helpers import ServerThread
from tests.support.identity import sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.sandbox import _login
from tests.support.session import logged_in


async def test_spouse_link_with_the_sandbox_platform(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    created = await guardian.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    no = created.json()["case_no"]
    api = f"/api/v1/cases/{no}/spouse/invite"
    sent = await guardian.post(api, json={"spouse_id_number": LIU, "spouse_phone": phone_of(LIU)})
    assert sent.status_code == 202, sent.text
    link = await sms_link(sandbox, web, db, phone_of(LIU))
    async with (
        httpx.AsyncClient(base_url=web.url) as spouse,
        httpx.AsyncClient(base_url=sandbox.url) as browser,
    ):
        start = await spouse.get("/auth/login", params={"next": link})
        back = await _login(browser, start.headers["location"], LIU)
        callback = await spouse.get(back.headers["location"])
        assert callback.headers["location"] == link
        agreed = await spouse.post(f"{link}/consent", data={"agree": "yes"})
        assert "consent-done" in agreed.text
    done = await guardian.post(f"{api}/continue")
    assert done.status_code == 200 and done.json()["step"] == 4, done.text
    await guardian.aclose()
