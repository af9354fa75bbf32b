"""The admin pages (/admin) in a real browser, as the house admin of Theater Reinaert: a
venue and a hall; an event with a performance in the Grote zaal, prices, a tariff,
published and put on sale, until the public programme lists it with its price; a door
device with its token shown once; a new box-office clerk who can log in. Bad input shows
the API's message next to the field and creates nothing."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page, screenshot
from fixtures.web_support import Platform
from playwright.async_api import Page, expect

from ticketing.demo.seed import CLUSTERS, DEMO_PASSWORD, house_staff_email
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow

BRUSSELS = ZoneInfo("Europe/Brussels")
REINAERT = next(h for h in CLUSTERS[0].houses if h.slug == "gent-reinaert")
ADMIN = house_staff_email(REINAERT, Role.HOUSE_ADMIN)


async def log_in(page: Page, platform: Platform, path: str = "/admin") -> None:
    await page.goto(f"{platform.base}{path}")
    await expect(page.locator("#login-form")).to_be_visible()
    await page.fill("#login-email", ADMIN)
    await page.fill("#login-password", DEMO_PASSWORD)
    await page.locator("#login").click()
    await expect(page.locator("#admin-nav")).to_be_visible()
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")


async def open_section(page: Page, href: str, title: str) -> None:
    await page.locator(f'#admin-nav a[href="{href}"]').click()
    await expect(page.locator("h1")).to_have_text(title)
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await expect(page.locator(f'#admin-nav a[href="{href}"]')).to_have_attribute(
        "aria-current", "page"
    )


async def api_get(platform: Platform, path: str, email: str = ADMIN) -> Any:
    async with httpx.AsyncClient(base_url=platform.base) as client:
        login = await client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD})
        token = login.json()["access_token"]
        answer = await client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def brussels(day: int, hour: int, minute: int = 0) -> tuple[str, str]:
    """A time some days from now: as a clerk types it in Brussels on the Dutch page
    (dd/mm/jjjj uu:mm, whatever the computer's own locale) and as the API stores it (UTC)."""
    date = (datetime.now(BRUSSELS) + timedelta(days=day)).date()
    local = datetime.combine(date, time(hour, minute), tzinfo=BRUSSELS)
    return local.strftime("%d/%m/%Y %H:%M"), local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_house_admin_adds_a_venue_and_a_hall(platform: Platform) -> None:
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{platform.base}/admin")
        await expect(page.locator("#login-form")).to_be_visible()
        await expect(page.locator("html")).to_have_attribute("lang", "nl")
        await assert_accessible(page)
        # A wrong password is said, in Dutch, and nothing else happens.
        await page.fill("#login-email", ADMIN)
        await page.fill("#login-password", "wrong-password")
        await page.locator("#login").click()
        await expect(page.locator("#login-error")).to_contain_text("klopt niet")
        await log_in(page, platform)
        await expect(page.locator("h1")).to_have_text("Evenementen")
        await expect(page).to_have_url(f"{platform.base}/admin/events")

        await open_section(page, "/admin/venues", "Locaties en zalen")
        await assert_accessible(page)
        await page.fill("#venue-name", "Zomerbar")
        await page.fill("#venue-street", "Kouter 1")
        await page.fill("#venue-postal-code", "9000")
        await page.fill("#venue-city", "Gent")
        await page.locator("#venue-city").press("Enter")  # the keyboard sends a form too
        await expect(page.locator("h1")).to_have_text("Zomerbar")
        await expect(page.locator("#page-title")).to_be_focused()  # a new page is said
        await expect(page.locator("#notice")).to_contain_text("Locatie toegevoegd")
        await assert_accessible(page)

        await page.fill("#hall-name", "Tent")
        await page.locator("#hall-form button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Zaal toegevoegd")
        hall_link = page.locator("tr[data-hall] a", has_text="Tent")
        await hall_link.focus()
        await page.keyboard.press("Enter")
        await expect(page.locator("h1")).to_have_text("Tent")
        await expect(page.locator("#no-layout")).to_be_visible()
        hall_id = page.url.rsplit("/", 1)[-1]
        await expect(page.locator("#open-editor")).to_have_attribute(
            "href", f"/admin/seatmaps/{hall_id}"
        )
        await assert_accessible(page)
        assert js_errors(page) == []

    venues = await api_get(platform, "/venues")
    venue = next(v for v in venues if v["name"] == "Zomerbar")
    assert (venue["street"], venue["postal_code"], venue["city"]) == ("Kouter 1", "9000", "Gent")
    halls = await api_get(platform, f"/halls?venue_id={venue['id']}")
    assert [h["name"] for h in halls] == ["Tent"]


async def test_a_house_admin_puts_a_new_event_on_sale(platform: Platform) -> None:
    title = "Zomerconcert in de tent"
    starts, starts_utc = brussels(30, 20)
    ends, ends_utc = brussels(30, 22, 30)
    async with chromium() as browser:
        page = await new_page(browser)
        page.on("dialog", lambda dialog: dialog.accept())
        await log_in(page, platform)
        await assert_accessible(page)

        await page.locator("#new-event").click()
        await expect(page.locator("h1")).to_have_text("Nieuw evenement")
        await page.fill("#event-title-nl", title)
        await page.fill("#event-title-fr", "Concert d'été")
        await page.fill("#event-title-en", "Summer concert")
        await page.fill("#event-description-nl", "Openlucht in de tent.")
        await page.select_option("#event-genre", "0.50.4.0.0")
        await page.fill("#event-age-min", "6")
        await assert_accessible(page)
        await page.locator("#event-form button[type=submit]").click()
        await expect(page.locator("h1")).to_have_text(title)
        await expect(page.locator("#notice")).to_contain_text("Evenement aangemaakt")
        event_id = page.url.rsplit("/", 1)[-1]

        # A performance in the demo's Grote zaal: its zones come from the hall's seat map.
        form = page.locator("#performance-form")
        await expect(form).to_be_visible()
        grote_zaal = page.locator("#perf-hall option", has_text="Grote zaal")
        await page.select_option("#perf-hall", await grote_zaal.get_attribute("value"))
        await expect(page.locator("#perf-price-C")).to_be_visible()
        # The time fields ask for the page's format, not the browser's date picker's.
        await expect(page.locator("#perf-starts")).to_have_attribute(
            "placeholder", "dd/mm/jjjj uu:mm"
        )
        # The end first: a start typed into an empty form fills in a first guess of the end.
        await page.fill("#perf-ends", brussels(30, 19)[0])  # ends before it starts
        await page.fill("#perf-starts", starts)
        await page.fill("#perf-price-A", "32")
        await page.fill("#perf-price-B", "26")
        await page.fill("#perf-price-C", "19,50")
        await form.locator("button[type=submit]").click()
        # The API's message, next to the field it names and in the form's alert.
        await expect(page.locator("#perf-ends-error")).to_have_text(
            "The performance must end after it starts."
        )
        await expect(page.locator("#perf-ends")).to_have_attribute("aria-invalid", "true")
        await expect(form.locator(".form-summary[role=alert]")).to_contain_text("Einde")
        await expect(page.locator("#perf-ends")).to_be_focused()
        await assert_accessible(page)
        assert (await api_get(platform, f"/events/{event_id}"))["performances"] == []

        await page.fill("#perf-ends", ends)
        await form.locator("button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Voorstelling toegevoegd")
        row = page.locator("tr[data-performance]")
        await expect(row).to_have_count(1)
        await expect(row).to_contain_text("€ 19,50")
        await expect(page.locator("#perf-ends-error")).to_be_empty()
        performance_id = await row.get_attribute("data-performance")
        assert performance_id

        # A reduced tariff for under 26.
        await page.locator("#tariff-add > summary").click()
        await page.fill("#tariff-code", "U26")
        await page.fill("#tariff-name-nl", "-26 jaar")
        await page.fill("#tariff-name-en", "Under 26")
        await page.select_option("#tariff-kind", "youth")
        await page.select_option("#tariff-rule", "percent_off")
        await page.fill("#tariff-value", "25")
        await page.fill("#tariff-max", "4")
        await page.locator("#tariff-check").check()
        await page.locator("#tariff-form button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Tarief toegevoegd")
        await expect(page.locator('tr[data-tariff="U26"]')).to_contain_text("25 %")

        # Publish the event, then put the performance on sale.
        await page.select_option("#event-status", "published")
        await page.locator("#event-form button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Opgeslagen")
        await expect(page.locator("main .badge.status-published").first).to_be_visible()
        await page.select_option(f"#status-{performance_id}", "on_sale")
        await page.locator(f"#status-form-{performance_id} button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Status gewijzigd: Te koop")
        await expect(page.locator(f'tr[data-performance="{performance_id}"]')).to_contain_text(
            "Te koop"
        )

        # A second performance without its price cannot go on sale: the API says which
        # zone lacks one, next to the status, and the performance stays a draft.
        await page.locator("#performance-add > summary").click()
        studio = page.locator("#perf-hall option", has_text="Studio")
        await page.select_option("#perf-hall", await studio.get_attribute("value"))
        await expect(page.locator("#perf-price-A")).to_be_visible()
        await page.fill("#perf-ends", brussels(31, 22)[0])
        await page.fill("#perf-starts", brussels(31, 20)[0])
        await form.locator("button[type=submit]").click()
        await expect(page.locator("tr[data-performance]")).to_have_count(2)
        unpriced = next(
            p["id"]
            for p in (await api_get(platform, f"/events/{event_id}"))["performances"]
            if p["id"] != performance_id
        )
        await page.select_option(f"#status-{unpriced}", "on_sale")
        await page.locator(f"#status-form-{unpriced} button[type=submit]").click()
        await expect(page.locator(f"#status-{unpriced}-error")).to_contain_text(
            "Price zone A has no price."
        )
        await expect(page.locator(f"#status-form-{unpriced} [role=alert]")).to_contain_text(
            "Nieuwe status"
        )

        # The UiTdatabank state, and asking for a new sync.
        await expect(page.locator("#uitdatabank")).to_contain_text("UiTdatabank")
        await page.locator("#udb-sync").click()
        await expect(page.locator("#notice")).to_contain_text("opnieuw naar UiTdatabank")
        await assert_accessible(page)

        # Fold the panels away for the picture.
        expanded = page.locator("#performance-table button[aria-expanded=true]")
        while await expanded.count():
            await expanded.first.click()
        await page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        await page.mouse.move(0, 0)
        await screenshot(page, "admin-events")
        assert js_errors(page) == []

    event = await api_get(platform, f"/events/{event_id}")
    assert event["status"] == "published"
    assert event["age_min"] == 6
    assert event["title"] == {"nl": title, "fr": "Concert d'été", "en": "Summer concert"}
    sold = next(p for p in event["performances"] if p["id"] == performance_id)
    assert (sold["starts_at"], sold["ends_at"], sold["status"]) == (starts_utc, ends_utc, "on_sale")
    assert {p["zone"]: p["amount_cents"] for p in sold["prices"]} == {
        "A": 3200,
        "B": 2600,
        "C": 1950,
    }
    assert next(p for p in event["performances"] if p["id"] == unpriced)["status"] == "draft"
    u26 = next(t for t in event["tariffs"] if t["code"] == "U26")
    assert (u26["kind"], u26["rule"], u26["value"], u26["max_per_order"]) == (
        "youth",
        "percent_off",
        25,
        4,
    )
    assert u26["requires_check"] is True

    # The audience sees it: in the cluster's programme with its lowest price, and with
    # the -26 price on the event page.
    async with httpx.AsyncClient(base_url=platform.base) as client:
        programme = (
            await client.get(
                "/public/clusters/gent/programme",
                params={"house": "gent-reinaert", "limit": 200},
            )
        ).json()
        public = (await client.get(f"/public/events/{event_id}")).json()
    listed = [p for p in programme if p["event_id"] == event_id]
    assert [p["performance_id"] for p in listed] == [performance_id]
    assert listed[0]["price_from_cents"] == 1950
    assert listed[0]["hall_name"] == "Grote zaal"
    zone_a = next(z for z in public["performances"][0]["prices"] if z["zone"] == "A")
    assert {p["tariff"]: p["amount_cents"] for p in zone_a["tariffs"]}["U26"] == 2400


async def test_a_house_admin_registers_a_door_device_and_adds_a_clerk(platform: Platform) -> None:
    programme = await api_get(platform, "/public/houses/gent-reinaert/programme?limit=200", ADMIN)
    performance_id = programme[0]["performance_id"]
    before = await api_get(platform, f"/houses/{programme[0]['house_id']}/scanner-devices")
    email = f"lies.{uuid.uuid4().hex[:6]}@example.test"
    async with chromium() as browser:
        page = await new_page(browser)
        await log_in(page, platform)

        await open_section(page, "/admin/devices", "Deurtoestellen")
        await assert_accessible(page)
        # No performance chosen: the API names the field, nothing is registered.
        await page.fill("#device-name", "Zaaldeur links")
        await page.fill("#device-gates", "hoofdingang, balkon")
        await page.locator("#device-form button[type=submit]").click()
        await expect(page.locator("#device-performances-error")).not_to_be_empty()
        await expect(page.locator("#device-form [role=alert]")).to_contain_text(
            "Voor welke voorstellingen?"
        )
        await page.locator(f"#device-perf-{performance_id}").check()
        await page.locator("#device-form button[type=submit]").click()
        token = page.locator("#device-token")
        await expect(token).to_have_value(re.compile(r"^dev_"))
        raw = await token.input_value()
        await expect(page.locator("#device-link")).to_have_attribute("href", f"/scan#token={raw}")
        await expect(page.locator("#device-created-title")).to_be_focused()
        await expect(page.locator('tr[data-device="Zaaldeur links"]')).to_contain_text(
            "hoofdingang, balkon"
        )
        await assert_accessible(page)

        await open_section(page, "/admin/staff", "Personeel")
        await assert_accessible(page)
        await page.fill("#staff-name", "Lies Kassa")
        await page.fill("#staff-email", email)
        await page.fill("#staff-password", "kassa-wachtwoord-1")
        await page.locator("#staff-role-house-box_office").check()
        await page.locator("#staff-form button[type=submit]").click()
        await expect(page.locator("#notice")).to_contain_text("Lies Kassa is toegevoegd")
        member = page.locator(f'li[data-staff="{email}"]')
        await expect(member).to_contain_text("Kassa in dit huis")
        await assert_accessible(page)

        # Dutch first; French on demand.
        await page.locator('#languages button[lang="fr"]').click()
        await expect(page.locator("h1")).to_have_text("Personnel")
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        await open_section(page, "/admin/house", "Maison: Theater Reinaert (demo)")
        await assert_accessible(page)
        assert js_errors(page) == []

    after = await api_get(platform, f"/houses/{programme[0]['house_id']}/scanner-devices")
    assert len(after) == len(before) + 1
    device = next(d for d in after if d["name"] == "Zaaldeur links")
    assert device["performance_ids"] == [performance_id]
    assert device["gates"] == ["hoofdingang", "balkon"]
    # The new clerk logs in with the password the admin gave and holds the role.
    async with httpx.AsyncClient(base_url=platform.base) as client:
        login = await client.post(
            "/auth/login", json={"email": email, "password": "kassa-wachtwoord-1"}
        )
        assert login.status_code == 200, login.text
        me = (
            await client.get(
                "/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
            )
        ).json()
    assert [(r["role"], r["house_id"]) for r in me["roles"]] == [
        ("box_office", programme[0]["house_id"])
    ]
