"""The spouse authorises as themselves through the independent provider: an SMS link, the
spouse's own real-name login, consent in the spouse's own session; the guardian continues."""

import httpx

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
    standard: Standard, sandbox: ServerThread, schools: None
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
    sent = await guardian.post(
        f"/cases/{no}/spouse/invite", data={"spouse_id": LIU, "spouse_phone": PHONE}
    )
    assert sent.status_code == 303, sent.text
    waiting = await guardian.get(sent.headers["location"])
    assert 'id="spouse-status"' in waiting.text and "spouse-continue" not in waiting.text
    early = await guardian.post(f"/cases/{no}/spouse/invite/continue")
    assert early.headers["location"] == f"/cases/{no}/spouse/invite"  # not yet
    link = await sms_link(sandbox, app)

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
    standard: Standard, sandbox: ServerThread, schools: None
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
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        texts = (await http.get("/_sandbox/sms", params={"phone": "13800000001"})).json()
    assert len(texts) == 5
    await guardian.aclose()


async def test_spouse_link_through_the_api(
    standard: Standard, sandbox: ServerThread, schools: None
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
    link = await sms_link(sandbox, app)
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


async def test_sms_gateway_down_is_told_not_a_500(
    standard: Standard, settings: Settings, schools: None
) -> None:
    from ruxue.web.app import create_app

    url = standard.spare[0]
    config = {"idp_url": standard.provider, "public_url": url, "sms_url": f"{free_url()}/sms"}
    with ServerThread(create_app(settings.model_copy(update=config)), port_of(url)) as app:
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
        assert page.status_code == 503 and "短信暂时无法发送" in page.text
        api = await guardian.post(
            f"/api/v1/cases/{no}/spouse/invite",
            json={"spouse_id_number": LIU, "spouse_phone": PHONE},
        )
        assert api.status_code == 503 and api.json()["error"] == "unavailable"
        await guardian.aclose()


def free_url() -> str:
    return f"http://127.0.0.1:{free_port()}"  # nothing listens there


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])
