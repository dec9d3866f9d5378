"""The 王 guardian in headless Chromium (Debian's), through the sandbox login and the seven steps
to the notice; a 375×812 screenshot of each step goes to test-artifacts/screenshots/."""

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from tests.enrollment.test_assess import LIU, WANG, WANG_CHILD
from tests.helpers import ServerThread
from tests.tools import checked_pdf_text
from tests.web.session import last_sms_code

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed",
)


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


async def test_wang_guardian_completes_the_seven_steps(
    web: ServerThread, sandbox: ServerThread, schools: None
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
        await page.click("#submit")
        await page.wait_for_selector("#result")
        assert await page.inner_text("#result") == "已发放学位告知书"
        assert await page.inner_text("#school") == "苏州市平江实验学校"
        await shot(page, "8-notice-issued")

        href = await page.get_attribute("#notice", "href")
        assert href
        pdf = await page.request.get(f"{web.url}{href}")
        assert pdf.ok
        text = await asyncio.to_thread(checked_pdf_text, await pdf.body())
        assert "苏州市平江实验学校" in text and "王小明" in text
        await browser.close()
