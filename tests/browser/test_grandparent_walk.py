"""Issue 23's walks, guardian side, in Debian's Chromium at 375×812, standard and 长辈版: the
grandfather 孙建华 from his guardianship request to the seat notice (a reviewer records the basis
in between), and 赵一鸣's family reading the refusal letter for its review rights. Screenshots go
to /tmp/ja-shots and test-artifacts/screenshots/."""

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.browser import CHROMIUM, FLAGS, shot
from tests.support.browser import pytestmark as chromium_required
from tests.support.grandparent import CHILD, GRANDPA, family_servers
from tests.support.helpers import ServerThread
from tests.support.personas import ZHAO, ZHAO_CHILD
from tests.support.staff import make_staff, staff_client

SHOTS = Path("/tmp/ja-shots")
PHONE = {"width": 375, "height": 812}
pytestmark = [pytest.mark.slow, chromium_required]


async def look(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    await shot(page, f"ja-{name}")


async def sign_in(page: Page, base: str, id_number: str, elder: bool) -> None:
    if elder:
        await page.goto(f"{base}/mode?elder=1&next=/")
        assert await page.get_attribute("html", "class") == "elder"
    await page.goto(f"{base}/auth/login")
    await page.fill("#id_number", id_number)
    await page.click("#send-code")
    await page.fill("#code", await page.inner_text("#otp"))
    await page.click("#login")
    await page.wait_for_url(f"{base}/apply")


@pytest.mark.parametrize("mode", ["standard", "elder"])
async def test_the_grandfather_from_his_request_to_the_notice(
    mode: str, settings: Settings, schools: None, db: Database
) -> None:
    with family_servers(settings) as (web, _sandbox):
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport=PHONE, locale="zh-CN")
            await sign_in(page, web.url, GRANDPA, mode == "elder")
            await page.goto(f"{web.url}/guardianship")
            await page.fill("#child_id", CHILD)
            await page.select_option("#relationship", "grandparent")
            await page.fill("#note", "父母在外地工作，孩子随我生活，法院已指定我为监护人")
            await look(page, f"gp-{mode}-1-request")
            await page.click("#file")
            await page.wait_for_selector("#filed")
            await look(page, f"gp-{mode}-2-filed")
            no = (await page.inner_text("#filed")).split("编号 ")[1].split("）")[0]
            reviewer = await staff_client(
                web, "rev-w", await make_staff(db, "rev-w", "reviewer", district="320508")
            )
            approved = await reviewer.post(
                f"/api/v1/review/guardianship/{no}/approve",
                json={"reason": "法院判决书属实", "basis": "court_order"},
            )
            assert approved.status_code == 200, approved.text
            await reviewer.aclose()

            await page.goto(f"{web.url}/apply")
            await page.click("#start-primary")
            await page.fill("#child_id", CHILD)
            await page.check("#consent")
            await page.click("#next")
            await page.wait_for_url("**/step/3")  # in the parents' place: nothing to do here
            text = await page.inner_text("main")
            assert "单独办理" in text and "您的配偶" not in text
            await look(page, f"gp-{mode}-3-alone")
            await page.click("#stands-in-next")
            await page.wait_for_selector("#status-ok")
            await look(page, f"gp-{mode}-4-student-status")
            await page.click("#next")
            await page.wait_for_url("**/step/5")
            await look(page, f"gp-{mode}-5-property")
            await page.click("#next")
            await page.wait_for_selector("#no-materials")  # no 结婚证 asked of anyone
            await look(page, f"gp-{mode}-6-materials")
            await page.click("#next")
            await page.wait_for_url("**/step/7")
            await look(page, f"gp-{mode}-7-confirm")
            await page.check("#pledge")
            await page.click("#submit")
            await page.wait_for_selector("#result")
            assert await page.inner_text("#result") == "已发放学位告知书"
            assert await page.inner_text("#school") == "苏州市平江实验学校"
            facts = await page.text_content("main") or ""  # the facts may be folded away
            assert no in facts and "法院判决或裁定指定监护" in facts
            await look(page, f"gp-{mode}-8-notice")
            await browser.close()


@pytest.mark.parametrize("mode", ["standard", "elder"])
async def test_the_refusal_letter_read_for_its_review_rights(
    mode: str, web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport=PHONE, locale="zh-CN")
        await sign_in(page, web.url, ZHAO, mode == "elder")
        await page.click("#start-primary")
        await page.fill("#child_id", ZHAO_CHILD)
        await page.check("#consent")
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        await page.click("#single-parent")
        await page.click("#single-confirm")
        await page.wait_for_selector("#will-refuse")  # step 4 says what submitting will do
        await look(page, f"refusal-{mode}-4-will-refuse")
        await page.click("#next")
        for _ in range(2):
            await page.click("#next")
        await page.wait_for_url("**/step/7")
        await page.check("#pledge")
        await page.click("#submit")
        await page.wait_for_selector("#rejection-html")
        await look(page, f"refusal-{mode}-case")
        await page.click("#rejection-html")
        letter = await page.inner_text("main")
        for right in ("申请复核", "0512-12345", "苏州市姑苏区人民政府申请行政复议", "六十日内",
                      "六个月内", "行政诉讼"):  # fmt: skip
            assert right in letter, right
        await look(page, f"refusal-{mode}-letter")
        await browser.close()
