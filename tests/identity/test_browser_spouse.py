"""In headless Chromium (two browsers: the guardian's and the spouse's phone), through the
independent provider's own pages: the guardian sends the link, the spouse logs in as themselves
and consents, the guardian's waiting page shows "继续" on its own (HTMX polling) and step 4
follows. Screenshots go to test-artifacts/screenshots/."""

import httpx
import pytest
from playwright.async_api import async_playwright

from ruxue.kit.db import Database
from tests.support.browser import CHROMIUM, FLAGS, pytestmark, shot
from tests.support.helpers import ServerThread
from tests.support.identity import PHONE, Standard, provider_login, sms_link
from tests.support.personas import LIU, WANG, WANG_CHILD

__all__ = ["pytestmark"]


@pytest.mark.slow
@pytest.mark.once
async def test_spouse_consents_on_their_own_phone(
    standard: Standard, sandbox: ServerThread, schools: None, db: Database
) -> None:
    app = standard.rp.url
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        phone = {"viewport": {"width": 375, "height": 812}, "locale": "zh-CN"}
        guardian = await (await chromium.new_context(**phone)).new_page()  # type: ignore[arg-type]
        await guardian.goto(f"{app}/auth/login")
        await provider_login(guardian, WANG, app)
        await guardian.goto(f"{app}/apply/primary")
        await guardian.fill("#child_id", WANG_CHILD)
        await guardian.check("#consent")
        await guardian.click("#next")
        await guardian.wait_for_url("**/step/3")
        await guardian.fill("#spouse_id", LIU)
        await guardian.fill("#spouse_phone", PHONE)
        await shot(guardian, "oidc-3-spouse-link")
        await guardian.click("#spouse-invite")
        await guardian.wait_for_selector("#spouse-status")
        assert await guardian.locator("#spouse-continue").count() == 0
        await shot(guardian, "oidc-3-waiting")

        link = await sms_link(sandbox, standard.rp, db)
        spouse = await (await chromium.new_context(**phone)).new_page()  # type: ignore[arg-type]
        await spouse.goto(f"{app}{link}")
        assert "王*国" in await spouse.inner_text("#spouse-consent")
        await shot(spouse, "oidc-3-spouse-asked")
        await spouse.click("#spouse-login")
        await provider_login(spouse, LIU, app)
        await spouse.wait_for_selector("#consent-agree")
        await shot(spouse, "oidc-3-spouse-consent")
        await spouse.click("#consent-agree")
        await spouse.wait_for_selector("#consent-done")

        await guardian.wait_for_selector("#spouse-continue", timeout=15000)  # polled, no reload
        await shot(guardian, "oidc-3-spouse-consented")
        await guardian.click("#spouse-continue")
        await guardian.wait_for_url("**/step/4")
        await guardian.wait_for_selector("#status-ok")
        await chromium.close()
    async with httpx.AsyncClient(base_url=app) as anonymous:
        assert (await anonymous.get(link)).status_code == 404  # the link is spent
