"""Logout in Debian's Chromium against the independent provider: the 退出登录 form in the page
header must lead the browser on to the provider's end-session page (a redirect there would be
stopped by the CSP's form-action 'self', leaving the provider's session alive so that the next
person on the phone is let straight in), and afterwards the app asks for a login again."""

import pytest
from playwright.async_api import async_playwright

from tests.support.browser import CHROMIUM, FLAGS, pytestmark
from tests.support.identity import Standard, provider_login
from tests.support.personas import WANG

__all__ = ["pytestmark"]


@pytest.mark.slow
@pytest.mark.once
async def test_logout_reaches_the_provider_and_ends_its_session(standard: Standard) -> None:
    app = standard.rp.url
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await (await chromium.new_context(locale="zh-CN")).new_page()
        refused: list[str] = []
        page.on(
            "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
        )
        await page.goto(f"{app}/auth/login")
        await provider_login(page, WANG, app)
        await page.goto(f"{app}/apply")
        await page.click("#logout")
        await page.wait_for_url(f"{standard.provider}/session/end**")
        assert refused == []
        await page.click("button[type=submit]")  # the provider's own "sign out?" confirmation
        await page.wait_for_url(f"{app}/**")
        await page.goto(f"{app}/apply")
        await page.wait_for_selector("input[name=login]")  # the provider's login form again
        assert page.url.startswith(standard.provider)
        await chromium.close()
