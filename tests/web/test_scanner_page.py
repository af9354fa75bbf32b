"""The door scanner page in a real browser (Debian's Chromium, driven by Playwright),
against the API served as in production."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.live import LiveServer, live_server
from fixtures.support import TICKETS_SECRET, Tenant, keeping, make_tenant
from fixtures.tickets_support import run_outbox, sell
from fixtures.world import ok
from playwright.async_api import Page, async_playwright, expect

from ticketing.core import keyring
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.orders.models import Ticket
from ticketing.settings import TicketSettings
from ticketing.tenancy.roles import Role

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.slow


class Door:
    def __init__(
        self, live: LiveServer, sessionmaker: SessionMaker, order: dict[str, Any], token: str
    ) -> None:
        self.live = live
        self.sessionmaker = sessionmaker
        self.order = order
        self.token = token

    async def ticket(self, n: int) -> Ticket:
        async with self.sessionmaker() as session:
            ticket = await session.get(Ticket, uuid.UUID(self.order["tickets"][n]["id"]))
        assert ticket is not None
        return ticket


@pytest.fixture
async def door(server_url: str, tmp_path: Path) -> AsyncIterator[Door]:
    """Tickets issued for a show starting within the hour, and a registered device."""
    # the live server's secret, undone when the test ends
    with keeping(keyring.TICKETS):
        async with live_server(server_url, tmp_path, prefix="podium_page", workers=1) as live:
            engine = create_engine(live.database_url, pool_size=2)
            sessionmaker = create_sessionmaker(engine)
            keyring.configure(TicketSettings(secret_key=TICKETS_SECRET), live.base)  # type: ignore[arg-type]
            try:
                async with sessionmaker() as session:
                    tenant: Tenant = await make_tenant(session)
                async with httpx.AsyncClient(base_url=live.base) as client:
                    performance = await put_on_sale(
                        client, tenant, MIXED_SPEC, {"A": 10, "B": 10, "S": 10}
                    )
                    soon = datetime.now(UTC) + timedelta(minutes=30)
                    await ok(
                        await client.patch(
                            f"/performances/{performance['id']}",
                            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
                            json={
                                "starts_at": soon.isoformat(),
                                "ends_at": (soon + timedelta(hours=2)).isoformat(),
                            },
                        ),
                        200,
                    )
                    order = await sell(
                        client, tenant, performance, seats=["STALLS/1/1", "STALLS/1/2"], email=None
                    )
                    await run_outbox(sessionmaker)
                    device = await ok(
                        await client.post(
                            f"/houses/{tenant.house.id}/scanner-devices",
                            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
                            json={
                                "name": "Deur noord",
                                "performance_ids": [performance["id"]],
                                "gates": ["noord"],
                            },
                        )
                    )
                yield Door(live, sessionmaker, order, device["token"])
            finally:
                await engine.dispose()


@pytest.fixture
async def page(door: Door) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"], headless=True
        )
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{door.live.base}/scan#token={door.token}")
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        yield page
        await browser.close()


async def hand_held_scan(page: Page, code: str) -> None:
    """A hand-held scanner types the code into the focused field and presses Enter."""
    await expect(page.locator("#code")).to_be_focused()
    await page.keyboard.type(code, delay=0)
    await page.keyboard.press("Enter")


async def test_a_hand_held_scan_shows_green_then_red_with_the_first_time(
    door: Door, page: Page
) -> None:
    ticket = await door.ticket(0)
    assert ticket.qr is not None
    await hand_held_scan(page, ticket.qr)
    answer = page.locator("#answer")
    await expect(answer).to_have_class("ok")
    await expect(page.locator("#answer-title")).to_have_text("Welkom")
    await expect(page.locator("#answer-detail")).to_contain_text("Rij 1, stoel 1")

    admitted = await door.ticket(0)
    assert admitted.admitted_at is not None
    first = admitted.admitted_at.astimezone(ZoneInfo("Europe/Brussels")).strftime("%H:%M:%S")
    await hand_held_scan(page, ticket.qr)
    await expect(answer).to_have_class("bad")
    await expect(page.locator("#answer-title")).to_have_text("Al binnen")
    await expect(page.locator("#answer-detail")).to_contain_text(f"Binnen sinds {first}")
    await expect(page.locator("#answer-detail")).to_contain_text("noord, Deur noord")


async def test_without_network_the_kit_decides_and_the_scan_is_uploaded_later(
    door: Door, page: Page
) -> None:
    ticket = await door.ticket(1)
    assert ticket.qr is not None
    await page.context.set_offline(True)
    await hand_held_scan(page, ticket.qr)
    await expect(page.locator("#answer")).to_have_class("ok")
    await expect(page.locator("#answer-title")).to_have_text("Welkom (offline)")
    await expect(page.locator("#network")).to_have_text("offline")
    await expect(page.locator("#queue")).to_have_text("1 te versturen")
    # Offline, the same ticket again is refused by the device itself.
    await hand_held_scan(page, ticket.qr)
    await expect(page.locator("#answer")).to_have_class("bad")
    await expect(page.locator("#answer-title")).to_have_text("Al binnen")
    # A damaged code is refused offline too.
    await hand_held_scan(page, ticket.qr[:-3] + ("AAA" if not ticket.qr.endswith("AAA") else "BBB"))
    await expect(page.locator("#answer-title")).to_have_text("Vervalst of beschadigd")
    # Back online: the queue goes up and the server holds the admission.
    await page.context.set_offline(False)
    await expect(page.locator("#queue")).to_have_text("", timeout=20_000)
    uploaded = await door.ticket(1)
    assert uploaded.admitted_at is not None
    await hand_held_scan(page, ticket.qr)
    await expect(page.locator("#answer-title")).to_have_text("Al binnen")
    await expect(page.locator("#network")).to_have_text("online")
