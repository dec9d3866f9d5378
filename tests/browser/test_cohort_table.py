"""Found walking the demo at 375×812: the run's report squeezed the school's name to one character
a line; the school column keeps a readable width (the table scrolls sideways instead)."""

import pytest
from playwright.async_api import async_playwright

from ruxue.kit.db import Database
from tests.support.browser import (
    CHROMIUM,
    FLAGS,
    pytestmark,  # noqa: F401 (the module's marks)
    shot,
)
from tests.support.cohort import DISTRICT, four_children, qualify_all, two_schools
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_login


@pytest.mark.slow
async def test_the_school_column_of_the_report_stays_readable_on_a_phone(
    web: ServerThread, schools: None, db: Database
) -> None:
    await two_schools(db)
    await qualify_all(db, four_children())
    secret = await make_staff(db, "table-admin", "admin", district=DISTRICT)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN")
        await staff_login(page, web.url, "table-admin", secret)
        await page.goto(f"{web.url}/staff/cohort?district={DISTRICT}&seed=0a1b2c3d4e5f")
        cell = page.locator("#report table.cohort-report tbody td").first
        box = await cell.bounding_box()
        assert box is not None and box["width"] >= 120, box
        await shot(page, "cohort-table-phone")
        await browser.close()
