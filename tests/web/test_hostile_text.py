"""What staff and buyers type is shown as text, never run as markup: an event title, a
section name, a seat label and a customer's name made of HTML and script show as those
very characters in the shop, the box office, the admin pages and the seat-map editor; no
dialog opens and the Content Security Policy has nothing to refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fixtures.browser import chromium, js_errors, new_page
from fixtures.web_support import Platform
from fixtures.world import in_days
from page_checks import HOSTILE, csp_violations, watch
from playwright.async_api import Page, expect
from test_admin_pages import ADMIN
from test_admin_pages import log_in as admin_log_in
from test_box_office_page import CLERK
from test_box_office_page import log_in as clerk_log_in

from ticketing.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.slow

# Seat and row labels have 16 characters at most and no slash.
SEAT = "<svg onload=x()>"
ROW = "<b>R"


@dataclass
class Hostile:
    event_id: str
    performance_id: str
    hall_id: str
    seat_key: str
    order_code: str


async def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _token(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    login = await _ok(
        await client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    )
    return {"Authorization": f"Bearer {login['access_token']}"}


@pytest.fixture(scope="module")
async def hostile(platform: Platform) -> Hostile:
    """Theater Reinaert's admin names a hall, a section, a row, a seat and an event with
    markup; a clerk sells a seat of it to a customer whose name is markup too."""
    async with httpx.AsyncClient(base_url=platform.base) as client:
        admin = await _token(client, ADMIN)
        (house,) = await _ok(await client.get("/houses", headers=admin))
        venue = await _ok(
            await client.post(
                "/venues",
                headers=admin,
                json={
                    "house_id": house["id"],
                    "name": HOSTILE,
                    "street": "Kouter 1",
                    "postal_code": "9000",
                    "city": "Gent",
                },
            )
        )
        hall = await _ok(
            await client.post(
                "/halls", headers=admin, json={"venue_id": venue["id"], "name": HOSTILE}
            )
        )
        spec = {
            "name": HOSTILE,
            "price_zones": [{"code": "A", "name": HOSTILE, "color": "#1f77b4"}],
            "blocks": [
                {"code": "EVIL", "name": HOSTILE, "rows": 2, "seats_per_row": 4, "zone": "A"}
            ],
        }
        generated = await _ok(
            await client.post(f"/halls/{hall['id']}/layouts/generate", headers=admin, json=spec)
        )
        document = generated["document"]
        row = document["sections"][0]["rows"][0]
        row["label"] = ROW
        row["seats"][0]["label"] = SEAT
        await _ok(await client.post(f"/halls/{hall['id']}/layouts", headers=admin, json=document))
        event = await _ok(
            await client.post(
                "/events",
                headers=admin,
                json={
                    "house_id": house["id"],
                    "title": {"nl": HOSTILE, "fr": HOSTILE, "en": HOSTILE},
                    "description": {"nl": HOSTILE},
                    "event_type_id": "0.55.0.0.0",
                },
            )
        )
        performance = await _ok(
            await client.post(
                f"/events/{event['id']}/performances",
                headers=admin,
                json={
                    "hall_id": hall["id"],
                    "starts_at": in_days(3),
                    "ends_at": in_days(3.1),
                    "prices": [{"zone": "A", "amount_cents": 2000}],
                },
            )
        )
        await _ok(
            await client.patch(
                f"/performances/{performance['id']}", headers=admin, json={"status": "on_sale"}
            )
        )
        await _ok(
            await client.patch(
                f"/events/{event['id']}", headers=admin, json={"status": "published"}
            )
        )
        clerk = await _token(client, CLERK)
        await _ok(
            await client.post(
                "/till/open", headers=clerk, json={"house_id": house["id"], "float_cents": 0}
            )
        )
        sold_seat = f"EVIL/{ROW}/{row['seats'][1]['label']}"
        hold = await _ok(
            await client.post(
                "/box-office/holds",
                headers=clerk,
                json={
                    "house_id": house["id"],
                    "performance_id": performance["id"],
                    "seats": [sold_seat],
                },
            )
        )
        order = await _ok(
            await client.post(
                "/box-office/orders",
                headers=clerk,
                json={
                    "hold_id": hold["id"],
                    "customer": {"name": HOSTILE, "email": "hostile@example.test"},
                    "payment": {"method": "cash"},
                },
            )
        )
    return Hostile(event["id"], performance["id"], hall["id"], f"EVIL/{ROW}/{SEAT}", order["code"])


async def assert_harmless(page: Page, dialogs: list[str]) -> None:
    """Nothing of the markup became elements, nothing ran, nothing was refused."""
    assert await page.locator('img[src="x"], main script, main svg b').count() == 0
    assert dialogs == []
    assert await csp_violations(page) == []
    assert js_errors(page) == []


async def test_the_shop_shows_markup_as_text(platform: Platform, hostile: Hostile) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        dialogs = await watch(page.context)
        await page.goto(f"{platform.base}/shop/clusters/gent")
        card = page.locator(f'article[data-performance="{hostile.performance_id}"]')
        await expect(card.locator("h2")).to_have_text(HOSTILE)
        await expect(card).to_contain_text(f"{HOSTILE}, Gent · {HOSTILE}")  # venue, hall
        await page.goto(f"{platform.base}/shop/events/{hostile.event_id}")
        await expect(page.locator("h1")).to_have_text(HOSTILE)
        await expect(page.locator("main .card p").first).to_have_text(HOSTILE)
        await page.goto(
            f"{platform.base}/shop/events/{hostile.event_id}/performances/{hostile.performance_id}"
        )
        seat = page.locator(f'circle.seat[data-seat="{hostile.seat_key}"]')
        # Intl writes "€ 20,00" with a no-break space.
        label = re.escape(f"{HOSTILE}, rij {ROW}, stoel {SEAT}, {HOSTILE}, €") + r"\s20,00: vrij"
        await expect(seat).to_have_attribute("aria-label", re.compile(f"^{label}$"))
        await seat.click()
        await expect(page.locator("#picked li")).to_contain_text(
            f"{HOSTILE}, rij {ROW}, stoel {SEAT}"
        )
        await page.locator("#checkout").click()
        await expect(page.locator("#checkout-form")).to_be_visible()
        await expect(page.locator("main section h2").first).to_have_text(HOSTILE)
        await expect(page.locator("main section label").first).to_have_text(
            f"{HOSTILE}, rij {ROW}, stoel {SEAT}"
        )
        await assert_harmless(page, dialogs)


async def test_the_box_office_shows_markup_as_text(platform: Platform, hostile: Hostile) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        dialogs = await watch(page.context)
        await clerk_log_in(page, platform)
        await page.fill("#search", "onerror")
        choice = page.locator(
            f'#performance-list button[data-performance="{hostile.performance_id}"]'
        )
        await expect(choice.locator("strong")).to_have_text(HOSTILE)
        await choice.click()
        await expect(page.locator("#stage h2")).to_contain_text(HOSTILE)
        # The shop's test holds the seat named with markup: one next to it in the row.
        await page.locator(
            f'circle.seat[data-seat^="EVIL/{ROW}/"][data-state="available"]'
        ).first.click()
        await expect(page.locator("#basket-lines label")).to_contain_text(f"{HOSTILE}, rij {ROW}")
        await page.fill("#customer-search", "onerror")
        await expect(page.locator("#customer-results button").first).to_contain_text(HOSTILE)
        await page.fill("#order-search", hostile.order_code)
        await page.locator("#orders form button").click()
        card = page.locator(f'#order-results [data-order="{hostile.order_code}"]')
        await expect(card.locator("h3")).to_have_text(f"{hostile.order_code} · {HOSTILE}")
        await expect(card.locator("li[data-ticket]")).to_contain_text(f"{HOSTILE}, rij {ROW}")
        await assert_harmless(page, dialogs)


async def test_the_admin_and_the_editor_show_markup_as_text(
    platform: Platform, hostile: Hostile
) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        dialogs = await watch(page.context)
        await admin_log_in(page, platform)
        link = page.locator(f'a[href="/admin/events/{hostile.event_id}"]')
        await expect(link).to_have_text(HOSTILE)
        await link.click()
        await expect(page.locator("h1")).to_have_text(HOSTILE)
        await expect(page.locator("tr[data-performance]")).to_contain_text(HOSTILE)
        await page.goto(f"{platform.base}/admin/halls/{hostile.hall_id}")
        await expect(page.locator("h1")).to_have_text(HOSTILE)
        await assert_harmless(page, dialogs)

        # The editor, from the same tab: the same login.
        await page.goto(f"{platform.base}/admin/seatmaps/{hostile.hall_id}")
        await expect(page.locator("#editor")).to_be_visible()
        await expect(page.locator("#canvas .section-label")).to_have_text(HOSTILE)
        await expect(page.locator("#canvas .row-label").first).to_have_text(ROW)
        await expect(page.locator("#pick-section option").first).to_contain_text(HOSTILE)
        await expect(page.locator("#section-name")).to_have_value(HOSTILE)
        await expect(page.locator(f'#canvas g.seat[data-seat="{hostile.seat_key}"]')).to_have_count(
            1
        )
        await assert_harmless(page, dialogs)
