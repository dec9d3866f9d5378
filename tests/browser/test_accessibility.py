"""Accessibility in Debian's Chromium, page by page: axe-core (WCAG 2.0/2.1 A and AA) finds no
violation, the page reflows at 200 % zoom (no sideways scrolling), and every control is at least
44×44 CSS px, and no visible character is under 16 px. Guardian pages at 375×812 in the standard mode and in 长辈版, staff pages at
1280×800. Then the whole guardian flow by keyboard alone in 长辈版.

200 % zoom is emulated by halving the CSS viewport (375 → 187 px wide, what a 375 px phone shows
at 200 %; 1280 → 640 for the desk): the layout a browser zooms to is the layout of that width.
Targets: a link inside a sentence (its paragraph has more text than the link) is exempt, as WCAG
2.5.5 exempts inline targets; a checkbox or radio button counts with its label, which toggles it.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.async_api import BrowserContext, Page
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.failures import MAX_ATTEMPTS
from ruxue.archive.models import CheckRun, FilingFailure
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from ruxue.web.mode import ELDER_COOKIE
from tests.support.a11y import AXE, Audit, browser_context
from tests.support.browser import pytestmark as chromium_required
from tests.support.browser import shot
from tests.support.county import county_reports, register
from tests.support.flow import apply
from tests.support.guardianship import FILE as GUARDIANSHIP
from tests.support.helpers import ServerThread
from tests.support.identity import sms_link
from tests.support.materials import PNG, _at_materials_step
from tests.support.personas import CHEN, LIU, WANG, WANG_CHILD, ZHAO, ZHAO_CHILD
from tests.support.provider import consent as county_consent
from tests.support.rating import bad_rating
from tests.support.review import (
    GUSU,
    SUN,
    SUN_CHILD,
    WU,
    sun_needs_materials,
    upload,
)
from tests.support.session import last_sms_code, logged_in
from tests.support.staff import PASSWORD, make_staff, staff_client, staff_login

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 800}
MODES = ["standard", "elder"]
CONSENT_REDIRECT = "http://127.0.0.1:9/changshu/callback"

pytestmark = [
    pytest.mark.slow,
    chromium_required,
    pytest.mark.skipif(
        not AXE.exists() and os.environ.get("CI") != "true",
        reason="axe-core is not installed (make setup)",
    ),
]


async def elder_mode(page: Page, base: str, path: str) -> None:
    await page.goto(f"{base}/mode?elder=1&next={path}")
    assert await page.get_attribute("html", "class") == "elder"


async def sandbox_login(page: Page, base: str, id_number: str, audit: Audit) -> None:
    """The sandbox's identity platform (its pages audited too: the guardian passes through)."""
    await page.goto(f"{base}/auth/login")
    await audit.check(page, "idp-login")
    await page.fill("#id_number", id_number)
    await page.click("#send-code")
    await audit.check(page, "idp-code")
    await page.fill("#code", await page.inner_text("#otp"))
    await page.click("#login")
    await page.wait_for_url(f"{base}/apply")


@pytest.mark.parametrize("mode", MODES)
async def test_guardian_pages(
    mode: str, web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    audit, base = Audit(PHONE, mode), web.url
    async with browser_context(PHONE) as context:
        page = await context.new_page()
        if mode == "elder":
            await elder_mode(page, base, "/")
        for name, path in [
            ("home", "/"),
            ("guide", "/guide"),
            ("catchment", "/catchment?q=平江"),
            ("catchment-none", "/catchment?q=无此小区"),
            ("verify-invalid", "/verify/x"),
        ]:
            await page.goto(f"{base}{path}")
            await audit.check(page, name)
        await sandbox_login(page, base, WANG, audit)
        await audit.check(page, "1-apply")
        await page.click("#start-primary")
        await audit.check(page, "2-child")
        await page.fill("#child_id", WANG_CHILD)
        await page.click("#next")  # no consent ticked: the error
        assert (await page.title()).startswith("错误")
        assert await page.evaluate("document.activeElement.id") == "consent"
        assert await page.get_attribute("#consent", "aria-invalid") == "true"
        await audit.check(page, "2-child-error")
        await page.check("#consent")
        await page.click("#next")
        await page.wait_for_url("**/step/3")
        assert await page.title() == "第 3 步 配偶信息 - 入学“一件事”"
        assert await page.inner_text("#progress-text") == "第 3 步，共 7 步：配偶信息"
        assert await page.inner_text("[aria-current=step] em") == "配偶信息"
        await audit.check(page, "3-spouse")
        await page.fill("#spouse_id", LIU)
        await page.click("#spouse-send")
        await audit.check(page, "3-spouse-code")
        await page.fill("#code", await last_sms_code(sandbox))
        await page.click("#spouse-confirm")
        await page.wait_for_selector("#status-ok")
        await audit.check(page, "4-student-status")
        for step, ready in [(5, "#next"), (6, "#no-materials"), (7, "#submit")]:
            await page.click("#next")
            await page.wait_for_selector(ready)
            assert (await page.title()).startswith(f"第 {step} 步")
            await audit.check(page, f"{step}-step")
        await page.check("#pledge")  # the 诚信承诺
        await page.click("#submit")
        await page.wait_for_selector("#result")
        await audit.check(page, "8-status")
        await page.click("#notice-html")
        await page.wait_for_selector("#notice-no")
        await audit.check(page, "9-notice")
        verify = urlsplit(await page.get_attribute("#verify-link", "href") or "").path
        await page.goto(f"{base}{verify}")  # the notice links to the public address
        await page.wait_for_selector("#verdict")
        await audit.check(page, "10-verify")
        await page.goto(f"{base}/apply")  # now with the case listed (its number must wrap)
        await audit.check(page, "11-apply-with-case")
        await page.goto(f"{base}/me/data-tracker")  # who asked the departments about me
        await page.wait_for_selector("#tracker")
        await audit.check(page, "12-data-tracker")
    audit.assert_clean(21)


async def test_materials_and_staff_pages(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """CHEN's step 6 with an uploaded certificate (its upload form shown) in both modes; the case
    then waits for review.
    WANG's case is decided online; the desk, the reviewer and the archivist see their pages."""
    chen = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(chen)
    upload = {"file": ("c.png", PNG, "image/png")}
    await chen.post(
        f"/api/v1/cases/{no}/materials/upload", data={"kind": "BIRTH_CERTIFICATE"}, files=upload
    )
    guardian = Audit(PHONE, "materials")
    async with browser_context(PHONE) as context:
        await context.add_cookies(cookies_of(chen, web.url))
        page = await context.new_page()
        await page.goto(f"{web.url}/cases/{no}/step/6")
        await audit_step6(page, guardian, "standard")
        await elder_mode(page, web.url, f"/cases/{no}/step/6")
        await audit_step6(page, guardian, "elder")
    guardian.assert_clean(2)
    await submit_for_review(chen, no)
    wang = await logged_in(web, sandbox, WANG)
    decided = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    await wang.aclose()
    archived = await archive(db, settings, tmp_path, decided["case_no"])

    staff = Audit(DESK, "staff")
    async with browser_context(DESK) as context:
        page = await context.new_page()
        await page.goto(f"{web.url}/staff/login")
        await audit_login_pages(page, staff)
        await staff_login(
            page, web.url, "pj-desk", await make_staff(db, "pj-desk", "desk", school="3205080101")
        )
        await audit_desk_pages(page, staff, decided["case_no"])
        await page.goto(f"{web.url}/staff/archive")
        await staff.check(page, "desk-library")
        await page.fill(f"#why_{archived}", "新生报到核对")  # the reason goes in a form's body
        await page.click(f"form[action='/staff/archive/{archived}'] button.consult")
        await page.wait_for_selector("#documents")
        await staff.check(page, "desk-package")
        await page.goto(f"{web.url}/staff")
        await page.click("#logout")
        secret = await make_staff(db, "wz-rev", "reviewer", district="320506")
        await staff_login(page, web.url, "wz-rev", secret)
        assert await page.locator(f"text={no}").count() == 1
        await staff.check(page, "reviewer-home")
        await page.click("#search-link")
        await page.fill("#id_part", WANG_CHILD[-4:])
        await page.click("#search")
        await page.wait_for_selector("#found")
        await staff.check(page, "reviewer-search")
        await page.goto(f"{web.url}/staff")
        await page.click("#logout")
        await staff_login(page, web.url, "keeper", await make_staff(db, "keeper", "archivist"))
        await page.goto(f"{web.url}/staff/archive")
        await staff.check(page, "archivist-library")
    staff.assert_clean(12)


async def archive(db: Database, settings: Settings, scratch: Path, case_no: str) -> str:
    """The decided case's package in the library the app reads; its archive number."""
    async with db.read_session() as session:
        case_id = (await session.scalars(select(Case.id).where(Case.case_no == case_no))).one()
    library = LocalLibrary(settings.archive_dir)
    built = await build_package(
        db, library, scratch, SealKey.generate(), case_id, "http://127.0.0.1"
    )
    return built.archive_no


def cookies_of(client: httpx.AsyncClient, url: str) -> list[Any]:
    return [{"name": c.name, "value": c.value or "", "url": url} for c in client.cookies.jar]


async def audit_step6(page: Page, audit: Audit, mode: str) -> None:
    await page.wait_for_selector("input[type=file]")
    await audit.check(page, f"6-materials-{mode}")


async def submit_for_review(chen: httpx.AsyncClient, no: str) -> None:
    upload = {"file": ("c.png", PNG, "image/png")}
    await chen.post(
        f"/api/v1/cases/{no}/materials/upload", data={"kind": "BIRTH_CERTIFICATE"}, files=upload
    )
    await chen.post(f"/api/v1/cases/{no}/materials/done")
    assert (await chen.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    await chen.aclose()


async def audit_login_pages(page: Page, audit: Audit) -> None:
    await audit.check(page, "login")
    await page.fill("#username", "nobody")
    await page.fill("#password", PASSWORD)
    await page.fill("#code", "000000")
    await page.click("#staff-login")
    await page.wait_for_selector("[role=alert]")
    assert (await page.title()).startswith("错误")
    await audit.check(page, "login-error")


async def audit_desk_pages(page: Page, audit: Audit, case_no: str) -> None:
    await audit.check(page, "desk-home")
    await page.fill("#child", WANG_CHILD)
    await page.click("#desk-search")
    await page.wait_for_selector("#found")
    await audit.check(page, "desk-search")
    await page.goto(page.url.split("/staff")[0] + f"/staff/cases/{case_no}")
    await page.wait_for_selector("#scan")
    await audit.check(page, "desk-case")
    await page.click("#unmask")
    await page.wait_for_selector("#unmasked")
    await audit.check(page, "desk-case-unmasked")
    await page.goto(page.url.split("/staff")[0] + "/staff/desk/consent-form")
    await audit.check(page, "desk-consent-form")


async def tab_to(page: Page, selector: str, presses: int = 60) -> None:
    """Tab until the element is focused; it must show a visible focus outline."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


async def test_guardian_flow_by_keyboard_alone_in_elder_mode(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    async with browser_context(PHONE) as context:
        page = await context.new_page()
        await page.goto(web.url)
        await tab_to(page, "#mode-switch")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("html.elder")
        await tab_to(page, "#login")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#send-code")
        await tab_to(page, "#id_number")
        await page.keyboard.type(WANG)
        await page.keyboard.press("Enter")  # submits the form
        await page.wait_for_selector("#otp")
        await tab_to(page, "#code")
        await page.keyboard.type(await page.inner_text("#otp"))
        await tab_to(page, "#login")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{web.url}/apply")
        await shot(page, "keyboard-elder-1-apply")
        await keyboard_steps(page, sandbox)
        assert await page.inner_text("#result") == "已发放学位告知书"
        await shot(page, "keyboard-elder-8-status")
        await tab_to(page, "#notice-html")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#notice-no")
        assert await page.get_attribute("html", "class") == "elder"
        await shot(page, "keyboard-elder-9-notice")


async def keyboard_steps(page: Page, sandbox: ServerThread) -> None:
    await tab_to(page, "#start-primary")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/apply/primary")
    await tab_to(page, "#child_id")
    await page.keyboard.type(WANG_CHILD)
    await tab_to(page, "#consent")
    await page.keyboard.press("Space")
    await shot(page, "keyboard-elder-2-child")
    await tab_to(page, "#next")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/step/3")
    await tab_to(page, "#spouse_id")
    await page.keyboard.type(LIU)
    await tab_to(page, "#spouse-send")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#spouse-confirm")
    await tab_to(page, "#code")
    await page.keyboard.type(await last_sms_code(sandbox))
    await shot(page, "keyboard-elder-3-spouse")
    await tab_to(page, "#spouse-confirm")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#status-ok")
    for step, ready in [(5, "#next"), (6, "#no-materials"), (7, "#submit")]:
        await tab_to(page, "#next")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/step/{step}")
        await page.wait_for_selector(ready)
        await shot(page, f"keyboard-elder-{step}")
    await tab_to(page, "#pledge")
    await page.keyboard.press("Space")  # the 诚信承诺
    await tab_to(page, "#submit")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#result")


async def test_pages_of_errors_guardianship_materials_and_rejection(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    """The pages that came with the error pages, guardianship requests, the needs_materials
    journey and rejection letters: the guardian's in both modes at 375×812, the reviewer's and the
    archivist's at 1280×800."""
    chen = await logged_in(web, sandbox, CHEN)  # a grandfather's pending request, a draft case
    assert (await chen.post("/api/v1/guardianship", json=GUARDIANSHIP)).status_code == 201
    draft = await _at_materials_step(chen)
    sun, needs = await sun_needs_materials(web, sandbox)
    assert (await upload(sun, needs, "BIRTH_CERTIFICATE")).status_code == 200  # one of two
    zhao = await logged_in(web, sandbox, ZHAO)  # a 2013 child applying for grade 1
    rejected = await apply(zhao, sandbox, "primary", ZHAO_CHILD, None)
    assert rejected["outcome"] == "rejected"
    verify = "/verify/" + rejected["verify_url"].split("/verify/")[1]
    pages = [
        (chen, "404", "/cases/RX2026PNOSUCHCASE"),
        (chen, "withdraw", f"/cases/{draft}/withdraw"),
        (chen, "guardianship", "/guardianship"),
        (sun, "needs-materials", f"/cases/{needs}"),
        (zhao, "rejected", f"/cases/{rejected['case_no']}"),
        (zhao, "rejection-notice", f"/cases/{rejected['case_no']}/notice.html"),
        (zhao, "rejection-verify", verify),
    ]
    for mode in MODES:
        audit = Audit(PHONE, f"later-{mode}")
        async with browser_context(PHONE) as context:
            page = await context.new_page()
            for client, name, path in pages:
                await as_guardian(context, client, web.url, elder=mode == "elder")
                response = await page.goto(f"{web.url}{path}")
                assert response and response.status == (404 if name == "404" else 200), name
                assert await page.get_attribute("html", "class") == (
                    "elder" if mode == "elder" else None
                )
                await audit.check(page, name)
            await as_guardian(context, sun, web.url, elder=mode == "elder")
            await page.goto(f"{web.url}/cases/{needs}")
            await page.click("#upload-MARRIAGE_CERTIFICATE")  # no file chosen: the browser asks
            assert await page.evaluate("document.activeElement.id") == "file-MARRIAGE_CERTIFICATE"
        audit.assert_clean(len(pages))
    for client in (chen, sun, zhao):
        await client.aclose()
    await library_with_failures(db, rejected["case_no"])

    staff = Audit(DESK, "later-staff")
    async with browser_context(DESK) as context:
        page = await context.new_page()
        await staff_login(
            page, web.url, "gs-rev", await make_staff(db, "gs-rev", "reviewer", district=GUSU)
        )
        await staff.check(page, "reviewer-queue")
        await page.click("#guardianship-link")
        await page.wait_for_selector("[id^=gr-]")
        await staff.check(page, "staff-guardianship")
        await page.goto(f"{web.url}/staff/cases/{needs}")
        await page.wait_for_selector("#approve-blocked")
        await staff.check(page, "reviewer-case")
        await page.click("#reject")  # no reason: told beside the field, focus on it
        await page.wait_for_selector("[role=alert]")
        assert await page.evaluate("document.activeElement.id") == "reject-message"
        assert await page.get_attribute("#reject-message", "aria-describedby") == "message-error"
        assert await page.is_visible("#message-error")
        await staff.check(page, "reviewer-case-error")
        await page.fill("#reject-message", "户籍与实际居住不符")
        await page.click("#reject")
        await page.wait_for_selector("#confirm-form")
        await staff.check(page, "reviewer-confirm")
        await page.goto(f"{web.url}/staff")
        await page.click("#logout")
        await staff_login(page, web.url, "keeper2", await make_staff(db, "keeper2", "archivist"))
        await page.goto(f"{web.url}/staff/archive")
        await page.wait_for_selector("#filing-failures")
        assert "GD-3-2" in await page.inner_text("#filing-failures")
        await staff.check(page, "archivist-failures")
    staff.assert_clean(6)


async def county_consent_page(db: Database) -> str:
    """The provider's consent page a county's login leads to (the ID number masked)."""
    await register(db, "changshu", "320581", redirect_uris=[CONSENT_REDIRECT])
    query = {
        "client_id": "changshu",
        "response_type": "code",
        "redirect_uri": CONSENT_REDIRECT,
        "scope": "openid profile idcard phone",
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    return "/oidc/authorize?" + urlencode(query)


async def as_guardian(
    context: BrowserContext, client: httpx.AsyncClient, url: str, *, elder: bool
) -> None:
    """The browser takes the client's session (and the 长辈版 cookie in that mode)."""
    await context.clear_cookies()
    await context.add_cookies(cookies_of(client, url))
    if elder:
        await context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": url}])


async def library_with_failures(db: Database, case_no: str) -> None:
    """A case that could not be filed and a package whose newest check failed, as the archivist's
    page lists them."""
    async with db.write_session() as session:
        case_id = (await session.scalars(select(Case.id).where(Case.case_no == case_no))).one()
        why = "content/002-出生医学证明.pdf 不是 PDF/A-2 文件"
        session.add(
            FilingFailure(
                case_id=case_id,
                case_no=case_no,
                archive_no="DA-320508-2026-0001",
                attempts=MAX_ATTEMPTS,
                last_error="归档检测未通过",
                failing=[{"code": "GD-3-2", "name": "可用性", "passed": False, "why": why}],
            )
        )
        failing = [
            {"code": "LTP-1-1", "name": "真实性", "passed": False, "why": "data/x 校验和不符"}
        ]
        session.add(
            CheckRun(archive_no="DA-320508-2026-0002", stage="LTP", passed=False, results=failing)
        )


async def rate_at_the_desk(page: Page, base: str, desk: httpx.AsyncClient, case_no: str) -> None:
    """The desk hands over a fresh rating screen; the parent rates; the thanks page shows."""
    opened = await desk.post(f"/staff/cases/{case_no}/rating-screen")
    assert opened.status_code == 303, opened.text
    await page.goto(f"{base}{opened.headers['location']}")
    await page.check("#level-5")
    await page.evaluate(
        "() => document.querySelectorAll('select[name^=ind-]').forEach(s => { s.value = '5'; })"
    )
    await page.click("#rate")
    await page.wait_for_selector("#result")


async def test_pages_of_rating_spouse_link_and_dashboard(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    """The rating page (a bad rating with its rectification), the provider's consent page for a
    county and a guardian's list of the counties they consented to, the spouse's waiting page and the link's consent page in both modes; the work orders
    and the dashboard (with its county panel) and the county reporting page at 1280×800."""
    wang, rated, _ = await bad_rating(web, sandbox)
    sun = await logged_in(web, sandbox, SUN)
    start = {"segment": "primary", "child_id_number": SUN_CHILD, "consent": True}
    draft = (await sun.post("/api/v1/cases", json=start)).json()["case_no"]
    invite = {"spouse_id_number": WU, "spouse_phone": phone_of(WU)}
    sent = await sun.post(f"/api/v1/cases/{draft}/spouse/invite", json=invite)
    assert sent.status_code == 202, sent.text
    link = await sms_link(sandbox, web, db, phone_of(WU))
    anonymous = httpx.AsyncClient(base_url=web.url)
    wu = await logged_in(web, sandbox, WU)  # the spouse, logged in, before consenting
    desk = await staff_client(
        web, "pj-desk2", await make_staff(db, "pj-desk2", "desk", school="3205080101")
    )
    opened = await desk.post(
        f"/staff/cases/{rated}/rating-screen"
    )  # the screen the desk hands over
    assert opened.status_code == 303, opened.text
    consent = await county_consent_page(db)
    agreed = await county_consent(sun, await sun.get(consent))  # SUN's list of them shows it
    assert agreed.headers["location"].startswith(CONSENT_REDIRECT), agreed.text
    pages = [
        (wang, "rating", f"/cases/{rated}/rating"),
        (wang, "oidc-consent", consent),
        (sun, "county-systems", "/me/county-systems"),
        (sun, "spouse-wait", f"/cases/{draft}/spouse/invite"),
        (anonymous, "spouse-consent", link),
        (wu, "spouse-consent-signed-in", link),
        (anonymous, "desk-rating-screen", opened.headers["location"]),
    ]
    from ruxue.web.app import create_app

    by_link = settings.model_copy(update={"spouse_method": "link"})  # step 3 as the link shows it
    with ServerThread(create_app(by_link)) as link_app:
        for mode in MODES:
            audit = Audit(PHONE, f"rating-{mode}")
            async with browser_context(PHONE) as context:
                page = await context.new_page()
                for client, name, path in pages:
                    await as_guardian(context, client, web.url, elder=mode == "elder")
                    response = await page.goto(f"{web.url}{path}")
                    assert response and response.status == 200, name
                    await audit.check(page, name)
                await as_guardian(context, sun, link_app.url, elder=mode == "elder")
                await page.goto(f"{link_app.url}/cases/{draft}/step/3")
                await page.wait_for_selector("#spouse-invite")
                await audit.check(page, "spouse-link-step3")
                # handing the screen over ends the clerk's session there: a clerk of its own
                clerk = f"pj-desk-{mode}"
                handing = await staff_client(
                    web, clerk, await make_staff(db, clerk, "desk", school="3205080101")
                )
                await rate_at_the_desk(page, web.url, handing, rated)
                await handing.aclose()
                await audit.check(page, "rating-thanks")
            audit.assert_clean(len(pages) + 2)
    for client in (wang, sun, anonymous, wu, desk):
        await client.aclose()

    staff = Audit(DESK, "rating-staff")
    async with browser_context(DESK) as context:
        page = await context.new_page()
        secret = await make_staff(db, "gs-rev2", "reviewer", district=GUSU)
        await staff_login(page, web.url, "gs-rev2", secret)
        await page.goto(f"{web.url}/staff/ratings")
        await page.wait_for_selector("#items form")
        await staff.check(page, "work-orders")
        await page.goto(f"{web.url}/staff")
        await page.click("#logout")
        await staff_login(page, web.url, "city", await make_staff(db, "city", "admin"))
        await county_reports(web, db)  # the dashboard's county panel, with a silent county
        await page.goto(f"{web.url}/staff/dashboard")
        await page.wait_for_selector("#dashboard[data-ready='1']")
        await page.wait_for_selector("#chart-counties canvas")
        await staff.check(page, "dashboard")
        await page.goto(f"{web.url}/staff/county")  # the county reporting page, same reports
        await page.wait_for_selector("#county-counts tr[data-district]")
        await staff.check(page, "county")
    staff.assert_clean(3)
