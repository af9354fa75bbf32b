"""The shop, the seat picker, checkout and the box office on a phone (375 px) and on a
desktop (1280 px): no control sticks out of its panel and no page scrolls sideways, with
the longest names the demo has (the box office's own tariffs, "enkel aan de kassa")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fixtures.browser import chromium, js_errors, new_page
from fixtures.web_support import Platform
from page_checks import DESKTOP_1280, PHONE_375, csp_violations, overflowing, watch
from playwright.async_api import Page, expect
from test_box_office_page import BRUSSELS, log_in, programme_item
from test_shop import free_seats, storm

pytestmark = pytest.mark.slow

WIDTHS = [pytest.param(PHONE_375, id="375px"), pytest.param(DESKTOP_1280, id="1280px")]


async def fits(page: Page, where: str) -> None:
    found = await overflowing(page)
    assert found == [], f"{where}: {found}"


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_shop_fits_phone_and_desktop(
    platform: Platform, viewport: dict[str, int]
) -> None:
    event, performance = await storm(platform)
    async with chromium() as browser:
        page = await new_page(browser, viewport=viewport)
        await watch(page.context)
        await page.goto(f"{platform.base}/shop/clusters/gent")
        await expect(page.locator("article.event-card").first).to_be_visible()
        await fits(page, "programme")

        await page.goto(f"{platform.base}/shop/events/{event}/performances/{performance}")
        await expect(page.locator("circle.seat")).to_have_count(600)
        for key in await free_seats(page, "F", 2):
            await page.locator(f'circle[data-seat="{key}"]').click()
            await expect(page.locator(f'circle[data-seat="{key}"]')).to_have_attribute(
                "data-state", "mine"
            )
        await expect(page.locator("#picked li")).to_have_count(2)
        await fits(page, "seat picker")

        await page.locator("#checkout").click()
        await expect(page.locator("#checkout-form")).to_be_visible()
        await page.locator("#place-order").click()  # the error message shows too
        await expect(page.locator("#checkout-error")).not_to_be_empty()
        await fits(page, "checkout")
        assert await csp_violations(page) == []
        assert js_errors(page) == []


@pytest.mark.parametrize("viewport", WIDTHS)
async def test_the_box_office_fits_phone_and_desktop(
    platform: Platform, viewport: dict[str, int]
) -> None:
    storm_item = await programme_item(platform, "De Storm")
    async with chromium() as browser:
        page = await new_page(browser, viewport=viewport)
        await watch(page.context)
        await log_in(page, platform)
        await fits(page, "performances")
        await page.fill("#search", "jazz")
        await page.keyboard.press("Enter")
        await expect(page.locator("#add-FLOOR")).to_be_visible()
        await page.locator("#add-FLOOR").click()
        await expect(page.locator("#basket-lines li")).to_have_count(1)
        await page.fill("#search", "storm")
        await page.locator(
            f'#performance-list button[data-performance="{storm_item["performance_id"]}"]'
        ).click()
        # A seat of the house's own show: its tariffs include those only staff may give.
        await page.locator(
            'circle.seat[data-seat^="STALLS/G/"][data-state="available"]'
        ).first.click()
        lines = page.locator("#basket-lines li")
        await expect(lines).to_have_count(2)
        await expect(
            lines.filter(has_text="Parterre").locator("option", has_text="enkel aan de kassa")
        ).not_to_have_count(0)
        # The longest tariff chosen, as a clerk would for a complimentary ticket.
        select = lines.filter(has_text="Parterre").locator("select")
        longest = await select.evaluate(
            "s => [...s.options].sort((a, b) => b.text.length - a.text.length)[0].value"
        )
        await select.select_option(longest)
        await fits(page, "basket")
        # Reserved until tomorrow evening: the order's card, with its pay and refund
        # controls, fits too.
        if await page.locator("#open-till").count():
            await page.fill("#float", "0")
            await page.locator("#open-till button").click()
            await expect(page.locator("#till-state")).to_contain_text("Kassa open")
        await page.fill("#customer-name", "Marie-Françoise Vandenbroucke-Vermeulen")
        deadline = datetime.now(BRUSSELS) + timedelta(days=1)
        await page.fill("#reserve-until", deadline.strftime("%d/%m/%Y 20:00"))
        await page.locator("#reserve").click()
        await expect(page.locator("#sold")).to_contain_text("Gereserveerd")
        code = (await page.locator("#sold").inner_text()).split("bestelling ")[1].split(".")[0]
        await page.fill("#order-search", code)
        await page.locator("#orders form button").click()
        card = page.locator(f'#order-results [data-order="{code}"]')
        await expect(card.locator("button[data-pay]")).to_have_count(3)
        await fits(page, "orders")
        assert await csp_violations(page) == []
        assert js_errors(page) == []
