"""The accessibility audit of ``tests/browser/test_accessibility.py`` as support, for the audits of
other pages (the kiosk at 1080×1920, where the fixed portrait screen has no 200 % reflow: its
长辈版 is its zoom, so ``reflow=False``): axe-core WCAG 2.x A/AA, 44 px targets, no text under
16 px. ``SCREENSHOTS_COPY_TO`` names a directory that gets a copy of every screenshot."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, async_playwright

from tests.support.browser import CHROMIUM, FLAGS, shot

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS_TO = (
    Path(os.environ["SCREENSHOTS_COPY_TO"]) if os.environ.get("SCREENSHOTS_COPY_TO") else None
)

SMALL_TARGETS = """() => {
  const inSentence = (a) => {
    const block = a.parentElement.closest("p, li, dd");
    return block !== null && block.textContent.trim().length > a.textContent.trim().length;
  };
  const small = [];
  for (const el of document.querySelectorAll("a, button, input, select, textarea, summary")) {
    if (el.type === "hidden" || el.getClientRects().length === 0) continue;
    if (el.tagName === "A" && inSentence(el)) continue;
    let box = el.getBoundingClientRect();
    if ((el.type === "checkbox" || el.type === "radio") && el.labels.length) {
      const label = el.labels[0].getBoundingClientRect();
      if (label.width * label.height > box.width * box.height) box = label;
    }
    if (box.width < 43.5 || box.height < 43.5) {
      small.push(`${el.tagName.toLowerCase()}#${el.id || el.name || el.textContent.trim().slice(0, 12)}`
                 + ` ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""


SMALL_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let all = 0, small = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const n = node.textContent.replace(/\\s/g, "").length;
    if (!n || el.getClientRects().length === 0 || el.closest("[aria-hidden=true]")) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;  // visually hidden, for screen readers
    all += n;
    if (parseFloat(getComputedStyle(el).fontSize) < 16) small += n;
  }
  return [small, all];
}"""


class Audit:
    """Runs the three checks on each page it is shown and keeps what they found."""

    def __init__(self, viewport: dict[str, int], prefix: str, reflow: bool = True) -> None:
        self.viewport, self.prefix, self.reflow = viewport, prefix, reflow
        self.found: dict[str, list[str]] = {}
        self.rules_passed = 0
        self.small_text = [0, 0]  # characters under 16 px, all characters

    async def check(self, page: Page, name: str) -> None:
        await page.wait_for_load_state("load")
        problems = await self._axe(page) + (await self._reflow(page) if self.reflow else [])
        problems += [f"target under 44 px: {t}" for t in await page.evaluate(SMALL_TARGETS)]
        self.found[name] = problems
        small, total = await page.evaluate(SMALL_TEXT)
        self.small_text = [self.small_text[0] + small, self.small_text[1] + total]
        await shot(page, f"a11y-{self.prefix}-{name}")
        if SHOTS_TO is not None:
            SHOTS_TO.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SHOTS_TO / f"a11y-{self.prefix}-{name}.png"))

    async def _axe(self, page: Page) -> list[str]:
        result: dict[str, Any] = await page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
        )
        self.rules_passed += len(result["passes"])
        return [
            f"axe {v['id']}: {n['target']} {n['failureSummary']}"
            for v in result["violations"]
            for n in v["nodes"]
        ]

    async def _reflow(self, page: Page) -> list[str]:
        zoomed = {"width": self.viewport["width"] // 2, "height": self.viewport["height"] // 2}
        await page.set_viewport_size(zoomed)
        wide, seen = await page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        await page.set_viewport_size(self.viewport)
        return [] if wide <= seen else [f"scrolls sideways at 200 %: {wide} > {seen} px"]

    def assert_clean(self, pages: int) -> None:
        assert len(self.found) == pages, sorted(self.found)
        assert self.rules_passed > 10 * pages  # axe ran its rules on every page
        found = {name: p for name, p in self.found.items() if p}
        assert found == {}, "\n".join(f"{name}: {p}" for name, ps in found.items() for p in ps)
        small, total = self.small_text
        assert total > 100 * pages and small == 0  # no visible character under 16 px


@asynccontextmanager
async def browser_context(viewport: dict[str, int]) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = await browser.new_context(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
        # axe-core comes with every document from the browser itself: the pages' CSP (scripts
        # from 'self' only) stays on and refuses a script tag added to the page
        await context.add_init_script(path=str(AXE))
        yield context
        await browser.close()
