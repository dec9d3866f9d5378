"""A guardian at a self-service terminal (1080×1920 portrait, Debian's Chromium): card read and face
match, the seven steps on the on-screen keypad, the notice printed through the terminal's agent
(the test plays the agent; its PDF passes qpdf --check), and the idle timeout wiping the screen and
the session. Screenshots go to test-artifacts/screenshots/kiosk-*.png."""

import asyncio
import os

import httpx
import pytest
from playwright.async_api import Page, async_playwright
from sqlalchemy import select

from ruxue.cases.models import Case
from ruxue.kiosk.service import add_terminal
from ruxue.kit.db import Database
from ruxue.rating.models import Rating
from ruxue.settings import Settings
from tests.support.browser import CHROMIUM, FLAGS, shot
from tests.support.helpers import ServerThread
from tests.support.notice import make_document
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import last_sms_code
from tests.support.tools import checked_pdf_text

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed",
)
PORTRAIT = {"width": 1080, "height": 1920}


async def key_in(page: Page, target: str, digits: str) -> None:
    """Touch the on-screen keypad of ``target``, one key per character."""
    for key in digits:
        await page.click(f".k-keypad[data-target={target}] [data-key='{key}']")
    assert await page.input_value(f"#{target}") == digits


async def kiosk_page(page: Page, base: str, code: str, key: str) -> None:
    await page.goto(f"{base}/kiosk")
    await page.wait_for_url("**/kiosk/activate")
    await page.fill("#code", code)
    await page.fill("#key", key)
    await page.click("#activate")
    await page.wait_for_url(f"{base}/kiosk")


@pytest.mark.slow
async def test_guardian_enrolls_prints_and_the_terminal_wipes_itself(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    async with db.write_session() as session:
        key = await add_terminal(session, "KSK-GS-001", "姑苏区政务服务中心一楼")
    agent = httpx.AsyncClient(
        base_url=web.url, headers={"authorization": f"Kiosk KSK-GS-001:{key}"}, timeout=30
    )
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport=PORTRAIT, locale="zh-CN")
        await kiosk_page(page, web.url, "KSK-GS-001", key)
        await key_in(page, "card_id", WANG)
        await shot(page, "kiosk-1-welcome")
        await page.click("#read-card")
        await page.wait_for_selector("#face-check")
        assert await page.inner_text("#card-name") == "王*国"  # masked on the screen
        await shot(page, "kiosk-2-card-read")
        await page.click("#face-check")
        await page.wait_for_url("**/kiosk/home")

        await page.click("#start-primary")
        await key_in(page, "child_id", WANG_CHILD)
        await page.check("#consent")
        await shot(page, "kiosk-3-child")
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        await key_in(page, "spouse_id", LIU)
        await page.click("#spouse-send")
        await key_in(page, "code", await last_sms_code(sandbox))
        await page.click("#spouse-confirm")
        await page.wait_for_url("**/step/4")
        await page.click("#check")
        await page.wait_for_selector("#status-ok")
        await shot(page, "kiosk-4-checked")
        await page.click("#next")
        await page.wait_for_url("**/step/5")
        await page.click("#next")
        await page.wait_for_url("**/step/6")
        await page.click("#next")
        await page.wait_for_url("**/step/7")
        await page.click("#submit")
        await page.wait_for_selector("#result")
        assert await page.inner_text("#result") == "已发放学位告知书"
        assert "自助终端" in await page.inner_text("main")
        notice_no = await page.inner_text("#notice-no")
        await shot(page, "kiosk-5-notice")

        assert (await agent.get("/api/v1/kiosk/print-jobs")).json() == []
        await page.click("#print")
        await page.wait_for_selector("#printing")
        assert await page.inner_text("#printing") == "已发送到本机打印机"  # nothing printed yet
        await shot(page, "kiosk-6-printing")
        jobs = (await agent.get("/api/v1/kiosk/print-jobs")).json()
        assert len(jobs) == 1
        early = await agent.get(jobs[0]["url"])  # before the filing job sealed the notice
        assert early.status_code == 202 and 2 <= int(early.headers["retry-after"]) <= 30
        await page.click("#print-refresh")
        assert (
            await page.inner_text("#printing") == "已发送到本机打印机"
        )  # not taken: still waiting
        async with db.read_session() as session:
            no = await session.scalar(select(Case.case_no).where(Case.notice_no == notice_no))
        await make_document(db, settings, str(no))  # the filing job, in the worker
        pdf = await agent.get(jobs[0]["url"])
        await page.click("#print-refresh")
        assert await page.inner_text("#printing") == "正在打印"  # the agent has taken it
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = await asyncio.to_thread(checked_pdf_text, pdf.content)  # qpdf --check passes
        assert notice_no in text and "苏州市平江实验学校" in text
        assert (await agent.get(jobs[0]["url"])).status_code == 409  # printed once
        assert (
            await agent.post(f"/api/v1/kiosk/print-jobs/{jobs[0]['id']}/printed")
        ).status_code == 200
        assert (await agent.get("/api/v1/kiosk/print-jobs")).json() == []
        await page.click("#print-refresh")
        assert await page.inner_text("#printing") == "打印完成"

        await page.click("#rate-link")
        await page.click("#level-5 + span")
        for i in range(1, 4):  # ind-0 (整体满意度) is the 总体评价 above
            await page.click(f"#ind-{i}-4 + span")
        await shot(page, "kiosk-7-rating")
        await page.click("#rate")
        await page.wait_for_selector("#current-rating")
        assert "非常满意" in await page.inner_text("#current-rating")

        monkeypatch.setattr(settings, "kiosk_idle_seconds", 5)  # the test's short timeout
        await page.click("text=返回办件")
        await page.wait_for_selector("#idle-warning:not([hidden])", timeout=10_000)
        assert int(await page.inner_text("#idle-count")) <= 2
        await shot(page, "kiosk-8-idle-countdown")
        await page.wait_for_url(f"{web.url}/kiosk", timeout=10_000)
        await page.wait_for_selector("#read-card")
        body = await page.inner_text("body")
        assert notice_no not in body and "王" not in body and "已发放" not in body
        assert await page.input_value("#card_id") == ""
        await shot(page, "kiosk-9-wiped")
        await page.go_back()  # the browser's history gives nothing back: the session is gone
        await page.wait_for_url(f"{web.url}/kiosk")
        assert notice_no not in await page.inner_text("body")
        back = await page.goto(f"{web.url}/kiosk/home")
        assert back is not None and back.url == f"{web.url}/kiosk"
        await browser.close()
    await agent.aclose()
    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.notice_no == notice_no))).one()
        rating = (await session.scalars(select(Rating).where(Rating.case_id == case.id))).one()
    assert case.channel == "kiosk" and (rating.channel, rating.level) == ("kiosk", 5)
