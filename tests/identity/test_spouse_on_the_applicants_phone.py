"""Issue 23: the spouse opens the link on the applicant's phone, where the applicant is still
signed in. Not a dead end: the page says whose account it is and lets the spouse sign out and in
as themselves, back to the same link."""

import httpx

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.identity import PHONE, sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.sandbox import _login
from tests.support.session import logged_in


async def test_the_spouse_signs_in_as_themselves_on_the_applicants_phone(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    phone = await logged_in(web, sandbox, WANG)  # the applicant's phone, the applicant signed in
    body = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    no = (await phone.post("/api/v1/cases", json=body)).json()["case_no"]
    invite = {"spouse_id_number": LIU, "spouse_phone": PHONE}
    assert (await phone.post(f"/api/v1/cases/{no}/spouse/invite", json=invite)).status_code == 202
    link = await sms_link(sandbox, web, db)

    opened = await phone.get(link)
    assert opened.status_code == 403 and 'id="wrong-person"' in opened.text
    assert 'id="switch-person"' in opened.text and "王*" in opened.text
    switched = await phone.post(f"{link}/switch")
    assert switched.status_code == 303
    assert (await phone.get("/apply")).status_code == 303  # the applicant is signed out here
    login = await phone.get(switched.headers["location"])
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        back = await _login(browser, login.headers["location"], LIU)
    landed = await phone.get(back.headers["location"])
    assert landed.headers["location"] == link  # back to the link, as the spouse
    form = await phone.get(link)
    assert form.status_code == 200 and 'id="consent-agree"' in form.text
    await phone.aclose()
