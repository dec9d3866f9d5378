"""The terminal's screens on its 1080×1920 portrait screen (Debian's Chromium), standard and 长辈版:
the spouse step (link method) fits one screen with one keypad that serves both fields; 长辈版 is
clearly larger, switching it keeps the session, and the next person starts in the standard
layout; the spouse wait lasts as long as an SMS login; a draft is withdrawn at the terminal; an
error page leads back to the terminal; every screen passes axe (WCAG 2.x A/AA), 44 px targets and
no text under 16 px."""

from collections.abc import Iterator

import pytest
from playwright.async_api import Page

from ruxue.kiosk.service import add_terminal
from ruxue.kit.db import Database
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from tests.support.a11y import AXE, Audit, browser_context
from tests.support.browser import pytestmark as chromium_required
from tests.support.helpers import ServerThread, free_port
from tests.support.personas import LIU, WANG, WANG_CHILD

PORTRAIT = {"width": 1080, "height": 1920}
pytestmark = [
    pytest.mark.slow,
    chromium_required,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make setup)"),
]


@pytest.fixture
def linked(settings: Settings, sandbox: ServerThread) -> Iterator[ServerThread]:
    """The app with the production default: the spouse authorises by SMS link."""
    from ruxue.web.app import create_app

    port = free_port()
    config = {"spouse_method": "link", "public_url": f"http://127.0.0.1:{port}"}
    with ServerThread(create_app(settings.model_copy(update=config)), port) as server:
        yield server


async def key_in(page: Page, target: str, digits: str) -> None:
    await page.click(f"#{target}")  # the keypad types into the field last touched
    for key in digits:
        await page.click(f".k-keypad[data-target={target}] [data-key='{key}']")
    assert await page.input_value(f"#{target}") == digits


async def height(page: Page) -> int:
    return int(await page.evaluate("() => document.documentElement.scrollHeight"))


async def root_font(page: Page) -> float:
    return float(
        await page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    )


async def signed_in(page: Page, base: str, code: str, key: str) -> None:
    await page.goto(f"{base}/kiosk/activate")
    await page.fill("#code", code)
    await page.fill("#key", key)
    await page.click("#activate")
    await page.wait_for_url(f"{base}/kiosk")
    await key_in(page, "card_id", WANG)
    await page.click("#read-card")
    await page.click("#face-check")
    await page.wait_for_url("**/kiosk/home")


async def test_kiosk_screens_standard_and_elder(
    linked: ServerThread, schools: None, db: Database
) -> None:
    async with db.write_session() as session:
        key = await add_terminal(session, "KSK-JC-1", "姑苏区政务服务中心")
    base, audit = linked.url, Audit(PORTRAIT, "kiosk", reflow=False)
    async with browser_context(PORTRAIT) as context:
        page = await context.new_page()
        await page.goto(f"{base}/kiosk/activate")
        await audit.check(page, "activate")
        await signed_in(page, base, "KSK-JC-1", key)
        await audit.check(page, "home")
        await page.click("#start-primary")
        await key_in(page, "child_id", WANG_CHILD)
        await page.check("#consent")
        await audit.check(page, "child")
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        standard = await root_font(page)
        assert await page.locator(".k-keypad").count() == 1
        assert await height(page) <= PORTRAIT["height"]  # one screen, no scrolling
        await audit.check(page, "step3-spouse")
        await key_in(page, "spouse_id", LIU)
        assert await page.evaluate("() => document.activeElement.id") == "spouse_phone"
        await key_in(page, "spouse_phone", phone_of(LIU))

        await page.click("#mode-switch")  # 长辈版: the same screen, what was typed is the page's
        await page.wait_for_url("**/step/3")
        assert await page.get_attribute("html", "class") == "elder"
        assert await root_font(page) >= standard * 1.2
        elder_height = await height(page)
        print(f"kiosk step 3: standard fits 1920 px; 长辈版 {elder_height} px")
        assert elder_height <= PORTRAIT["height"]  # 长辈版 too: one screen, no scrolling
        await audit.check(page, "step3-spouse-elder")
        await key_in(page, "spouse_id", LIU)
        await key_in(page, "spouse_phone", phone_of(LIU))
        await page.click("#spouse-invite")
        await page.wait_for_url("**/spouse/invite")
        assert "10 分钟" in await page.inner_text("#spouse-wait-time")
        assert await page.get_attribute("body", "data-idle") == "600"
        await audit.check(page, "spouse-wait-elder")

        await page.goto(f"{base}/kiosk/cases/SZ-NOPE-000")  # an error keeps to the terminal
        assert await page.get_attribute("#back", "href") == "/kiosk/home"
        await audit.check(page, "error-elder")
        await page.goto(f"{base}/kiosk/home")
        await page.click("[id^=withdraw-]")
        await audit.check(page, "withdraw-elder")
        await page.click("#confirm-withdraw")
        await page.wait_for_url("**/kiosk/home")
        assert "已撤回" in await page.inner_text("main")

        await page.click("#end")  # the next person: a wiped session and the standard layout
        await page.wait_for_url(f"{base}/kiosk")
        assert await page.get_attribute("html", "class") is None
        assert await root_font(page) == standard
        await audit.check(page, "welcome")
    audit.assert_clean(9)
