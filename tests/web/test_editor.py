"""The seat-map editor (/admin/seatmaps) in a real browser, against the API served as in
production: a house admin builds a hall with stalls and two balconies (each section generated
by the server, POST /seatmaps/generate), drags a seat, checks and saves it; a plan the
validator refuses, or a section the generator refuses, shows the API's message and saves
nothing. The editor shares the admin pages' login: their link to a hall's seat map opens it
without a second login."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page, screenshot
from fixtures.live import LiveServer, live_server
from fixtures.support import PASSWORD, Tenant, make_tenant
from fixtures.world import make_hall
from playwright.async_api import Page, Request, expect

from ticketing.db.engine import create_engine, create_sessionmaker
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow

WIDE = {"width": 1440, "height": 960}


@dataclass
class House:
    live: LiveServer
    tenant: Tenant

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.staff[Role.HOUSE_ADMIN].headers

    async def new_hall(self) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.live.base) as client:
            _, hall = await make_hall(client, self.tenant, uuid.uuid4().hex[:6])
        return hall

    async def get(self, path: str) -> Any:
        async with httpx.AsyncClient(base_url=self.live.base) as client:
            response = await client.get(path, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
async def house(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[House]:
    log_dir: Path = tmp_path_factory.mktemp("editor")
    async with live_server(server_url, log_dir, prefix="podium_editor", workers=1) as live:
        engine = create_engine(live.database_url, pool_size=2)
        try:
            async with create_sessionmaker(engine)() as session:
                tenant = await make_tenant(session)
        finally:
            await engine.dispose()
        yield House(live, tenant)


async def open_editor(page: Page, house: House, hall: dict[str, Any]) -> None:
    """Log in as the house admin, as a person would, and open the hall."""
    await page.goto(f"{house.live.base}/admin/seatmaps")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await expect(page.locator("html")).to_have_attribute("lang", "nl")
    await page.fill("#login-email", house.tenant.staff[Role.HOUSE_ADMIN].user.email)
    await page.fill("#login-password", PASSWORD)
    await page.click("#login")  # the shared staff login's form (common/login.js)
    await expect(page.locator("#hall")).to_be_visible()
    await page.select_option("#hall", hall["id"])
    await page.click("#hall-open")
    await expect(page.locator("#editor")).to_be_visible()
    await expect(page.locator("#status")).to_contain_text("heeft nog geen zaalplan")
    await expect(page.locator("#version")).to_have_text("Nieuw plan, nog niet opgeslagen")


async def add_zone(page: Page, code: str, name: str, color: str) -> None:
    await page.fill("#zone-code", code)
    await page.fill("#zone-name", name)
    await page.fill("#zone-color", color)
    await page.click("#zone-add")
    await expect(page.locator("#status")).to_have_text(f"Prijszone {code} toegevoegd.")


async def add_section(
    page: Page,
    code: str,
    name: str,
    zone: str,
    rows: int,
    seats: int,
    *,
    row_labels: str = "numbers",
    numbering: str = "sequential",
    curvature: float = 0,
    wheelchair_row: int | None = None,
) -> None:
    await page.fill("#gen-code", code)
    await page.fill("#gen-name", name)
    await page.select_option("#gen-zone", zone)
    await page.fill("#gen-rows", str(rows))
    await page.fill("#gen-seats", str(seats))
    await page.select_option("#gen-row-labels", row_labels)
    await page.select_option("#gen-numbering", numbering)
    await page.fill("#gen-curvature", str(curvature))
    await page.fill("#gen-wheelchair-row", "" if wheelchair_row is None else str(wheelchair_row))
    await page.click("#gen-add")
    await expect(page.locator("#gen-error")).to_have_text("")
    await expect(page.locator("#status")).to_have_text(
        f"Sectie {code} toegevoegd: {rows} rijen, {rows * seats} stoelen."
    )


def generate_requests(page: Page) -> list[dict[str, Any]]:
    """The specs the page sends to the server's generator, as it goes."""
    specs: list[dict[str, Any]] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/seatmaps/generate"):
            specs.append(request.post_data_json)

    page.on("request", record)
    return specs


def seat(page: Page, key: str) -> Any:
    return page.locator(f'#canvas [data-seat="{key}"]')


def seats_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{section['code']}/{row['label']}/{s['label']}": s
        for section in document["sections"]
        for row in section["rows"]
        for s in row["seats"]
    }


async def test_a_house_admin_builds_a_hall_with_two_balconies_and_saves_it(house: House) -> None:
    hall = await house.new_hall()
    async with chromium() as browser:
        page = await new_page(browser, viewport=WIDE)
        specs = generate_requests(page)
        await open_editor(page, house, hall)

        # Zones: the new plan starts with zone A; two more for the balconies.
        await expect(page.locator("#zone-name-0")).to_have_value("Rang 1")
        await add_zone(page, "B", "Rang 2", "#2e86c1")
        await add_zone(page, "C", "Rang 3", "#1e8449")

        # Stalls, balcony 1 and balcony 2, each generated below the previous one.
        await add_section(
            page, "STALLS", "Parterre", "A", 14, 36,
            row_labels="letters", numbering="odd_even", curvature=1.5, wheelchair_row=14,
        )  # fmt: skip
        await add_section(page, "BAL1", "Balkon 1", "B", 5, 34, curvature=2)
        await add_section(page, "BAL2", "Balkon 2", "C", 4, 36, curvature=2)
        counts = "818 stoelen · 3 secties · 0 staanplaatsen"
        await expect(page.locator("#counts")).to_have_text(counts)
        await expect(page.locator("#canvas [data-seat]")).to_have_count(818)
        await expect(page.locator("#dirty")).to_be_visible()
        # Each section was generated by the server from a one-block spec of the form.
        assert [[b["code"] for b in spec["blocks"]] for spec in specs] == [
            ["STALLS"],
            ["BAL1"],
            ["BAL2"],
        ]
        assert specs[0]["blocks"][0]["curvature"] == 1.5
        assert specs[0]["blocks"][0]["wheelchair_row"] == 14

        # The back rows of the stalls become zone B: a whole row picked from the list.
        await page.select_option("#pick-section", label="Parterre (STALLS, 504 stoelen)")
        for row in ("M", "N"):
            await page.select_option("#pick-row", label=f"Rij {row} (36 stoelen)")
            await page.click("#select-row")
            await expect(page.locator("#sel-summary")).to_have_text("36 stoelen gekozen")
            await page.select_option("#sel-zone", "B")
            await page.click("#sel-zone-apply")
            await expect(page.locator("#status")).to_have_text("36 stoelen in prijszone B.")

        # Two wheelchair spaces at the ends of balcony 1's front row (click, shift-click).
        await seat(page, "BAL1/1/1").click()
        await seat(page, "BAL1/1/34").click(modifiers=["Shift"])
        await expect(page.locator("#sel-summary")).to_have_text("2 stoelen gekozen")
        await page.check("#flag-wheelchair")
        status = page.locator("#status")
        await expect(status).to_have_text("Rolstoelplaats aangezet voor 2 stoelen.")
        # A blocked seat (the technician's desk) and restricted view behind a pillar.
        await seat(page, "STALLS/H/1").click()
        await expect(page.locator("#sel-summary")).to_have_text("1 stoel gekozen: STALLS/H/1")
        await page.check("#flag-blocked")
        await seat(page, "BAL2/1/1").click()
        await seat(page, "BAL2/1/2").click(modifiers=["Control"])
        await page.check("#flag-restricted_view")
        await expect(page.locator("#flag-restricted_view")).to_be_checked()

        # Drag the right-hand end seat of balcony 2's back row a little further right, then
        # nudge it down with the keyboard (a quarter seat per arrow press).
        dragged = seat(page, "BAL2/4/36")
        box = await dragged.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await page.mouse.move(x, y)
        await page.mouse.down()
        await page.mouse.move(x + 10, y, steps=3)
        await page.mouse.move(x + 20, y, steps=3)
        await page.mouse.up()
        await expect(page.locator("#status")).to_have_text("1 stoel verplaatst.")
        await expect(page.locator("#sel-summary")).to_have_text("1 stoel gekozen: BAL2/4/36")
        moved = await dragged.bounding_box()
        assert moved is not None
        assert moved["x"] > box["x"] + 15
        await expect(page.locator("#canvas-wrap")).to_be_focused()
        await page.keyboard.press("ArrowDown")
        await expect(page.locator("#status")).to_have_text("1 stoel verplaatst.")

        # Check with the API: no problems.
        await page.click("#validate")
        await expect(page.locator("#status")).to_have_text(
            "Het plan is in orde: 818 stoelen en 0 staanplaatsen."
        )
        await expect(page.locator("#problems")).to_be_empty()
        await assert_accessible(page)
        # Filling the forms scrolled the tools; the picture shows them from the top.
        await page.locator(".tools").evaluate("tools => tools.scrollTo(0, 0)")
        await screenshot(page, "editor")

        await page.click("#save")
        await expect(page.locator("#status")).to_have_text("Versie 1 opgeslagen: 818 stoelen.")
        await expect(page.locator("#version")).to_have_text("Versie 1")
        await expect(page.locator("#dirty")).to_be_hidden()
        assert js_errors(page) == []

    layouts = await house.get(f"/halls/{hall['id']}/layouts")
    assert [(la["version"], la["seat_count"]) for la in layouts] == [(1, 818)]
    document = (await house.get(f"/layouts/{layouts[0]['id']}"))["document"]
    assert [s["code"] for s in document["sections"]] == ["STALLS", "BAL1", "BAL2"]
    assert [(z["code"], z["name"]) for z in document["price_zones"]] == [
        ("A", "Rang 1"),
        ("B", "Rang 2"),
        ("C", "Rang 3"),
    ]
    seats = seats_of(document)
    assert len(seats) == 818
    zones = {key: s["zone"] for key, s in seats.items()}
    picked = ["STALLS/A/1", "STALLS/L/2", "STALLS/M/1", "STALLS/N/2", "BAL1/3/7", "BAL2/2/7"]
    assert [zones[key] for key in picked] == ["A", "A", "B", "B", "B", "C"]
    wheelchair = sorted(k for k, s in seats.items() if "wheelchair" in s["flags"])
    # The generator's wheelchair row N (odd/even: 36 on the left, 35 on the right) plus the
    # two set by hand.
    assert wheelchair == ["BAL1/1/1", "BAL1/1/34", "STALLS/N/35", "STALLS/N/36"]
    assert [k for k, s in seats.items() if "blocked" in s["flags"]] == ["STALLS/H/1"]
    assert sorted(k for k, s in seats.items() if "restricted_view" in s["flags"]) == [
        "BAL2/1/1",
        "BAL2/1/2",
    ]
    # Dragged right, then nudged down a quarter seat (seat_size 20): the row was symmetric,
    # so the seat's first place mirrors seat 1 around the middle of seats 2 and 35.
    first, second, last_but_one, end = (seats[f"BAL2/4/{n}"] for n in (1, 2, 35, 36))
    middle = (second["x"] + last_but_one["x"]) / 2
    assert end["x"] - (2 * middle - first["x"]) > 10
    assert end["y"] - first["y"] == pytest.approx(5, abs=0.05)

    # Balcony 1 is the server's section for the spec the page sent, moved as a whole to
    # where the page placed it: the same rows, labels and flags (but the two wheelchair
    # spaces set by hand), every seat shifted by the same distance.
    async with httpx.AsyncClient(base_url=house.live.base) as client:
        response = await client.post("/seatmaps/generate", headers=house.headers, json=specs[1])
    assert response.status_code == 200, response.text
    [served] = response.json()["sections"]
    ours = next(s for s in document["sections"] if s["code"] == "BAL1")
    assert [r["label"] for r in ours["rows"]] == [r["label"] for r in served["rows"]]
    pairs = [
        (mine, theirs)
        for mine_row, their_row in zip(ours["rows"], served["rows"], strict=True)
        for mine, theirs in zip(mine_row["seats"], their_row["seats"], strict=True)
    ]
    assert len(pairs) == 5 * 34
    dx = pairs[0][0]["x"] - pairs[0][1]["x"]
    dy = pairs[0][0]["y"] - pairs[0][1]["y"]
    for mine, theirs in pairs:
        assert mine["label"] == theirs["label"]
        assert mine["x"] - theirs["x"] == pytest.approx(dx, abs=0.02)
        assert mine["y"] - theirs["y"] == pytest.approx(dy, abs=0.02)
    by_hand = {"BAL1/1/1", "BAL1/1/34"}
    flags = {
        f"BAL1/{row['label']}/{s['label']}": s["flags"]
        for row in served["rows"]
        for s in row["seats"]
    }
    assert {k: v for k, v in flags.items() if k not in by_hand} == {
        k: seats[k]["flags"] for k in flags if k not in by_hand
    }


async def test_an_invalid_plan_shows_the_api_message_and_saves_nothing(house: House) -> None:
    hall = await house.new_hall()
    async with chromium() as browser:
        page = await new_page(browser)
        await open_editor(page, house, hall)

        # The generator's rules are the server's: what it refuses is shown with its message,
        # next to the field it names, and nothing is added.
        await page.fill("#gen-code", "S")
        await page.fill("#gen-name", "Zaal")
        await page.fill("#gen-rows", "0")
        await page.click("#gen-add")
        await expect(page.locator("#gen-error")).to_have_text(
            "Rijen: Input should be greater than or equal to 1"
        )
        await expect(page.locator("#gen-rows")).to_have_attribute("aria-invalid", "true")
        await page.fill("#gen-rows", "2")
        await page.fill("#gen-seats", "3")
        await page.fill("#gen-curvature", "5")
        await page.click("#gen-add")
        await expect(page.locator("#gen-error")).to_contain_text(
            "Block S: curvature 5 is too strong for a first row this short"
        )
        await expect(page.locator("#gen-rows")).not_to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#canvas [data-seat]")).to_have_count(0)

        await add_section(page, "S", "Zaal", "A", 2, 3)

        # Give seat S/1/2 the number of its neighbour: two seats 1 in row 1.
        await seat(page, "S/1/2").click()
        await page.fill("#sel-label", "1")
        await page.click("#sel-label-apply")
        await expect(page.locator("#status")).to_have_text("De stoel heet nu S/1/1.")

        await page.click("#validate")
        message = "Seat S/1/1 appears twice in row 1 of section S."
        problems = page.locator("#problems")
        await expect(problems).to_have_attribute("role", "alert")
        await expect(problems).to_contain_text("1 probleem gevonden")
        field = "sections[0].rows[0].seats[1].label"
        await expect(problems.locator("li")).to_have_text([f"{message} {field} Toon"])
        await expect(page.locator("#status")).to_have_text(
            "Het plan heeft 1 probleem; zie de lijst boven het plan."
        )
        # The seat named in the problem is marked on the drawing; "Toon" chooses it.
        await expect(page.locator("#canvas .seat.bad")).to_have_count(1)
        await expect(page.locator("#canvas .seat.bad")).to_have_attribute("data-seat", "S/1/1")
        await problems.get_by_role("button", name=f"Toon de stoelen van: {message}").click()
        await expect(page.locator("#sel-summary")).to_have_text("1 stoel gekozen: S/1/1")
        await assert_accessible(page)

        # Saving anyway: the API refuses with the same message, nothing is stored.
        await page.click("#save")
        await expect(page.locator("#status")).to_contain_text(
            "Niet opgeslagen: The seat map cannot be saved"
        )
        await expect(problems).to_contain_text(message)
        await expect(problems.locator("li")).to_have_count(1)
        await expect(page.locator("#version")).to_have_text("Nieuw plan, nog niet opgeslagen")

        # The same page in French, then undo the relabel: the plan is valid again.
        await page.click('.languages button[lang="fr"]')
        await expect(page.locator("html")).to_have_attribute("lang", "fr")
        await expect(page.locator("#validate")).to_have_text("Vérifier")
        await page.click("#undo")
        await page.click("#validate")
        await expect(page.locator("#status")).to_have_text(
            "Le plan est correct : 6 sièges et 0 places debout."
        )
        await page.click('.languages button[lang="nl"]')
        assert js_errors(page) == []

    assert await house.get(f"/halls/{hall['id']}/layouts") == []


async def test_the_editor_opens_from_a_halls_admin_page_without_a_second_login(
    house: House,
) -> None:
    """One login in this tab for /admin and the editor: the hall's link opens the editor, its
    access token is renewed with the admin pages' refresh token, and logging out in the
    editor ends the admin pages' login too."""
    hall = await house.new_hall()
    base = house.live.base
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{base}/admin/halls/{hall['id']}")
        await expect(page.locator("#login-form")).to_be_visible()
        await page.fill("#login-email", house.tenant.staff[Role.HOUSE_ADMIN].user.email)
        await page.fill("#login-password", PASSWORD)
        await page.click("#login")
        await page.click("#open-editor")
        await expect(page).to_have_url(f"{base}/admin/seatmaps/{hall['id']}")
        await expect(page.locator("#editor")).to_be_visible()
        await expect(page.locator("#hall")).to_have_value(hall["id"])
        await expect(page.locator("#status")).to_contain_text("heeft nog geen zaalplan")
        await expect(page.locator("#login-form")).to_have_count(0)
        await expect(page.locator("#logout")).to_be_visible()

        # The access token ran out (they last 15 minutes): the admin pages' refresh token
        # gets a new one, kept for the admin pages too.
        await page.evaluate("Podium.setToken('expired')")
        renewed = page.expect_response(lambda r: r.url.endswith("/auth/refresh") and r.ok)
        async with renewed:
            await add_section(page, "S", "Zaal", "A", 2, 3)  # the server's generator
        await expect(page.locator("#login-form")).to_have_count(0)
        await page.goto(f"{base}/admin/halls/{hall['id']}")
        await expect(page.locator("#open-editor")).to_be_visible()
        await expect(page.locator("#login-form")).to_have_count(0)

        # Logging out in the editor logs the tab out of the admin pages as well.
        await page.click("#open-editor")
        await expect(page.locator("#editor")).to_be_visible()
        await page.click("#logout")
        await expect(page.locator("#login-form")).to_be_visible()
        await expect(page.locator("#editor")).to_be_hidden()
        await page.goto(f"{base}/admin/halls/{hall['id']}")
        await expect(page.locator("#login-form")).to_be_visible()
        assert js_errors(page) == []
