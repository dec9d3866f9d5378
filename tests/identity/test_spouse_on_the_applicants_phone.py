"""Issue 23: the spouse opens the link on the applicant's phone, where the applicant is still
signed in. Not a dead end: the page says whose account it is and lets the spouse sign out and in
as themselves, back to the same link."""

import httpx

from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.tasks import send_pending
from ruxue.sandbox.idp import phone_of
from tests.support.helpers import ServerThread
from tests.support.identity import sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.sandbox import _login
from tests.support.session import logged_in
from tests.support.sms import sms_to


async def test_the_spouse_signs_in_as_themselves_on_the_applicants_phone(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    phone = await logged_in(web, sandbox, WANG)  # the applicant's phone, the applicant signed in
    body = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    no = (await phone.post("/api/v1/cases", json=body)).json()["case_no"]
    invite = {"spouse_id_number": LIU, "spouse_phone": phone_of(LIU)}  # the verified number
    assert (await phone.post(f"/api/v1/cases/{no}/spouse/invite", json=invite)).status_code == 202
    link = await sms_link(sandbox, web, db, phone_of(LIU))

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
    assert '<strong id="child">王*明</strong>' in form.text  # the spouse page names the child
    agreed = await phone.post(f"{link}/consent", data={"agree": "yes"})
    assert agreed.status_code == 200 and 'id="consent-done"' in agreed.text
    await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms"))
    told = [m["text"] for m in await sms_to(sandbox, WANG) if "配偶已完成授权" in m["text"]]
    assert len(told) == 1 and no in told[0] and f"/cases/{no}/spouse/invite" in told[0]
    await phone.aclose()
