"""The shop in a real browser: the Gent cluster's programme, the seat picker on the
600-seat theatre, checkout, the test-mode payment, the confirmation and the tickets; two
buyers racing for one seat."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fixtures.browser import (
    PHONE,
    assert_accessible,
    chromium,
    js_errors,
    new_page,
    screenshot,
)
from fixtures.web_support import Platform
from playwright.async_api import Page, expect

pytestmark = pytest.mark.slow


async def storm(platform: Platform) -> tuple[str, str]:
    """The event and first performance of "De Storm" (Theater Reinaert, Grote zaal)."""
    async with httpx.AsyncClient(base_url=platform.base) as client:
        programme = (await client.get("/public/clusters/gent/programme?limit=200")).json()
    item = next(i for i in programme if i["title"]["nl"] == "De Storm")
    return item["event_id"], item["performance_id"]


async def free_seats(page: Page, row: str, n: int) -> list[str]:
    keys: list[str] = await page.eval_on_selector_all(
        f'circle.seat[data-seat^="STALLS/{row}/"][data-state="available"]',
        "(cs, n) => cs.slice(Math.floor(cs.length / 2), Math.floor(cs.length / 2) + n)"
        ".map(c => c.dataset.seat)",
        n,
    )
    assert len(keys) == n
    return keys


async def test_an_audience_member_buys_two_seats_and_downloads_the_tickets(
    platform: Platform, tmp_path: Any
) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{platform.base}/shop/clusters/gent")
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        # Every house of the cluster is in one programme.
        await expect(page.locator("#filter-house option")).to_have_count(4)
        cards = page.locator("article.event-card")
        await expect(cards.filter(has_text="Leie Jazz Night").first).to_be_visible()
        await expect(cards.filter(has_text="De Storm").first).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "shop")
        # The genre filter asks the API again: only concerts are left.
        await page.select_option("#filter-genre", "0.50.4.0.0")
        await expect(cards.filter(has_text="De Storm")).to_have_count(0)
        await expect(cards.filter(has_text="Leie Jazz Night").first).to_be_visible()
        await page.select_option("#filter-genre", "")

        await cards.filter(has_text="De Storm").first.get_by_role("link", name="Tickets").click()
        await expect(page.locator("circle.seat").first).to_be_attached()
        await expect(page.locator("circle.seat")).to_have_count(600)
        await assert_accessible(page)
        first, second = await free_seats(page, "E", 2)
        await page.locator(f'circle[data-seat="{first}"]').click()
        await expect(page.locator(f'circle[data-seat="{first}"]')).to_have_attribute(
            "data-state", "mine"
        )
        # The second seat by keyboard: focus moves along the row with the arrow keys.
        await page.locator(f'circle[data-seat="{first}"]').focus()
        key = first
        for _ in range(6):
            await page.keyboard.press("ArrowRight")
            key = await page.evaluate("document.activeElement.dataset.seat")
            if key == second:
                break
        if key != second:  # numbering odd/even: the neighbour may lie the other way
            await page.locator(f'circle[data-seat="{second}"]').focus()
        await page.keyboard.press("Enter")
        await expect(page.locator(f'circle[data-seat="{second}"]')).to_have_attribute(
            "aria-checked", "true"
        )
        await expect(page.locator("#picked li")).to_have_count(2)
        await expect(page.locator("#countdown")).to_contain_text(":")
        await screenshot(page, "seat-picker")

        await page.locator("#checkout").click()
        await expect(page.locator("#checkout-form")).to_be_visible()
        await expect(page.locator("#total")).to_have_text(re.compile(r"Totaal\s*€\s64,00$"))
        await expect(page.locator("#fees")).to_be_hidden()  # the demo houses ask no fee
        await expect(page.locator("#countdown")).to_contain_text(":")
        await expect(page.locator("select option", has_text="65-plus").first).to_be_attached()
        await expect(page.locator("select option", has_text="Vrijkaart")).to_have_count(0)
        # Nothing filled in: the clerk-friendly error names the field, nothing is ordered.
        await page.locator("#place-order").click()
        await expect(page.locator("#checkout-error")).to_contain_text("Naam")
        await expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
        await page.fill("#name", "Lotte De Smet")
        await page.fill("#email", "lotte@example.test")
        await page.check("#share")
        await assert_accessible(page)
        await screenshot(page, "checkout")
        await page.locator("#place-order").click()

        await expect(page.locator("#test-mode")).to_be_visible()
        # The order's secret is off the address bar before the payment loads (Stripe.js
        # reads the address); the tab keeps it, so a reload still opens the order.
        assert "secret" not in page.url
        assert "/shop/orders/" in page.url
        await assert_accessible(page)
        # The declined test card is refused and says so; the right one pays.
        await page.fill("#card", "4000 0000 0000 0341")
        await page.locator("#pay").click()
        await expect(page.locator("#pay-error")).not_to_be_empty()
        await page.fill("#card", "4242 4242 4242 4242")
        await page.locator("#pay").click()
        await expect(page.locator("#order-status")).to_contain_text("Betaald", timeout=30_000)
        await expect(page.locator("#tickets-title")).to_be_visible()
        await expect(page.locator("figure img")).to_have_count(2)
        await expect(page.locator(".order-show h3")).to_have_text("De Storm")
        await expect(page.locator("figcaption").first).to_contain_text("Parterre, rij E")
        async with page.expect_download() as download_info:
            await page.locator("#download").click()
        download = await download_info.value
        path = tmp_path / "tickets.pdf"
        await download.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
        await assert_accessible(page)
        await screenshot(page, "confirmation")
        assert js_errors(page) == []

    # The seats are sold for everyone else.
    async with httpx.AsyncClient(base_url=platform.base) as client:
        _, performance = await storm(platform)
        live = (await client.get(f"/public/performances/{performance}/availability")).json()
    assert {first, second} <= set(live["sold"])


async def test_two_buyers_race_for_one_seat_and_the_loser_is_offered_another(
    platform: Platform,
) -> None:
    event, performance = await storm(platform)
    url = f"{platform.base}/shop/events/{event}/performances/{performance}"
    async with chromium() as browser:
        pages = [await new_page(browser, viewport=PHONE) for _ in range(2)]
        for page in pages:
            await page.goto(url)
            await expect(page.locator("circle.seat")).to_have_count(600)
        (seat,) = await free_seats(pages[0], "H", 1)
        circles = [p.locator(f'circle[data-seat="{seat}"]') for p in pages]
        # Both click at the same moment.
        await circles[0].evaluate("c => c.dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        await circles[1].evaluate("c => c.dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        winners = []
        for page, circle in zip(pages, circles, strict=True):
            await expect(page.locator("#offer button, #picked li").first).to_be_visible()
            winners.append(await circle.get_attribute("data-state") == "mine")
        assert sorted(winners) == [False, True]
        loser = pages[winners.index(False)]
        await expect(loser.locator(f'circle[data-seat="{seat}"]')).to_have_attribute(
            "data-state", "taken"
        )
        await expect(loser.locator("#offer")).to_contain_text("net genomen")
        await loser.locator("#take-other").click()
        await expect(loser.locator("#picked li")).to_have_count(1)
        other = await loser.locator("circle.seat-mine").get_attribute("data-seat")
        assert other is not None
        assert other != seat
        for page in pages:
            assert js_errors(page) == []


async def test_the_shop_speaks_french_and_english_and_remembers_the_choice(
    platform: Platform,
) -> None:
    event, _ = await storm(platform)
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{platform.base}/shop/events/{event}")
        await expect(page.locator("h1")).to_have_text("De Storm")
        await expect(page.locator("main h2").first).to_have_text("Voorstellingen")
        await page.get_by_role("button", name="FR").click()
        await expect(page.locator("h1")).to_have_text("La Tempête")
        await expect(page.locator("main h2").first).to_have_text("Représentations")
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        await page.reload()  # the choice is kept
        await expect(page.locator("main h2").first).to_have_text("Représentations")
        await page.goto(f"{platform.base}/shop/clusters/gent?lang=en")
        await expect(page.locator("h1")).to_have_text("Programme")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("#filter-genre option").first).to_have_text("All genres")
        await expect(
            page.locator("article.event-card h2", has_text="The Tempest").first
        ).to_be_visible()
        await assert_accessible(page)
        assert js_errors(page) == []


async def first_performance(platform: Platform, cluster: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=platform.base) as client:
        programme = (await client.get(f"/public/clusters/{cluster}/programme")).json()
    item = next(i for i in programme if i["places_left"] > 10 and "Staan" not in i["hall_name"])
    return item["event_id"], item["performance_id"]


async def test_two_tabs_share_one_basket_and_another_region_asks_first(
    platform: Platform,
) -> None:
    event, performance = await storm(platform)
    url = f"{platform.base}/shop/events/{event}/performances/{performance}"
    async with chromium() as browser:
        first = await new_page(browser)
        context = first.context
        second = await context.new_page()
        for page in (first, second):
            await page.goto(url)
            await expect(page.locator("circle.seat")).to_have_count(600)
        one, two = await free_seats(first, "K", 2)
        await first.locator(f'circle[data-seat="{one}"]').click()
        await expect(first.locator("#picked li")).to_have_count(1)
        # The second tab was opened before the basket existed: its seat joins the same one.
        await second.locator(f'circle[data-seat="{two}"]').click()
        await expect(second.locator("#picked li")).to_have_count(2)
        await expect(first.locator("#picked li")).to_have_count(2)  # told by the other tab

        # A show of another region cannot join this basket: the buyer is asked first.
        other_event, other = await first_performance(platform, "zuidwest")
        await first.goto(f"{platform.base}/shop/events/{other_event}/performances/{other}")
        seat = first.locator('circle.seat[data-state="available"]').first
        await seat.click()
        await expect(first.locator("#offer")).to_contain_text("andere regio")
        await first.locator("#empty-basket").click()
        await expect(first.locator("#picked li")).to_have_count(1)
        async with httpx.AsyncClient(base_url=platform.base) as client:
            live = (await client.get(f"/public/performances/{performance}/availability")).json()
        assert one not in live["held"]
        assert two not in live["held"]
        assert js_errors(first) == []


async def test_the_date_filter_follows_the_pages_language(platform: Platform) -> None:
    """A Dutch page on an American computer asks for the day as dd/mm/jjjj and reads it so."""
    async with httpx.AsyncClient(base_url=platform.base) as client:
        programme = (await client.get("/public/clusters/gent/programme?limit=200")).json()
    day = programme[0]["starts_at"][:10]  # the demo's shows start in the evening (UTC)
    year, month, date = day.split("-")
    async with chromium() as browser:
        page = await new_page(browser, locale="en-US")
        await page.goto(f"{platform.base}/shop/clusters/gent")
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        await expect(page.locator("#filter-date")).to_have_attribute("placeholder", "dd/mm/jjjj")
        await expect(page.locator("#filter-date-hint")).to_have_text("dd/mm/jjjj")
        async with page.expect_request(
            lambda r: f"date_from={day}" in r.url and f"date_to={day}" in r.url
        ):
            await page.fill("#filter-date", f"{date}/{month}/{year}")
            await page.locator("#filter-date").press("Enter")
            await page.locator("#filter-date").blur()
        await expect(page.locator("#filter-date")).to_have_attribute("aria-invalid", "false")
        await expect(page.locator("article.event-card").first).to_be_visible()
        await page.get_by_role("button", name="FR", exact=True).click()
        await expect(page.locator("#filter-date")).to_have_attribute("placeholder", "jj/mm/aaaa")
        assert js_errors(page) == []
