"""An administrator revokes a seat notice on the staff case page (撤销学位告知书, Debian's Chromium);
the public verify page then says 已撤销. Screenshots: test-artifacts/screenshots/licence-*.png."""

import os

import pytest
from playwright.async_api import async_playwright

from ruxue.kit.db import Database
from tests.support.browser import CHROMIUM, FLAGS, shot
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_login

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed",
)


@pytest.mark.slow
async def test_admin_revokes_a_notice_and_the_verify_page_says_so(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    await guardian.aclose()
    no, verify_url = case["case_no"], case["verify_url"]
    secret = await make_staff(db, "city-admin", "admin")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        await page.goto(verify_url.replace("http://127.0.0.1:8000", web.url))
        assert await page.inner_text("#verdict") == "有效"
        assert "有效" in await page.inner_text("#licence-status")
        await staff_login(page, web.url, "city-admin", secret)
        await page.goto(f"{web.url}/staff/cases/{no}")
        await page.click("#revoke")  # the reason is required: the browser keeps the form
        assert await page.locator("#revoke-form").count() == 1
        await page.fill("#revoke-reason", "经核实房产已于报名前出售，不符合A类条件")
        await shot(page, "licence-1-revoke-form")
        await page.click("#revoke")
        await page.wait_for_selector("#history")
        assert await page.locator("#revoke-form").count() == 0
        assert "撤销学位告知书" in await page.inner_text("#history")
        await page.goto(verify_url.replace("http://127.0.0.1:8000", web.url))
        assert await page.inner_text("#verdict") == "已撤销"
        assert await page.inner_text("#licence-status") == "已撤销"
        assert case["notice_no"] in await page.inner_text("main")
        await shot(page, "licence-2-verify-revoked")
        await browser.close()
