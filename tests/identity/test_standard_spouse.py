"""The spouse authorises as themselves through the independent provider: an SMS link, the
spouse's own real-name login, consent in the spouse's own session; the guardian continues."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway, gateway_of
from ruxue.notify.models import Notification
from ruxue.notify.tasks import send_pending
from ruxue.settings import Settings
from tests.support.helpers import ServerThread, free_port
from tests.support.identity import PHONE, Standard, login, sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD, ZHOU
from tests.support.standard import at_provider


async def spouse_logs_in(app: ServerThread, link: str, who: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=app.url, timeout=30)
    page = await http.get(link)
    assert page.status_code == 200 and "户籍、房产、婚姻" in page.text and "王*国" in page.text
    start = await http.get(f"/auth/login?next={link}")
    async with httpx.AsyncClient(timeout=30) as browser:
        back = await at_provider(browser, start.headers["location"], who, app.url)
    callback = await http.get(back)
    assert callback.status_code == 303 and callback.headers["location"] == link
    return http


async def test_spouse_authorises_by_link(
    standard: Standard, sandbox: ServerThread, schools: None, db: Database
) -> None:
    app = standard.rp
    async with httpx.AsyncClient(timeout=30) as browser:
        guardian = await login(app, browser, WANG)
    created = await guardian.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    no = created.json()["case_no"]
    step3 = await guardian.get(f"/cases/{no}/step/3")
    assert 'action="/cases/' in step3.text and "发送授权链接" in step3.text
    assert 'id="why-phone"' in step3.text and "已在省统一身份认证平台实名登记" in step3.text
    sent = await guardian.post(
        f"/cases/{no}/spouse/invite", data={"spouse_id": LIU, "spouse_phone": PHONE}
    )
    assert sent.status_code == 303, sent.text
    waiting = await guardian.get(sent.headers["location"])
    assert 'id="spouse-status"' in waiting.text and "spouse-continue" not in waiting.text
    assert f"<b>{PHONE[:3]}****{PHONE[7:]}</b>" in waiting.text  # the number texted, masked
    assert PHONE not in waiting.text
    early = await guardian.post(f"/cases/{no}/spouse/invite/continue")
    assert early.headers["location"] == f"/cases/{no}/spouse/invite"  # not yet
    link = await sms_link(sandbox, app, db)

    stranger = await spouse_logs_in(app, link, ZHOU)  # someone else who got the link
    refused = await stranger.get(link)
    assert refused.status_code == 403 and "不是发给您的" in refused.text
    assert (await stranger.post(f"{link}/consent", data={"agree": "yes"})).status_code == 403
    await stranger.aclose()

    spouse = await spouse_logs_in(app, link, LIU)
    form = await spouse.get(link)
    assert "consent-agree" in form.text
    assert '<p id="signed-in-as">当前登录：刘* 320508********0421</p>' in form.text
    assert "刘芳" not in form.text and LIU not in form.text
    agreed = await spouse.post(f"{link}/consent", data={"agree": "yes"})
    assert agreed.status_code == 200 and "consent-done" in agreed.text
    await spouse.aclose()

    ready = await guardian.get(f"/cases/{no}/spouse/invite")
    assert "spouse-continue" in ready.text
    done = await guardian.post(f"/cases/{no}/spouse/invite/continue")
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{no}/step/4"
    case = (await guardian.get(f"/api/v1/cases/{no}")).json()
    assert any("配偶" in str(f) for f in case["fetched"]), case["fetched"]
    await guardian.aclose()


async def test_link_only_to_the_other_parent_and_not_too_often(
    standard: Standard, sandbox: ServerThread, schools: None, db: Database
) -> None:
    app = standard.rp
    async with httpx.AsyncClient(timeout=30) as browser:
        guardian = await login(app, browser, WANG)
    created = await guardian.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    no = created.json()["case_no"]
    invite = f"/cases/{no}/spouse/invite"
    stranger = await guardian.post(invite, data={"spouse_id": ZHOU, "spouse_phone": "13800000001"})
    assert stranger.status_code == 400 and "不是学生的父亲或母亲" in stranger.text
    bad_phone = await guardian.post(invite, data={"spouse_id": LIU, "spouse_phone": "12345"})
    assert bad_phone.status_code == 400 and "11位手机号码" in bad_phone.text
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        assert (await http.get("/_sandbox/sms", params={"phone": "13800000001"})).json() == []
    answers = [
        (await guardian.post(invite, data={"spouse_id": LIU, "spouse_phone": "13800000001"}))
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [303] * 5 + [429]
    assert "Retry-After" in answers[-1].headers
    assert await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms")) == 5
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        texts = (await http.get("/_sandbox/sms", params={"phone": "13800000001"})).json()
    assert len(texts) == 5
    await guardian.aclose()


async def test_spouse_link_through_the_api(
    standard: Standard, sandbox: ServerThread, schools: None, db: Database
) -> None:
    app = standard.rp
    async with httpx.AsyncClient(timeout=30) as browser:
        guardian = await login(app, browser, WANG)
    created = await guardian.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    no = created.json()["case_no"]
    api = f"/api/v1/cases/{no}/spouse/invite"
    assert (await guardian.get(api)).json() == {"status": "none"}
    sent = await guardian.post(api, json={"spouse_id_number": LIU, "spouse_phone": PHONE})
    assert sent.status_code == 202 and sent.json() == {"status": "pending"}
    early = await guardian.post(f"{api}/continue")
    assert early.status_code == 409 and early.json()["error"] == "spouse_not_consented"
    link = await sms_link(sandbox, app, db)
    spouse = await spouse_logs_in(app, link, LIU)  # consent in the spouse's own session
    agreed = await spouse.post(f"{link}/consent", data={"agree": "yes"})
    assert agreed.status_code == 200 and "consent-done" in agreed.text
    await spouse.aclose()
    assert (await guardian.get(api)).json() == {"status": "consented"}
    done = await guardian.post(f"{api}/continue")
    assert done.status_code == 200, done.text
    assert done.json()["step"] == 4
    assert (await guardian.get(api)).json() == {"status": "none"}  # the link is spent
    await guardian.aclose()


async def test_the_link_waits_in_the_queue_while_the_sms_gateway_is_down(
    standard: Standard, settings: Settings, schools: None, db: Database
) -> None:
    """With the gateway down the invitation is taken (no 500, nothing lost): the link's SMS stays
    queued, and the notify job sends it once the gateway is back."""
    from ruxue.web.app import create_app

    url, gateway_port = standard.spare[0], free_port()  # nothing listens there yet
    config = {"public_url": url, "sms_url": f"http://127.0.0.1:{gateway_port}/sms"}
    config |= {"spouse_phone_check": "typed"}  # the provider has no person-phone API
    app_settings = settings.model_copy(update={"idp_url": standard.provider, **config})
    with ServerThread(create_app(app_settings), port_of(url)) as app:
        async with httpx.AsyncClient(timeout=30) as browser:
            guardian = await login(app, browser, WANG)
        created = await guardian.post(
            "/api/v1/cases",
            json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True},
        )
        no = created.json()["case_no"]
        page = await guardian.post(
            f"/cases/{no}/spouse/invite", data={"spouse_id": LIU, "spouse_phone": PHONE}
        )
        assert page.status_code == 303, page.text
        waiting = await guardian.get(page.headers["location"])
        assert "授权链接正在以短信发往配偶手机" in waiting.text
        await guardian.aclose()
    assert await send_pending(db, gateway_of(app_settings)) == 0  # the gateway is down
    assert await queued(db) == [("pending", 1)]
    received: list[dict[str, str]] = []
    with ServerThread(sms_gateway(received), gateway_port):  # the gateway is back
        assert await send_pending(db, gateway_of(app_settings)) == 1
    assert await queued(db) == [("sent", 2)]
    assert [m["phone"] for m in received] == [PHONE] and f"{url}/spouse/" in received[0]["text"]


async def queued(db: Database) -> list[tuple[str, int]]:
    async with db.read_session() as session:
        rows = await session.execute(select(Notification.status, Notification.attempts))
        return [(status, attempts) for status, attempts in rows]


def sms_gateway(received: list[dict[str, str]]) -> FastAPI:
    gateway = FastAPI()

    @gateway.post("/sms")
    async def send(message: dict[str, str]) -> dict[str, str]:
        received.append(message)
        return {"status": "ok"}

    return gateway


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])
