"""The widget on a house's own website (another origin): it shows the cluster's programme
and its "Tickets" link reaches the shop's seat picker."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page, screenshot
from fixtures.web_support import Platform
from page_checks import csp_violations, watch
from playwright.async_api import expect

from ticketing.demo.seed import CLUSTERS
from ticketing.web.controllers import STATIC_DIR

pytestmark = pytest.mark.slow


@pytest.fixture
def house_site(platform: Platform, tmp_path: Path) -> Iterator[str]:
    """The example page, served by the house's own web server on another origin."""
    page = (STATIC_DIR / "widget" / "example.html").read_text()
    (tmp_path / "index.html").write_text(
        page.replace('src="/widget.js"', f'src="{platform.base}/widget.js"')
    )
    # The site's own stylesheet, on its own server.
    (tmp_path / "static" / "widget").mkdir(parents=True)
    (tmp_path / "static" / "widget" / "example.css").write_text(
        (STATIC_DIR / "widget" / "example.css").read_text()
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined, assignment]
    server = http.server.ThreadingHTTPServer(("localhost", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}/index.html"
    server.shutdown()


async def test_the_widget_shows_the_programme_and_opens_the_seat_picker(
    platform: Platform, house_site: str
) -> None:
    assert not house_site.startswith(platform.base)  # really another origin
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(house_site)
        box = page.locator("[data-podium-programme]")
        await expect(box).to_have_attribute("data-ready", "true")
        items = box.locator(".podium-item")
        assert await items.count() >= 3
        # Only Zender's houses.
        zender = {h.name for h in next(c for c in CLUSTERS if c.slug == "zender").houses}
        for text in await items.locator(".podium-where").all_inner_texts():
            assert text.split(" · ")[0] in zender
        await assert_accessible(page, "[data-podium-programme]")
        await screenshot(page, "widget")
        await items.first.locator("a.podium-tickets").click()
        await expect(page).to_have_url(
            re.compile(rf"^{re.escape(platform.base)}/shop/events/[^/]+/performances/[^/?]+")
        )
        await expect(page.locator("circle.seat, #standing-title").first).to_be_attached()
        assert js_errors(page) == []


async def test_the_example_page_is_served_by_the_platform(platform: Platform) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        await watch(page.context)
        await page.goto(f"{platform.base}/widget/example")
        await expect(page.locator("[data-podium-programme]")).to_have_attribute(
            "data-ready", "true"
        )
        await expect(page.locator(".podium-item").first).to_be_visible()
        # Under the platform's own policy: the widget's styles are a stylesheet, not inline.
        await expect(page.locator(".podium-tickets").first).to_have_css(
            "background-color", "rgb(10, 79, 156)"
        )
        assert await csp_violations(page) == []
        assert js_errors(page) == []
