"""The 孙 family (split booklets, no certificate on file) in headless Chromium at 375×812: sent to
needs_materials, one run uploads from the status page and gets its notice after the reviewer's
approval; the other promises the originals and the school desk completes the case."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, Page, async_playwright

from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.browser import CHROMIUM, FLAGS, pytestmark, shot  # noqa: F401
from tests.support.helpers import ServerThread
from tests.support.materials import PNG
from tests.support.notice import make_document
from tests.support.review import GUSU, PINGJIANG, SUN, SUN_CHILD, WU
from tests.support.session import last_sms_code
from tests.support.staff import make_staff, staff_login
from tests.support.tools import checked_pdf_text

BOTH = ("BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


async def phone(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    return await context.new_page()


async def sun_submits(page: Page, web: ServerThread, sandbox: ServerThread) -> str:
    """The guardian's seven steps; step 6 lists both certificates, left for the status page."""
    await page.goto(web.url)
    await page.click("#login")
    await page.fill("#id_number", SUN)
    await page.click("#send-code")
    await page.fill("#code", await page.inner_text("#otp"))
    await page.click("#login")
    await page.wait_for_url(f"{web.url}/apply")
    await page.click("#start-primary")
    await page.fill("#child_id", SUN_CHILD)
    await page.check("#consent")
    await page.click("#next")
    await page.wait_for_url("**/step/3")
    await page.fill("#spouse_id", WU)
    await page.click("#spouse-send")
    await page.fill("#code", await last_sms_code(sandbox))
    await page.click("#spouse-confirm")
    await page.wait_for_selector("#status-ok")
    await page.click("#next")
    await page.wait_for_url("**/step/5")
    await page.click("#next")
    await page.wait_for_url("**/step/6")
    assert await page.is_visible("#m-BIRTH_CERTIFICATE") and await page.is_visible(
        "#m-MARRIAGE_CERTIFICATE"
    )
    await page.click("#next")
    await page.wait_for_url("**/step/7")
    await page.check("#pledge")  # the 诚信承诺
    await page.click("#submit")
    await page.wait_for_selector("#result")
    assert await page.inner_text("#result") == "待补充材料"
    return page.url.rsplit("/", 1)[1]


@pytest.mark.slow
async def test_family_uploads_from_the_status_page_and_gets_the_notice_after_review(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    secret = await make_staff(db, "rev-gusu", "reviewer", district=GUSU)
    async with chromium() as browser:
        guardian = await phone(browser)
        no = await sun_submits(guardian, web, sandbox)
        await guardian.locator("#materials").scroll_into_view_if_needed()
        await shot(guardian, "m1-needs-materials")
        assert (
            await guardian.inner_text("label[for=file-BIRTH_CERTIFICATE]")
            == "上传出生医学证明原件的照片或扫描件"
        )
        box = await guardian.locator("#file-BIRTH_CERTIFICATE").bounding_box()
        assert box and box["height"] >= 44 and box["width"] > 200  # thumb-sized, not a 24×24 box
        for kind in BOTH:
            await guardian.set_input_files(
                f"#file-{kind}",
                files=[{"name": f"{kind}.png", "mimeType": "image/png", "buffer": PNG}],
            )
            await guardian.click(f"#upload-{kind}")
            await guardian.wait_for_selector("#result")
        assert await guardian.inner_text("#result") == "人工审核中"
        await shot(guardian, "m2-uploaded-to-review")

        staff = await phone(browser)
        await staff_login(staff, web.url, "rev-gusu", secret)
        assert await staff.inner_text("#queue .waiting") == "0 天"
        await shot(staff, "m3-review-queue")
        await staff.click(f"a[href='/staff/cases/{no}']")
        await staff.wait_for_selector("#facts")
        facts = await staff.inner_text("#facts")
        assert "孙*宇 320508********0311" in facts and "仓街**号…" in facts and "吴*" in facts
        assert SUN_CHILD not in await staff.content()
        assert "您上传的证明材料需由工作人员核验。" in await staff.inner_text("#reasons")
        await shot(staff, "m4-review-case-facts")
        await staff.locator("#materials").scroll_into_view_if_needed()
        await shot(staff, "m5-review-case-materials")
        download = await staff.request.get(
            web.url + (await staff.get_attribute("#materials a[id^=file-]", "href") or "")
        )
        assert download.ok and (await download.body()).startswith(b"\x89PNG")
        await staff.fill("#approve-message", "已核验上传的出生医学证明和结婚证")
        await staff.fill("#approve-internal", "照片清晰，与户籍信息一致")
        await staff.locator("#approve-form").scroll_into_view_if_needed()
        await shot(staff, "m6-review-approve-form")
        await staff.click("#approve")
        await staff.wait_for_selector("#confirm-form")
        assert await staff.inner_text("#confirm-school") == "苏州市平江实验学校"
        await shot(staff, "m7-review-confirm")
        await staff.click("#confirm")
        await staff.wait_for_selector("#result")
        assert await staff.inner_text("#result") == "已发放学位告知书"
        await staff.locator("#history").scroll_into_view_if_needed()
        await shot(staff, "m8-review-history")

        await guardian.reload()
        assert await guardian.inner_text("#result") == "已发放学位告知书"
        page = await guardian.content()
        assert "已核验上传的出生医学证明和结婚证" in page and "照片清晰" not in page
        await shot(guardian, "m9-guardian-notice")
        await make_document(db, settings, no)  # the filing job, in the worker
        pdf = await guardian.request.get(
            web.url + (await guardian.get_attribute("#notice", "href") or "")
        )
        text = await asyncio.to_thread(checked_pdf_text, await pdf.body())
        assert "苏州市平江实验学校" in text and "孙浩宇" in text


@pytest.mark.slow
async def test_family_brings_the_originals_and_the_desk_completes_the_case(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    secret = await make_staff(db, "desk-pingjiang", "desk", school=PINGJIANG)
    async with chromium() as browser:
        guardian = await phone(browser)
        no = await sun_submits(guardian, web, sandbox)
        for kind in BOTH:
            await guardian.click(f"#bring-{kind}")
            await guardian.wait_for_selector(f"#bring-note-{kind}")
        assert await guardian.inner_text("#result") == "待补充材料"
        assert await guardian.inner_text("#state-MARRIAGE_CERTIFICATE") == "将携带原件"
        await guardian.locator("#materials").scroll_into_view_if_needed()
        await shot(guardian, "b1-guardian-will-bring")

        desk = await phone(browser)
        await staff_login(desk, web.url, "desk-pingjiang", secret)
        await desk.fill("#child", SUN_CHILD)
        await desk.click("#desk-search")
        await desk.click("#found a")
        await desk.wait_for_selector("#originals-form")
        await desk.locator("#originals-form").scroll_into_view_if_needed()
        await shot(desk, "b2-desk-case")
        for kind in BOTH:
            await desk.check(f"#seen_{kind}")
        await desk.fill("#no_BIRTH_CERTIFICATE", "P320000999")
        await shot(desk, "b3-desk-ticks")
        await desk.click("#originals-done")
        await desk.wait_for_selector("#print-notice")
        assert await desk.inner_text("#result") == "已发放学位告知书"
        await shot(desk, "b4-desk-notice")
        history = await desk.inner_text("#history")
        assert "核验原件" in history and "desk-pingjiang" in history

        await guardian.goto(f"{web.url}/cases/{no}")
        assert await guardian.inner_text("#result") == "已发放学位告知书"
        await shot(guardian, "b5-guardian-notice")
