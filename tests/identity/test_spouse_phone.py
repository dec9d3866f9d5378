"""Issue 22: the spouse's link went to any number the guardian typed. It goes only to the phone
the identity platform verified for the spouse; another number is refused, in Chinese, with the
platform's number masked, and nothing is texted to it."""

import httpx
import pytest
from sqlalchemy import func, select

from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.models import Notification
from ruxue.notify.tasks import send_pending
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.identity import sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

STRANGER = "13800000001"


async def test_the_link_goes_only_to_the_spouses_verified_phone(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "spouse_method", "link")  # production's way
    guardian = await logged_in(web, sandbox, WANG)
    start = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    no = (await guardian.post("/api/v1/cases", json=start)).json()["case_no"]
    verified = phone_of(LIU)
    masked = verified[:3] + "****" + verified[-4:]

    api = f"/api/v1/cases/{no}/spouse/invite"
    refused = await guardian.post(api, json={"spouse_id_number": LIU, "spouse_phone": STRANGER})
    assert refused.status_code == 400, refused.text
    assert "不是配偶在省统一身份认证平台实名登记的号码" in refused.json()["message"]
    assert masked in refused.json()["message"] and verified not in refused.text
    page = await guardian.post(
        f"/cases/{no}/spouse/invite", data={"spouse_id": LIU, "spouse_phone": STRANGER}
    )
    assert page.status_code == 400 and masked in page.text
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
    await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms"))
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        assert (await http.get("/_sandbox/sms", params={"phone": STRANGER})).json() == []

    sent = await guardian.post(api, json={"spouse_id_number": LIU, "spouse_phone": verified})
    assert sent.status_code == 202, sent.text
    assert (await sms_link(sandbox, web, db, verified)).startswith("/spouse/")
    await guardian.aclose()
