"""A family in an ``allocation`` district sees, on a phone (375×812, Debian's Chromium), 资格审核通过
with its category, its own rank and the publication date; the page passes axe-core (WCAG 2.1 AA)
in both modes. Screenshots: test-artifacts/screenshots/qualified-*.png."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import async_playwright

from ruxue.kit.db import Database
from tests.support.browser import CHROMIUM, FLAGS, shot
from tests.support.cohort_cases import shipped_policy
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\n'

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
        reason="Debian chromium is not installed",
    ),
    pytest.mark.skipif(
        not AXE.exists() and os.environ.get("CI") != "true", reason="axe-core is not installed"
    ),
]


async def violations(page: Any) -> list[str]:
    result: dict[str, Any] = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    assert result["passes"]  # axe ran
    return [f"{v['id']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]


async def test_a_family_sees_its_qualified_case_on_a_phone(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    with shipped_policy(tmp_path, ALLOCATION):
        http = await logged_in(web, sandbox, WANG)
        case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
        cookies = [
            {"name": c.name, "value": c.value or "", "url": web.url} for c in http.cookies.jar
        ]
        await http.aclose()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = await browser.new_context(
                viewport={"width": 375, "height": 812}, locale="zh-CN"
            )
            await context.add_init_script(path=str(AXE))
            await context.add_cookies(cookies)  # type: ignore[arg-type]
            page = await context.new_page()
            await page.goto(f"{web.url}/cases/{case['case_no']}")
            assert await page.inner_text("#result") == "资格审核通过"
            assert (await page.inner_text("#category")).startswith("A类")
            assert await page.inner_text("#rank") == "A类 2020-06-01"
            assert await page.inner_text("#publish-on") == "2026年7月10日"
            assert await page.locator("#notice").count() == 0
            await shot(page, "qualified-1-status")
            assert await violations(page) == []
            await page.goto(f"{web.url}/mode?elder=1&next=/cases/{case['case_no']}")
            assert await page.get_attribute("html", "class") == "elder"
            await shot(page, "qualified-2-status-elder")
            assert await violations(page) == []
            await browser.close()
