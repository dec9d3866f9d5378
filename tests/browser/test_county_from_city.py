"""A family of 吴中区, whose county runs its own enrollment system, seen from the city at 1280×800
in Debian's Chromium: the guardian's data tracker shows the county's case and says the number the
city used for its police question never became a case; the city desk looking the child up is told
where the child applied; the dashboard's district view counts the 30 reported applications, its
tables do not wrap. Each page passes axe (WCAG 2.x A/AA), 44 px targets and 200 % reflow."""

import httpx
import pytest
from playwright.async_api import Page

from ruxue.kit.db import Database
from tests.support.a11y import AXE, Audit, browser_context
from tests.support.browser import pytestmark as chromium_required
from tests.support.county import register, report, token
from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, CHEN_CHILD
from tests.support.sms import DONGWU
from tests.support.staff import make_staff, staff_login

DESK = {"width": 1280, "height": 800}
WUZHONG_URL = "https://wuzhong.example/ruxue/"
THEIRS = "WZ-2026-000007"
pytestmark = [
    pytest.mark.slow,
    chromium_required,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup)"),
]
WRAPPED_HEADERS = """id => [...document.querySelectorAll(`#${id} th, #${id} td`)].filter(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(cell => cell.textContent)"""


async def thirty_county_cases(web: ServerThread, db: Database) -> None:
    secret = await register(db, "wuzhong", "320506", enrollment_url=WUZHONG_URL)
    family = {"child_id_number": CHEN_CHILD, "applicant_id_number": CHEN}
    batch = [report(f"WZ-2026-{i:06d}", "apply", 1) for i in range(30) if i != 7]
    batch += [
        report(THEIRS, "apply", 1, **family),
        report(THEIRS, "accept", 1, **family),
        report(THEIRS, "done", 1, result="notice_issued", **family),
    ]
    async with httpx.AsyncClient(base_url=web.url) as county:
        headers = await token(county, "wuzhong", secret)
        sent = await county.post("/api/v1/county/reports", json={"reports": batch}, headers=headers)
    assert sent.status_code == 200, sent.text


async def guardian_login(page: Page, base: str) -> None:
    await page.goto(f"{base}/auth/login")
    await page.fill("#id_number", CHEN)
    await page.click("#send-code")
    await page.fill("#code", await page.inner_text("#otp"))
    await page.click("#login")
    await page.wait_for_url(f"{base}/apply")


async def test_a_county_family_seen_from_the_city(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    await thirty_county_cases(web, db)
    audit = Audit(DESK, "county-family")
    async with browser_context(DESK) as context:
        page = await context.new_page()
        await guardian_login(page, web.url)
        await page.goto(f"{web.url}/apply/primary")
        await page.fill("#child_id", CHEN_CHILD)
        await page.check("#consent")
        await page.click("#next")
        await page.wait_for_selector("#apply-elsewhere")  # the city sends the family to 吴中区
        await page.goto(f"{web.url}/me/data-tracker")
        county = await page.inner_text("#county-cases")
        assert THEIRS in county and "办结（已发放学位告知书）" in county
        assert "此编号未建立办件" in await page.inner_text("#tracker")
        await audit.check(page, "tracker")

    async with browser_context(DESK) as context:
        page = await context.new_page()
        desk = await make_staff(db, "desk-wz", "desk", DONGWU)
        await staff_login(page, web.url, "desk-wz", desk)
        await page.fill("#child", CHEN_CHILD)
        await page.click("#desk-search")
        found = await page.inner_text("#found")
        assert "尚无报名办件" not in found and f"办件编号 {THEIRS}" in found
        await audit.check(page, "desk-lookup")

    async with browser_context(DESK) as context:
        page = await context.new_page()
        admin = await make_staff(db, "admin-wz", "admin")
        await staff_login(page, web.url, "admin-wz", admin)
        assert (await page.request.post(f"{web.url}/api/v1/dashboard/refresh")).ok
        reviewer = await make_staff(db, "rev-wz", "reviewer", district="320506")
        await page.goto(f"{web.url}/staff")
        await page.click("#logout")
        await staff_login(page, web.url, "rev-wz", reviewer)
        await page.goto(f"{web.url}/staff/dashboard")  # a reviewer's view: their district
        await page.wait_for_selector("#dashboard[data-ready='1']")
        kpis = await page.inner_text("#kpis")
        assert "30\n报名数" in kpis and "30\n其中区县上报" in kpis
        assert "未分配学校" in await page.inner_text("#table-schools")
        assert await page.is_visible("#unassigned-note")
        assert await page.evaluate(WRAPPED_HEADERS, "table-schools") == []
        await audit.check(page, "dashboard-district")
    audit.assert_clean(3)
