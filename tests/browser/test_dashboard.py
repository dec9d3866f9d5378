"""The city administrator's dashboard in Debian's Chromium at 1280×800, on a generated city of
500 families: the page fills from the JSON API (no inline script) and shows its figures."""

import pytest
from playwright.async_api import async_playwright

from ruxue.dashboard.seed import City, seed_city
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.browser import CHROMIUM, FLAGS, SHOTS, pytestmark, shot  # noqa: F401
from tests.support.county import county_reports
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client, staff_login


@pytest.mark.slow
async def test_the_dashboard_draws_the_city_and_a_district(
    web: ServerThread, db: Database, settings: Settings
) -> None:
    assert settings.now is not None
    async with db.write_session() as session:
        await seed_city(session, City(500, now=settings.now))
    await county_reports(web, db)
    api = await staff_client(web, "city-api", await make_staff(db, "city-api", "admin"))
    assert (await api.post("/api/v1/dashboard/refresh")).status_code == 200
    summary = (await api.get("/api/v1/dashboard/summary")).json()
    secret = await make_staff(db, "city-page", "admin")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        errors: list[str] = []  # script errors, CSP refusals, failed requests (the favicon too)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "console", lambda m: errors.append(m.text) if "Content Security" in m.text else None
        )
        page.on(
            "response",
            lambda r: errors.append(r.url) if r.status >= 400 else None,
        )
        await staff_login(page, web.url, "city-page", secret)
        await page.goto(f"{web.url}/staff/dashboard")
        await page.wait_for_selector("#dashboard[data-ready='1']")
        first = page.locator(".kpi").first
        assert await first.locator("span").inner_text() == "报名数"
        assert await first.locator("b").inner_text() == str(summary["applications"]["total"])
        assert await page.locator("#chart-applications canvas").count() == 1
        assert await page.locator("#table-districts tr").count() == 1 + 10
        await shot(page, "dashboard-city-500")
        assert await page.locator("#chart-counties canvas").count() == 1  # the county panel
        await page.locator("#county-panel").screenshot(path=str(SHOTS / "dashboard-counties.png"))
        await page.select_option("#district", "320508")
        await page.click(".pick button")
        await page.wait_for_selector("#dashboard[data-ready='1']")
        assert await page.inner_text("#scope") == "姑苏区"
        assert await page.locator("#table-districts").count() == 0
        assert errors == []
        await browser.close()
    await api.aclose()
