"""Two desk journeys walked in Chromium as people live them: the desk (1280×800) checks the 孙
family's originals with the records shown in full, and a bad rating given on the desk's screen is
answered and re-rated by the family on their phone (375×812), which closes it."""

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, Page, async_playwright
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.rating.models import Rectification
from tests.support.browser import CHROMIUM, FLAGS, pytestmark, shot  # noqa: F401
from tests.support.flow import apply
from tests.support.guardianship import FILE
from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, LIU, WANG, WANG_CHILD
from tests.support.review import BOTH, GUSU, PINGJIANG, SUN, SUN_CHILD, sun_needs_materials
from tests.support.session import logged_in
from tests.support.staff import PASSWORD, make_staff, next_code, staff_login

DESK = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


async def screen(browser: Browser, size: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=size, locale="zh-CN")  # type: ignore[arg-type]
    return await context.new_page()


async def a_staff_page_uses_the_width(page: Page) -> None:
    width = await page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width > 1000, width  # not a phone column on a desk's screen
    assert await page.locator("#mode-switch").count() == 0  # no 长辈版 on staff pages


@pytest.mark.slow
async def test_the_desk_checks_originals_against_the_records_in_full(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    for kind in BOTH:
        answer = {"kind": kind, "how": "bring"}
        assert (await guardian.post(f"/api/v1/cases/{no}/materials/bring", json=answer)).is_success
    secret = await make_staff(db, "pj-walk", "desk", school=PINGJIANG)
    async with chromium() as browser:
        desk = await screen(browser, DESK)
        await staff_login(desk, web.url, "pj-walk", secret)
        await a_staff_page_uses_the_width(desk)
        await desk.goto(f"{web.url}/staff/cases/{no}")
        assert SUN_CHILD not in await desk.inner_text("#facts")
        await shot(desk, "jb-1-desk-case-masked")
        await desk.click("#unmask")
        await desk.wait_for_selector("#unmasked")
        full = await desk.inner_text("#unmasked")
        assert SUN_CHILD in full and SUN in full and "审计" in full
        await desk.locator("#unmasked").scroll_into_view_if_needed()
        await shot(desk, "jb-2-desk-unmasked")
        for kind in BOTH:
            await desk.check(f"#seen_{kind}")
        await desk.fill("#no_BIRTH_CERTIFICATE", "P320000999")
        await desk.locator("#originals-form").scroll_into_view_if_needed()
        await shot(desk, "jb-3-desk-ticks")
        await desk.click("#originals-done")
        await desk.wait_for_selector("#print-notice")
        assert await desk.inner_text("#result") == "已发放学位告知书"
        assert SUN_CHILD not in await desk.inner_text("#facts")  # masked again
        await shot(desk, "jb-4-desk-notice")
    await guardian.aclose()


async def reply_link(db: Database, case_no: str) -> str:
    async with db.read_session() as session:
        query = select(Notification.text).where(Notification.case_no == case_no)
        text = list((await session.scalars(query.order_by(Notification.id))).all())[-1]
    found = re.search(r"https?://[^/\s]+(/cases/\S+)", text)
    assert found, text
    return found.group(1)


async def work(desk: Page, item_id: int, step: str, note: str) -> None:
    form = desk.locator(f'form[action="/staff/ratings/{item_id}/{step}"]')
    await form.locator("input[name=note]").fill(note)
    await form.locator("button").click()
    await desk.wait_for_url("**/staff/ratings")


@pytest.mark.slow
async def test_a_bad_desk_rating_is_answered_re_rated_by_the_family_and_closed(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    family = await logged_in(web, sandbox, WANG)
    no = (await apply(family, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    secret = await make_staff(db, "pj-rate", "desk", school=PINGJIANG)
    async with chromium() as browser:
        desk = await screen(browser, DESK)
        await staff_login(desk, web.url, "pj-rate", secret)
        await desk.goto(f"{web.url}/staff/cases/{no}")
        await desk.click("#hand-over-rating")
        await desk.wait_for_selector("#rating-form")  # the family rates on the clerk's screen
        await desk.check("#level-1")
        for i in range(1, 4):  # ind-0 (整体满意度) is the 总体评价 above
            await desk.select_option(f"#ind-{i}", "1")
        await desk.fill("#comment", "窗口排队一个多小时")
        await shot(desk, "jb-5-desk-rating-screen")
        await desk.click("#rate")
        await desk.wait_for_selector("#result")
        await shot(desk, "jb-6-desk-rating-thanks")
        await desk.go_back()  # the rating screen, used: it says so and offers nothing else
        await desk.go_back()  # the clerk's case page: locked
        await desk.wait_for_selector("#handed-over")
        assert "/staff/login" in desk.url
        await shot(desk, "jb-7-back-is-locked")
        await desk.fill("#username", "pj-rate")
        await desk.fill("#password", PASSWORD)
        await desk.fill("#code", next_code(secret))
        await desk.click("#staff-login")
        await desk.wait_for_url(f"**/staff/cases/{no}")

        async with db.read_session() as session:
            item_id = (await session.scalars(select(Rectification.id))).one()
        await desk.goto(f"{web.url}/staff/ratings")
        await a_staff_page_uses_the_width(desk)
        listed = await desk.inner_text("#items")
        assert no in listed and "窗口排队一个多小时" in listed and re.search(r"1\d{10}", listed)
        await shot(desk, "jb-8-rectification-list")
        await work(desk, item_id, "visit", "已电话回访，属实")
        await work(desk, item_id, "fix", "高峰期增开两个窗口")
        await work(desk, item_id, "reply", "高峰期已增开两个窗口，欢迎再来")
        assert "已答复，待重新评价" in await desk.inner_text("#items")

        phone = await screen(browser, PHONE)
        cookies = [
            {"name": c.name, "value": c.value or "", "url": web.url} for c in family.cookies.jar
        ]
        await phone.context.add_cookies(cookies)  # type: ignore[arg-type]
        await phone.goto(f"{web.url}{await reply_link(db, no)}")
        assert "现场评价" in await phone.inner_text("h1")
        assert "高峰期已增开两个窗口" in await phone.inner_text("#rectification")
        await shot(phone, "jb-9-family-rerates")
        await phone.check("#level-4")
        for i in range(1, 4):
            await phone.select_option(f"#ind-{i}", "4")
        await phone.click("#rate")
        await phone.wait_for_selector("#rated")
        assert "此前的不满意评价已处理完毕" in await phone.inner_text("#rectification")
        await shot(phone, "jb-10-family-closed")

        await desk.goto(f"{web.url}/staff/ratings")
        assert "已办结" in await desk.inner_text("#items")
        await shot(desk, "jb-11-rectification-closed")
    await family.aclose()


@pytest.mark.slow
async def test_the_reviewers_pages_at_a_desk_screen(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    """The queue with its reasons, the case search and a guardianship request with its records,
    at 1280×800: the width used, no raw codes."""
    guardian, no = await sun_needs_materials(web, sandbox)
    grandpa = await logged_in(web, sandbox, CHEN)
    request_no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    secret = await make_staff(db, "gs-walk", "reviewer", district=GUSU)
    async with chromium() as browser:
        page = await screen(browser, DESK)
        await staff_login(page, web.url, "gs-walk", secret)
        await a_staff_page_uses_the_width(page)
        assert "待家长补充材料" in await page.inner_text("#queue-table")
        assert "姑苏区" in await page.inner_text("main")
        await shot(page, "jb-12-reviewer-queue")
        await page.click("#search-link")
        await page.fill("#id_part", SUN_CHILD[-4:])
        await page.click("#search")
        await page.wait_for_selector(f"#open-{no}")
        await shot(page, "jb-13-case-search")
        await page.goto(f"{web.url}/staff/guardianship")
        records = await page.inner_text(f"#records-{request_no}")
        assert "公安户籍登记的父母" in records and "户口簿" in records
        await page.click(f"#approve-{request_no}")  # not ticked: refused with the reason
        await page.wait_for_selector("#page-error")
        await page.locator(f"#gr-{request_no}").scroll_into_view_if_needed()
        await shot(page, "jb-14-guardianship-records")
    for client in (guardian, grandpa):
        await client.aclose()
