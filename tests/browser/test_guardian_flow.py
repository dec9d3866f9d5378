"""The 王 guardian in headless Chromium (Debian's), through the sandbox login and the seven steps
to the notice; a 375×812 screenshot of each step goes to test-artifacts/screenshots/."""

import asyncio

import pytest
from playwright.async_api import async_playwright

from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.browser import (
    CHROMIUM,
    FLAGS,
    pytestmark,  # noqa: F401 (the module's marks)
    shot,
)
from tests.support.helpers import ServerThread
from tests.support.notice import make_document
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import last_sms_code
from tests.support.tools import checked_pdf_text


@pytest.mark.slow
async def test_wang_guardian_completes_the_seven_steps(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN")
        await page.goto(web.url)
        await page.click("#login")
        await page.fill("#id_number", WANG)
        await shot(page, "1a-sandbox-login")
        await page.click("#send-code")
        code = await page.inner_text("#otp")
        await page.fill("#code", code)
        await page.click("#login")
        await page.wait_for_url(f"{web.url}/apply")
        await shot(page, "1-logged-in")

        await page.click("#start-primary")
        await page.fill("#child_id", WANG_CHILD)
        await page.check("#consent")
        await shot(page, "2-child")
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        await page.fill("#spouse_id", LIU)
        await page.click("#spouse-send")
        await page.fill("#code", await last_sms_code(sandbox))
        await shot(page, "3-spouse")
        await page.click("#spouse-confirm")

        await page.wait_for_selector("#status-ok")  # step 4 asks the departments on its own
        await shot(page, "4-student-status")
        await page.click("#next")
        await page.wait_for_url("**/step/5")
        assert await page.is_checked(
            "input[name=cert_no][value^='苏(2020)']"
        )  # the suggested residence
        await shot(page, "5-property")
        await page.click("#next")
        await page.wait_for_selector("#no-materials")
        await shot(page, "6-materials")
        await page.click("#next")
        await page.wait_for_url("**/step/7")
        await shot(page, "7-confirm")
        await page.check("#pledge")  # the 诚信承诺
        await page.click("#submit")
        await page.wait_for_selector("#result")
        assert await page.inner_text("#result") == "已发放学位告知书"
        assert await page.inner_text("#school") == "苏州市平江实验学校"
        await shot(page, "8-notice-issued")

        href = await page.get_attribute("#notice", "href")
        assert href
        early = await page.request.get(f"{web.url}{href}")  # before the filing job sealed it
        assert early.status == 202 and (await early.json())["status"] == "preparing"
        async with page.expect_popup() as opened:  # the link, as the guardian taps it
            await page.click("#notice")
        tab = await opened.value
        await tab.wait_for_selector("#notice-preparing")  # the notice's page says so
        assert tab.url.endswith(f"/cases/{href.split('/')[-2]}/notice.html")
        await shot(tab, "8b-notice-preparing")
        await make_document(db, settings, href.split("/")[-2])  # the job, in the worker
        await tab.wait_for_selector("#notice-pdf", timeout=10_000)  # it looked again by itself
        pdf = await page.request.get(f"{web.url}{href}")
        assert pdf.ok
        text = await asyncio.to_thread(checked_pdf_text, await pdf.body())
        assert "苏州市平江实验学校" in text and "王小明" in text
        await browser.close()


@pytest.mark.slow
async def test_mistyped_id_is_told_beside_the_field_and_the_guardian_can_withdraw_and_leave(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    mistyped = WANG_CHILD[:-1] + "4"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN")
        await page.goto(web.url)
        await page.click("#login")
        await page.fill("#id_number", WANG)
        await page.click("#send-code")
        await page.fill("#code", await page.inner_text("#otp"))
        await page.click("#login")
        await page.wait_for_url(f"{web.url}/apply")

        await page.click("#start-primary")
        await page.fill("#child_id", mistyped)
        await page.check("#consent")
        await page.click("#next")
        await page.wait_for_selector("#child_id-error")
        assert "校验位不正确" in await page.inner_text("#child_id-error")
        assert await page.input_value("#child_id") == mistyped  # what was typed stays
        assert await page.get_attribute("#child_id", "aria-invalid") == "true"
        assert await page.is_checked("#consent")  # and the consent given stays given
        assert not (await page.inner_text("body")).lstrip().startswith("{")  # no raw JSON
        await shot(page, "2x-mistyped-id")

        await page.fill("#child_id", WANG_CHILD)
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        assert "第 3 步，共 7 步" in await page.inner_text("#progress-text")
        assert await page.inner_text("li[aria-current=step] em") == "配偶信息"
        await page.click("#single-parent")  # 王磊 is married to the mother: the records say so
        await page.wait_for_selector("#records-married")
        await page.click("#single-contest")
        await page.wait_for_selector("#status-ok")
        assert "第 4 步，共 7 步" in await page.inner_text("#progress-text")
        assert await page.inner_text("li[aria-current=step] em") == "学籍核验"

        await page.click("#withdraw-link")
        await page.wait_for_url("**/withdraw")
        await shot(page, "4x-withdraw-confirm")
        await page.click("#confirm-withdraw")
        await page.wait_for_selector("#result")
        assert await page.inner_text("#result") == "已撤回"
        await shot(page, "4y-withdrawn")

        missing = await page.goto(f"{web.url}/cases/RX2026P0000000000")  # not this family's
        assert missing is not None and missing.status == 404
        assert await page.inner_text("h1") == "页面不存在"
        assert await page.title() == "错误 - 页面不存在 · 入学“一件事”"
        await shot(page, "9-not-found")
        await page.click("#back")
        await page.wait_for_url(f"{web.url}/apply")

        await page.click("#logout")
        await page.wait_for_selector("#login")
        await page.goto(f"{web.url}/apply")
        assert page.url.startswith(f"{sandbox.url}/idp/")  # signed out: sent to log in again
        await browser.close()
