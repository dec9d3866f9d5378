"""The cohort's run in Debian's Chromium at 375×812: an administrator runs the dry run with a seed
and publishes after the confirmation step; the family's status page then shows the 统筹 notice
and why. Screenshots: test-artifacts/screenshots/cohort-*.png."""

import pytest
from playwright.async_api import Page, async_playwright

from ruxue.kit.db import Database
from tests.support.browser import (
    CHROMIUM,
    FLAGS,
    pytestmark,  # noqa: F401 (the module's marks)
    shot,
)
from tests.support.cohort import (
    DISTRICT,
    four_children,
    qualify_all,
    two_schools,
    wang_qualified,
)
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.staff import make_staff, staff_login

SEED = "9f8e7d6c5b4a"


async def family_login(page: Page, base_url: str) -> None:
    await page.goto(base_url)
    await page.click("#login")
    await page.fill("#id_number", WANG)
    await page.click("#send-code")
    await page.fill("#code", await page.inner_text("#otp"))
    await page.click("#login")
    await page.wait_for_url(f"{base_url}/apply")


@pytest.mark.slow
async def test_admin_dry_runs_and_publishes_then_the_family_sees_its_notice(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
) -> None:
    await two_schools(db)
    await qualify_all(db, [c for c in four_children() if c.case_id != "case-0003"])
    guardian, no = await wang_qualified(web, sandbox, db)
    await guardian.aclose()
    secret = await make_staff(db, "cohort-admin-ui", "admin", district=DISTRICT)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        phone = {"viewport": {"width": 375, "height": 812}, "locale": "zh-CN"}
        admin = await (await browser.new_context(**phone)).new_page()  # type: ignore[arg-type]
        await staff_login(admin, web.url, "cohort-admin-ui", secret)
        await admin.click("#cohort-link")
        await admin.fill("#seed", SEED)
        await admin.click("#dry-run")
        await admin.wait_for_selector("#report")
        assert "A类 2018-06-01" in await admin.inner_text("#report")
        await shot(admin, "cohort-1-dry-run")
        await admin.click("#publish")
        await admin.wait_for_selector("#confirm-publish")
        assert await admin.inner_text("#confirm-seed") == SEED
        await shot(admin, "cohort-2-confirm")
        await admin.click("#confirm-publish")
        await admin.wait_for_selector("#published")
        assert "已于" in await admin.inner_text("#published")
        await shot(admin, "cohort-3-published")

        family = await (await browser.new_context(**phone)).new_page()  # type: ignore[arg-type]
        await family_login(family, web.url)
        await family.goto(f"{web.url}/cases/{no}")
        assert await family.inner_text("#placement") == "区教育局统筹安排（统筹学位）"
        assert "统筹" in await family.inner_text("#explanation")
        assert await family.locator("#notice").count() == 1
        await shot(family, "cohort-4-family-notice")
        await browser.close()
