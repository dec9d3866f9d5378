"""A school desk registers the example 李 family in headless Chromium and prints the notice."""

import asyncio

import pytest

from ruxue.kit.db import Database
from tests.support.browser import pytestmark, shot  # noqa: F401 (pytestmark: skip without Chromium)
from tests.support.helpers import ServerThread
from tests.support.personas import LI, LI_CHILD
from tests.support.staff import staff_page
from tests.support.tools import checked_pdf_text


@pytest.mark.slow
async def test_desk_registers_li_family_and_prints_the_notice(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    async with staff_page(db, web.url, "pj-desk", "3205080101") as page:
        await page.fill("#guardian_id", LI)
        await page.fill("#child_id", LI_CHILD)
        await page.check("#seen_HUKOU_BOOKLET")
        await page.check("#consent_signed")
        await shot(page, "desk-1-register")
        await page.click("#desk-register")
        await page.wait_for_selector("#result")
        assert await page.inner_text("#result") == "已发放学位告知书"
        await shot(page, "desk-2-result")
        href = await page.get_attribute("#print-notice", "href")
        assert href
        pdf = await page.request.get(f"{web.url}{href}")
        assert pdf.ok
        text = await asyncio.to_thread(checked_pdf_text, await pdf.body())
        assert "苏州市平江实验学校" in text and "李思琪" in text and "学校现场办理" in text
