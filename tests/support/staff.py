"""Staff accounts and signed-in clients for tests."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pyotp
from playwright.async_api import Page, async_playwright

from ruxue.kit.db import Database
from ruxue.staff.service import create_staff
from tests.support.helpers import ServerThread

PASSWORD = "correct-horse-42"


async def make_staff(
    db: Database, username: str, role: str, school: str | None = None, district: str | None = None
) -> str:
    async with db.write_session() as session:
        _, secret = await create_staff(session, username=username, name=username, role=role, password=PASSWORD,
                                       school_code=school, district_code=district)  # fmt: skip
    return secret


async def staff_client(web: ServerThread, username: str, secret: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=web.url, timeout=30)
    login = await http.post(
        "/api/v1/staff/login",
        json={"username": username, "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert login.status_code == 200, login.text
    return http


async def signed_in_again(web: ServerThread, username: str, secret: str) -> httpx.AsyncClient:
    """A clerk signing in again (after handing the screen over): with the next step's code, as
    the current one counts once and a clerk within the same 30 s would wait for the next."""
    http = httpx.AsyncClient(base_url=web.url, timeout=30)
    body = {"username": username, "password": PASSWORD, "code": next_code(secret)}
    login = await http.post("/api/v1/staff/login", json=body)
    assert login.status_code == 200, login.text
    return http


def next_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30)


@asynccontextmanager
async def staff_page(
    db: Database, base_url: str, username: str, school: str
) -> AsyncIterator[Page]:
    """A new desk account, signed in on a phone-sized page of Debian's Chromium."""
    from tests.support.browser import CHROMIUM, FLAGS

    secret = await make_staff(db, username, "desk", school=school)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 375, "height": 812}, locale="zh-CN")
        await staff_login(page, base_url, username, secret)
        yield page
        await browser.close()


async def staff_login(page: Page, base_url: str, username: str, secret: str) -> None:
    """Sign a staff member in through the login page, as they would (password and TOTP)."""
    await page.goto(f"{base_url}/staff/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.fill("#code", pyotp.TOTP(secret).now())
    await page.click("#staff-login")
    await page.wait_for_url(f"{base_url}/staff")
