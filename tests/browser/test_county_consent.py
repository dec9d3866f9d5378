"""A county's login in Debian's Chromium: the person, logged in at the city, clicks 同意 on the
provider's consent page and the browser lands on the county's redirect URI with the code; the
page's CSP lets this one form lead to that county (``form-action`` covers a form's redirects).
Logging in again later, the consent remembered, lands there too (through a page of the city's)."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.async_api import async_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ruxue.kit.db import Database
from tests.support.browser import CHROMIUM, FLAGS, pytestmark  # noqa: F401
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.session import logged_in


async def callback(request: Request) -> PlainTextResponse:
    return PlainTextResponse("county callback")


@pytest.mark.slow
async def test_agreeing_in_a_browser_reaches_the_county(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    with ServerThread(Starlette(routes=[Route("/callback", callback)])) as county:
        redirect = f"{county.url}/callback"
        await register(db, "changshu", "320581", redirect_uris=[redirect])
        city = await logged_in(web, sandbox, WANG)
        query = {
            "client_id": "changshu",
            "response_type": "code",
            "redirect_uri": redirect,
            "scope": "openid profile",
            "state": "s-1",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = await browser.new_context(locale="zh-CN")
            await context.add_cookies(
                [{"name": c.name, "value": c.value or "", "url": web.url} for c in city.cookies.jar]
            )
            page = await context.new_page()
            refused: list[str] = []
            page.on(
                "console",
                lambda m: refused.append(m.text) if "Content Security" in m.text else None,
            )
            await page.goto(f"{web.url}/oidc/authorize?{urlencode(query)}")
            await page.click("#mode-switch")  # 长辈版 comes back to the same consent request
            await page.wait_for_selector("html.elder #consent-agree")
            await page.click("#consent-agree")
            await page.wait_for_url(f"{redirect}?*")
            assert await page.inner_text("body") == "county callback" and refused == []
            back = parse_qs(urlsplit(page.url).query)
            assert back["state"] == ["s-1"] and back["code"]

            # Another day, a fresh browser: the consent is remembered, so after the provincial
            # login's SMS form the chain would run city → county; the form page's CSP allows
            # only the city, so the city's callback goes on from a page of its own.
            fresh = await (await browser.new_context(locale="zh-CN")).new_page()
            fresh.on(
                "console",
                lambda m: refused.append(m.text) if "Content Security" in m.text else None,
            )
            await fresh.goto(f"{web.url}/oidc/authorize?{urlencode(query | {'state': 's-2'})}")
            await fresh.fill("#id_number", WANG)
            await fresh.click("#send-code")
            await fresh.fill("#code", await fresh.inner_text("#otp"))
            await fresh.click("#login")
            await fresh.wait_for_url(f"{redirect}?*")
            assert await fresh.inner_text("body") == "county callback" and refused == []
            assert parse_qs(urlsplit(fresh.url).query)["state"] == ["s-2"]
            await browser.close()
        await city.aclose()
