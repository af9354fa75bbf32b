"""Browser tests: Debian's Chromium driven by Playwright, the accessibility check (axe-core)
and the screenshots that docs/ shows."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "web" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(
    browser: Browser, *, viewport: dict[str, int] | None = None, locale: str = "nl-BE"
) -> Page:
    context = await browser.new_context(viewport=viewport or DESKTOP, locale=locale)  # type: ignore[arg-type]
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def js_errors(page: Page) -> list[str]:
    """Uncaught errors and console errors the page had so far."""
    found: list[str] = page.js_errors  # type: ignore[attr-defined]
    # Chromium logs every answer of 400 or more; the 4xx ones the page explains to its
    # user are expected, a 5xx never is.
    return [
        e
        for e in found
        if "Failed to load resource: the server responded with a status of 4" not in e
    ]


async def serious_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA checks on the page as it is now: the serious and critical
    violations, each with the elements it found."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' Content Security Policy
        # (rightly) refuses an inline <script> tag, which add_script_tag would add.
        await page.evaluate(f"{AXE.read_text()}\n;true")
    result = await page.evaluate(
        """async (context) => {
            const r = await axe.run(context || document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            });
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""",
        context,
    )
    return list(result)


async def assert_accessible(page: Page, context: str | None = None) -> None:
    violations = await serious_violations(page, context)
    assert violations == [], json.dumps(violations, indent=2)


async def screenshot(page: Page, name: str) -> None:
    """A picture for docs/ (docs/screenshots/NAME.png), taken as the test goes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
