"""The API docs pages (Scalar at /schema, Swagger UI at /schema/swagger) draw the API in a
real browser under the pages' Content Security Policy, with nothing refused."""

from __future__ import annotations

import pytest
from fixtures.browser import chromium, js_errors, new_page
from fixtures.web_support import Platform
from page_checks import csp_violations, watch
from playwright.async_api import expect

pytestmark = pytest.mark.slow


async def test_scalar_and_swagger_work_under_the_policy(platform: Platform) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        dialogs = await watch(page.context)
        await page.goto(f"{platform.base}/schema")
        # Scalar lists the operations by their summaries.
        await expect(page.get_by_text("Liveness and database check").first).to_be_attached(
            timeout=30_000
        )
        # The one thing refused: the bundled Zod's probe whether it may compile validators
        # (`try { Function("") } catch`); refused, it validates without, as it should.
        probes = [v for v in await csp_violations(page) if not v.startswith("script-src eval ")]
        assert probes == []
        await page.goto(f"{platform.base}/schema/swagger")
        await expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
        await expect(page.locator(".opblock-summary-path", has_text="/health")).to_have_count(1)
        assert await csp_violations(page) == []
        assert dialogs == []
        assert [e for e in js_errors(page) if "unsafe-eval" not in e] == []
