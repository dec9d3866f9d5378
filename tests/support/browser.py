"""Shared test support moved from tests/browser/test_guardian_flow.py (imported by other test modules)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Page

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip


pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
    reason="Debian chromium is not installed",
)


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
