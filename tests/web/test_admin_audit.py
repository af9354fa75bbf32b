"""The admin pages' audit log in a real browser: the house admin of Theater Reinaert
changes the house, opens "Logboek" and finds the change with their account, the
operation and the request id; filtering by another account finds nothing of theirs."""

from __future__ import annotations

import re

import httpx
import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page
from fixtures.web_support import Platform
from playwright.async_api import expect
from test_admin_pages import ADMIN, log_in, open_section

from ticketing.demo.seed import DEMO_PASSWORD

pytestmark = pytest.mark.slow


async def test_a_house_admin_reads_the_audit_log(platform: Platform) -> None:
    async with httpx.AsyncClient(base_url=platform.base) as client:
        login = await client.post("/auth/login", json={"email": ADMIN, "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        houses = (await client.get("/houses", headers=headers)).json()
        house = next(h for h in houses if h["slug"] == "gent-reinaert")
        changed = await client.patch(
            f"/houses/{house['id']}",
            headers={**headers, "X-Request-ID": "audit-page-1"},
            json={"phone": "+32 9 123 45 67"},
        )
        assert changed.status_code == 200, changed.text

    async with chromium() as browser:
        page = await new_page(browser)
        await log_in(page, platform)
        await open_section(page, "/admin/audit", "Logboek van wijzigingen")
        row = page.locator("#audit-table tbody tr").filter(has_text="audit-page-1")
        await expect(row).to_contain_text(ADMIN)
        await expect(row).to_contain_text("PATCH /houses/{house_id}")
        await expect(row).to_contain_text("200")
        await assert_accessible(page)

        # Another account: the admin's change is not among its entries.
        options = page.locator("#audit-user option")
        other = next(
            value
            for value, text in [
                (await o.get_attribute("value"), await o.text_content())
                for o in await options.all()
            ]
            if value and text != ADMIN
        )
        await page.select_option("#audit-user", other)
        await page.locator("#audit-form button[type=submit]").click()
        await expect(page).to_have_url(f"{platform.base}/admin/audit?user={other}")
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        await expect(page.locator("text=audit-page-1")).to_have_count(0)
        await page.go_back()
        await expect(page.locator("#audit-table")).to_contain_text("audit-page-1")

        # A time typed the page's way (Brussels wall clock): from a later time, the
        # change is not shown; from an earlier one, it is.
        for since, listed in (
            ("31/12/2099 23:00", "#audit-none"),
            ("01/01/2001 00:00", "#audit-table"),
        ):
            await page.fill("#audit-since", since)
            await page.locator("#audit-form button[type=submit]").click()
            await expect(page).to_have_url(re.compile(r"since="))
            await expect(page.locator(listed)).to_be_visible()
            shown = 1 if listed == "#audit-table" else 0
            await expect(page.locator("text=audit-page-1")).to_have_count(shown)
        assert js_errors(page) == []
