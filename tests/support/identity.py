"""Shared test support moved from tests/identity/conftest.py (imported by other test modules)."""

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.async_api import Page

from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.tasks import send_pending
from tests.support.helpers import ServerThread
from tests.support.standard import TokenProxy, at_provider


@dataclass
class Standard:
    provider: str
    rp: ServerThread
    proxied: ServerThread
    proxy: TokenProxy
    spare: list[str]  # ports of further relying parties the provider knows
    key_path: Path  # the private key of the private_key_jwt client


async def provider_login(page: Page, who: str, app: str) -> None:
    """oidc-provider's development pages: login, then consent (the first time)."""
    await page.fill("input[name=login]", who)
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    if not page.url.startswith(app):
        await page.click("button[type=submit]")  # the consent page
    await page.wait_for_url(f"{app}/**")


async def login(app: ServerThread, browser: httpx.AsyncClient, name: str) -> httpx.AsyncClient:
    """The guardian's browser at the app, logged in (the provider's pages in ``browser``)."""
    http = httpx.AsyncClient(base_url=app.url, timeout=30)
    start = await http.get("/auth/login")
    assert start.status_code == 302, start.text
    back = await at_provider(browser, start.headers["location"], name, app.url)
    callback = await http.get(back)
    assert callback.status_code == 303, callback.text
    assert callback.headers["location"] == "/apply"
    return http


PHONE = "13912345678"


async def sms_link(
    sandbox: ServerThread, app: ServerThread, db: Database, phone: str = PHONE
) -> str:
    """The spouse's link from the SMS the app queued, sent as the notify job sends it."""
    await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms"))
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        messages = (await http.get("/_sandbox/sms", params={"phone": phone})).json()
    match = re.search(rf"{re.escape(app.url)}(/spouse/[\w-]+)", messages[0]["text"])
    assert match, messages[0]
    return match.group(1)
