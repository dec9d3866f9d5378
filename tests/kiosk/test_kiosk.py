"""The terminal's refusals over real HTTP: a face that does not match, a forged card, the
identity platform down, a browser that is not a terminal, an agent without its key or with another
terminal's key, and a job too old to print."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import update

from ruxue.kiosk.models import PrintJob
from ruxue.kit.db import Database
from ruxue.sandbox.app import face_of
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.identity import sms_link
from tests.support.kiosk import _read, _screen, _terminal
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.sandbox import _login
from tests.support.session import logged_in


async def test_login_needs_the_card_and_the_same_face(
    web: ServerThread, sandbox: ServerThread, db: Database, faults: httpx.AsyncClient
) -> None:
    key = await _terminal(db, "KSK-T-1")
    stranger = httpx.AsyncClient(base_url=web.url)
    assert (await stranger.get("/kiosk")).headers["location"] == "/kiosk/activate"
    wrong_key = _screen(web, "KSK-T-1", "guessed")
    assert (await wrong_key.get("/kiosk/home")).headers["location"] == "/kiosk/activate"

    screen = _screen(web, "KSK-T-1", key)
    other_face = await screen.post("/kiosk/login", data=_read(WANG, "王建国", face_of(LIU)))
    assert other_face.status_code == 400 and "人脸比对未通过" in other_face.text
    forged = await screen.post(
        "/kiosk/login", data=_read(WANG, "王建国") | {"card_serial": "0" * 16}
    )
    assert forged.status_code == 400 and "身份证读取无效" in forged.text
    assert (await screen.get("/kiosk/home")).headers["location"] == "/kiosk"  # nobody signed in

    await faults.put("/_sandbox/faults/kiosk", json={"outage": True})
    down = await screen.post("/kiosk/login", data=_read(WANG, "王建国"))
    assert down.status_code == 503 and "暂时不可用" in down.text and "窗口办理" in down.text
    await faults.delete("/_sandbox/faults")

    signed = await screen.post("/kiosk/login", data=_read(WANG, "王建国"))
    assert signed.status_code == 303 and signed.headers["location"] == "/kiosk/home"
    home = await screen.get("/kiosk/home")
    assert home.status_code == 200 and "王*国" in home.text and 'data-idle="90"' in home.text
    other_terminal = _screen(web, "KSK-T-2", await _terminal(db, "KSK-T-2"))
    other_terminal.cookies.set("ruxue_session", screen.cookies.get("ruxue_session") or "")
    assert (await other_terminal.get("/kiosk/home")).status_code == 303  # not this terminal's
    assert (await screen.post("/kiosk/end")).headers["location"] == "/kiosk"
    assert (await screen.get("/kiosk/home")).headers["location"] == "/kiosk"
    for client in (stranger, wrong_key, screen, other_terminal):
        await client.aclose()


async def test_an_old_job_is_not_printed(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    key, other_key = await _terminal(db, "KSK-O-1"), await _terminal(db, "KSK-O-2")
    guardian = await logged_in(web, sandbox, WANG)
    await apply(
        guardian, sandbox, "primary", WANG_CHILD, LIU
    )  # an online case, signed in again at a terminal
    screen = _screen(web, "KSK-O-1", key)
    await screen.post("/kiosk/login", data=_read(WANG, "王建国"))
    cases = (await guardian.get("/api/v1/cases")).json()
    no = cases[0]["case_no"]
    queued = await screen.post(f"/kiosk/cases/{no}/print", follow_redirects=True)
    assert "已发送到本机打印机" in queued.text and "正在打印" not in queued.text
    anonymous = httpx.AsyncClient(base_url=web.url)
    assert (await anonymous.get("/api/v1/kiosk/print-jobs")).status_code == 401
    swapped = {"authorization": f"Kiosk KSK-O-1:{other_key}"}
    assert (await anonymous.get("/api/v1/kiosk/print-jobs", headers=swapped)).status_code == 401
    mine = httpx.AsyncClient(base_url=web.url, headers={"authorization": f"Kiosk KSK-O-1:{key}"})
    theirs = httpx.AsyncClient(
        base_url=web.url, headers={"authorization": f"Kiosk KSK-O-2:{other_key}"}
    )
    jobs = (await mine.get("/api/v1/kiosk/print-jobs")).json()
    assert len(jobs) == 1 and (await theirs.get("/api/v1/kiosk/print-jobs")).json() == []
    assert (await theirs.get(jobs[0]["url"])).status_code == 404
    async with db.write_session() as session:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)  # the family left long ago
        await session.execute(update(PrintJob).values(created_at=old))
    assert (await mine.get("/api/v1/kiosk/print-jobs")).json() == []
    assert (await mine.get(jobs[0]["url"])).status_code == 404
    for client in (guardian, screen, mine, theirs, anonymous):
        await client.aclose()


async def test_spouse_consents_by_link_while_the_guardian_waits_at_the_terminal(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(settings, "spouse_method", "link")  # production's way
    screen = _screen(web, "KSK-L-1", await _terminal(db, "KSK-L-1"))
    await screen.post("/kiosk/login", data=_read(WANG, "王建国"))
    started = await screen.post(
        "/kiosk/apply/primary", data={"child_id": WANG_CHILD, "consent": "1"}
    )
    no = started.headers["location"].split("/")[3]
    step3 = await screen.get(started.headers["location"])
    assert 'id="spouse-invite"' in step3.text and 'id="spouse_phone"' in step3.text
    early = await screen.post(f"/kiosk/cases/{no}/spouse/invite/continue")
    assert early.headers["location"] == f"/kiosk/cases/{no}/spouse/invite"
    sent = await screen.post(
        f"/kiosk/cases/{no}/spouse/invite", data={"spouse_id": LIU, "spouse_phone": phone_of(LIU)}
    )
    assert sent.headers["location"] == f"/kiosk/cases/{no}/spouse/invite"
    assert "授权链接正在以短信发往配偶手机" in (await screen.get(sent.headers["location"])).text
    link = await sms_link(sandbox, web, db, phone_of(LIU))
    async with (
        httpx.AsyncClient(base_url=web.url) as spouse,
        httpx.AsyncClient(base_url=sandbox.url) as browser,
    ):
        start = await spouse.get("/auth/login", params={"next": link})
        back = await _login(browser, start.headers["location"], LIU)
        await spouse.get(back.headers["location"])
        assert "consent-done" in (await spouse.post(f"{link}/consent", data={"agree": "yes"})).text
    assert 'id="spouse-continue"' in (await screen.get(f"/kiosk/cases/{no}/spouse/invite")).text
    done = await screen.post(f"/kiosk/cases/{no}/spouse/invite/continue")
    assert done.headers["location"] == f"/kiosk/cases/{no}/step/4"
    await screen.aclose()


async def test_the_elder_switch_is_on_the_kiosk_too(web: ServerThread, db: Database) -> None:
    key = await _terminal(db, "KSK-T-E")
    async with _screen(web, "KSK-T-E", key) as screen:
        plain = await screen.get("/kiosk")
        assert 'id="mode-switch"' in plain.text and 'class="elder"' not in plain.text
        switched = await screen.get("/mode", params={"elder": "1", "next": "/kiosk"})
        assert switched.headers["location"] == "/kiosk"
        elder = await screen.get("/kiosk")
        assert '<html lang="zh-CN" class="elder">' in elder.text and "标准版" in elder.text
