"""The box office in a real browser: a clerk of Theater Reinaert opens the till, sells two
standing places of another house of the cluster for cash, prints and closes the till; a
seat sold online shows as taken on the counter's map."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page, screenshot
from fixtures.web_support import Platform
from playwright.async_api import Page, expect
from sqlmodel import col, select

from ticketing.demo.seed import CLUSTERS, DEMO_PASSWORD, house_staff_email
from ticketing.money.models import LedgerEntry
from ticketing.orders.models import Order
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow

REINAERT = next(h for h in CLUSTERS[0].houses if h.slug == "gent-reinaert")
CLERK = house_staff_email(REINAERT, Role.BOX_OFFICE)
BRUSSELS = ZoneInfo("Europe/Brussels")


async def log_in(page: Page, platform: Platform) -> None:
    await page.goto(f"{platform.base}/box-office")
    await page.fill("#login-email", CLERK)
    await page.fill("#login-password", DEMO_PASSWORD)
    await page.locator("#login").click()
    await expect(page.locator("#performance-list button").first).to_be_visible()


async def programme_item(platform: Platform, title: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.base) as client:
        programme = (await client.get("/public/clusters/gent/programme?limit=200")).json()
    found: dict[str, Any] = next(i for i in programme if i["title"]["nl"] == title)
    return found


async def buy_online(platform: Platform, performance_id: str) -> str:
    """A buyer takes the best seat in the shop and pays with a test card (API calls, as the
    shop's page makes them); the seat, once the webhook has been handled."""
    async with httpx.AsyncClient(base_url=platform.base) as client:
        hold = (
            await client.post(
                "/public/holds",
                json={"performance_id": performance_id, "best": {"quantity": 1, "zone": "A"}},
            )
        ).json()
        order = (
            await client.post(
                "/public/orders",
                json={
                    "hold_id": hold["id"],
                    "customer": {"name": "An", "email": "an@example.test"},
                },
            )
        ).json()
        secret = {"secret": order["secret"]}
        start = await client.post(f"/public/orders/{order['id']}/payment", params=secret)
        assert start.status_code == 200, start.text
        paid = await client.post(
            f"/public/orders/{order['id']}/test-payment",
            params=secret,
            json={"card_number": "4242424242424242"},
        )
        assert paid.status_code == 200, paid.text
        for _ in range(100):
            now = (await client.get(f"/public/orders/{order['id']}", params=secret)).json()
            if now["status"] == "paid":
                seat: str = now["tickets"][0]["seat_key"]
                return seat
            await asyncio.sleep(0.2)
    raise AssertionError("the online order was never paid")


async def test_a_clerk_sells_two_standing_places_for_cash_and_closes_the_till(
    platform: Platform,
) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{platform.base}/box-office")
        await expect(page.locator("#login-form")).to_be_visible()
        await assert_accessible(page)
        # A wrong password is said, and nothing else happens.
        await page.fill("#login-email", CLERK)
        await page.fill("#login-password", "wrong")
        await page.locator("#login").click()
        await expect(page.locator("#login-error")).not_to_be_empty()
        await log_in(page, platform)

        await page.fill("#float", "100")
        await page.locator("#open-till button").click()
        await expect(page.locator("#till-state")).to_contain_text("Kassa open")

        await page.fill("#search", "jazz")
        await page.keyboard.press("Enter")
        await expect(page.locator("#add-FLOOR")).to_be_visible()
        await page.fill("#standing-FLOOR", "2")
        await page.locator("#add-FLOOR").click()
        await expect(page.locator("#basket-lines li")).to_have_count(1)
        await expect(page.locator("#total")).to_have_text(re.compile(r"Totaal\s*€\s56,00$"))
        # Another house's show: its staff-only tariffs are not this counter's to give.
        lines = page.locator("#basket-lines li")
        await expect(
            lines.filter(has_text="FLOOR").locator("option", has_text="Vrijkaart")
        ).to_have_count(0)

        # A seat of the house's own show in the same basket, priced with its own tariffs.
        await page.fill("#search", "storm")
        await page.locator("#performance-list button").first.click()
        await page.locator(
            'circle.seat[data-seat^="STALLS/D/"][data-state="available"]'
        ).first.click()
        await expect(lines).to_have_count(2)
        await expect(page.locator("#total")).to_have_text(re.compile(r"Totaal\s*€\s88,00$"))
        free = lines.filter(has_text="Parterre").locator("option", has_text="Vrijkaart")
        await expect(free).to_contain_text("enkel aan de kassa")
        await assert_accessible(page)
        # Taken on the phone: the ledger books it in the phone channel.
        await page.locator("#by-phone").check()
        await page.locator("#pay-cash").click()
        await expect(page.locator("#sold")).to_contain_text("Verkocht")
        await expect(page.locator("#notice")).to_contain_text("Verkocht")
        code = (await page.locator("#sold").inner_text()).split("bestelling ")[1].split(",")[0]
        async with platform.sessionmaker() as session:
            channels = (
                await session.exec(
                    select(LedgerEntry.channel)
                    .join(Order, col(Order.id) == col(LedgerEntry.order_id))
                    .where(Order.code == code)
                )
            ).all()
        assert channels
        assert set(channels) == {"phone"}
        await expect(page.locator("#sale-result #print-thermal")).to_be_focused()
        await expect(page.locator("#till-report")).to_contain_text("188,00")
        async with page.expect_download() as download_info:
            await page.locator("#sale-result #print-thermal").click()
        printed = await download_info.value
        assert (await printed.path()).read_bytes().startswith(b"%PDF")

        await page.fill("#counted", "186")
        await page.locator("#close").click()
        await expect(page.locator("#till-state")).to_contain_text("Kassa dicht")
        report = page.locator("#closed-report")
        await expect(report.locator("tr", has_text="Verwacht cash")).to_have_text(
            re.compile(r"Verwacht cash\s*€\s188,00$")
        )
        # Two euro short: said as it is.
        await expect(report.locator("tr", has_text="Verschil")).to_have_text(
            re.compile(r"Verschil\s*€\s-2,00$")
        )
        assert js_errors(page) == []


async def test_a_seat_sold_online_is_taken_on_the_counters_map(platform: Platform) -> None:
    storm = await programme_item(platform, "De Storm")
    seat = await buy_online(platform, storm["performance_id"])
    async with chromium() as browser:
        page = await new_page(browser)
        await log_in(page, platform)
        # An access token that ran out is renewed from the refresh token, even on a reload.
        await page.evaluate("sessionStorage.setItem('podium.box-office.token', 'run-out')")
        await page.reload()
        await expect(page.locator("#performance-list button").first).to_be_visible()
        await expect(page.locator("#login-form")).to_have_count(0)
        await page.fill("#search", "storm")
        await page.locator(
            f'#performance-list button[data-performance="{storm["performance_id"]}"]'
        ).click()
        circle = page.locator(f'circle[data-seat="{seat}"]')
        await expect(circle).to_have_attribute("data-state", "taken")
        await expect(circle).to_have_attribute("aria-disabled", "true")
        # Clicking it takes nothing; a free seat next to it goes into the basket.
        await circle.click(force=True)
        await expect(page.locator("#basket-lines li")).to_have_count(0)
        free = page.locator('circle.seat[data-seat^="STALLS/"][data-state="available"]').first
        await free.click()
        await expect(page.locator("#basket-lines li")).to_have_count(1)
        await assert_accessible(page)
        await screenshot(page, "box-office")
        assert js_errors(page) == []


async def test_a_reservation_is_paid_at_the_counter_and_a_ticket_exchanged(
    platform: Platform,
) -> None:
    storm = await programme_item(platform, "De Storm")
    async with chromium() as browser:
        page = await new_page(browser)
        await log_in(page, platform)
        await expect(page.locator("#till form")).to_be_visible()
        if await page.locator("#open-till").count():  # an earlier test may have left it open
            await page.fill("#float", "0")
            await page.locator("#open-till button").click()
        await expect(page.locator("#till-state")).to_contain_text("Kassa open")
        await page.fill("#search", "storm")
        await page.locator(
            f'#performance-list button[data-performance="{storm["performance_id"]}"]'
        ).click()
        seats = page.locator('circle.seat[data-seat^="STALLS/C/"][data-state="available"]')
        await seats.first.click()
        await expect(page.locator("#basket-lines li")).to_have_count(1)
        await page.fill("#customer-name", "Mireille Claes")
        # Two hours from now as a clerk in Brussels types it (the test browser runs in UTC).
        deadline = (datetime.now(BRUSSELS) + timedelta(hours=2)).replace(second=0, microsecond=0)
        # Typed as a date is written in Dutch, whatever the computer's own locale.
        await expect(page.locator("#reserve-hint")).to_have_text("dd/mm/jjjj uu:mm")
        await page.fill("#reserve-until", deadline.strftime("%d/%m/%Y %H:%M"))
        await page.locator("#reserve").click()
        await expect(page.locator("#sold")).to_contain_text("Gereserveerd")
        code = (await page.locator("#sold").inner_text()).split("bestelling ")[1].split(".")[0]
        # The deadline is the Brussels time the clerk typed, whatever the computer's zone.
        async with httpx.AsyncClient(base_url=platform.base) as client:
            login = await client.post(
                "/auth/login", json={"email": CLERK, "password": DEMO_PASSWORD}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            (reserved,) = (await client.get("/orders", params={"q": code}, headers=headers)).json()
        assert datetime.fromisoformat(reserved["pay_before"]) == deadline

        await page.fill("#order-search", code)
        await page.locator("#orders form button").click()
        card = page.locator(f'#order-results [data-order="{code}"]')
        await expect(card).to_contain_text("reserved")
        await card.locator('button[data-pay="cash"]').click()
        await expect(page.locator(f'#order-results [data-order="{code}"]')).to_contain_text("paid")
        await expect(page.locator("#till-report")).to_contain_text("32,00")

        # The ticket for another seat: hold the new one, then exchange (same price).
        await seats.nth(3).click()
        await expect(page.locator("#basket-lines li")).to_have_count(1)
        new_seat = await page.locator("circle.seat-mine").get_attribute("data-seat")
        card = page.locator(f'#order-results [data-order="{code}"]')
        await card.locator("li button").click()
        await expect(page.locator("#notice")).to_contain_text("Geruild")
        tickets = page.locator(f'#order-results [data-order="{code}"] li[data-ticket]')
        await expect(tickets.filter(has_text="exchanged")).to_have_count(1)
        row, number = str(new_seat).split("/")[1:]
        await expect(tickets.filter(has_text=f"rij {row}, stoel {number} ")).to_contain_text(
            "valid"
        )
        await expect(page.locator(f'circle[data-seat="{new_seat}"]')).to_have_attribute(
            "data-state", "taken"
        )
        assert js_errors(page) == []


async def test_the_reservation_date_follows_the_pages_language(platform: Platform) -> None:
    """On a computer set to American English the Dutch counter still asks for dd/mm/jjjj
    (the browser's own date field showed mm/dd/yyyy), and French and English pages ask in
    their own words; what is typed is read the page's way."""
    storm = await programme_item(platform, "De Storm")
    async with chromium() as browser:
        page = await new_page(browser, locale="en-US")
        await log_in(page, platform)
        await page.fill("#search", "storm")
        await page.locator(
            f'#performance-list button[data-performance="{storm["performance_id"]}"]'
        ).click()
        await page.locator(
            'circle.seat[data-seat^="STALLS/M/"][data-state="available"]'
        ).first.click()
        field = page.locator("#reserve-until")
        for lang, hint in [
            ("NL", "dd/mm/jjjj uu:mm"),
            ("FR", "jj/mm/aaaa hh:mm"),
            ("EN", "dd/mm/yyyy hh:mm"),
        ]:
            await page.get_by_role("button", name=lang, exact=True).click()
            await expect(page.locator("html")).to_have_attribute("lang", lang.lower())
            await expect(page.locator("#reserve-hint")).to_have_text(hint)
            await expect(field).to_have_attribute("placeholder", hint)
        # 03/02 is the third of February here, never the second of March.
        await field.fill("03/02/2031 19:30")
        assert await field.evaluate("f => f.isoValue") == "2031-02-03T19:30"
        await field.fill("02/30/2031 19:30")  # the American way: no such day
        assert await field.evaluate("f => f.isoValue") is None
        await page.locator("#reserve").click()
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_be_focused()
        assert js_errors(page) == []
