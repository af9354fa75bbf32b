"""The admin reports page in a real browser: a clerk of Theater Reinaert sells two seats of
De Storm for cash at the counter (through the API, as the box office does); the house
admin opens "Rapporten", chooses that performance, and sees the three charts drawn by the
server (images with a title) with the sale's figures in the tables beside them, the VAT
summary and the figures per performance; the daily sales download as CSV and XLSX; in
English the charts are drawn in English. axe-core finds no serious violation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fixtures.browser import assert_accessible, chromium, js_errors, new_page, screenshot
from fixtures.web_support import Platform
from playwright.async_api import expect
from test_admin_pages import ADMIN, REINAERT, log_in, open_section

from ticketing import clock
from ticketing.demo.seed import DEMO_PASSWORD, house_staff_email
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow

CLERK = house_staff_email(REINAERT, Role.BOX_OFFICE)


def euros(cents: int) -> re.Pattern[str]:
    """An amount as the Dutch page writes it (€ 1.234,50, the space may be a no-break one)."""
    whole, part = divmod(cents, 100)
    return re.compile(rf"€\s{whole:,}".replace(",", r"\.") + f",{part:02d}")


async def sell_at_the_counter(platform: Platform) -> dict[str, Any]:
    """Two best seats of De Storm's first performance, sold for cash at Reinaert's counter."""
    async with httpx.AsyncClient(base_url=platform.base) as client:
        login = await client.post("/auth/login", json={"email": CLERK, "password": DEMO_PASSWORD})
        clerk = {"Authorization": f"Bearer {login.json()['access_token']}"}
        houses = (await client.get("/houses", headers=clerk)).json()
        house = next(h for h in houses if h["slug"] == REINAERT.slug)
        programme = (await client.get("/public/clusters/gent/programme?limit=200")).json()
        storm = next(i for i in programme if i["title"]["nl"] == "De Storm")
        opened = await client.post(
            "/till/open", headers=clerk, json={"house_id": house["id"], "float_cents": 5000}
        )
        assert opened.status_code == 201, opened.text
        hold = await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": house["id"],
                "performance_id": storm["performance_id"],
                "best": {"quantity": 2},
            },
        )
        assert hold.status_code == 201, hold.text
        order = await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold.json()["id"], "payment": {"method": "cash"}},
        )
        assert order.status_code == 201, order.text
    sold: dict[str, Any] = order.json()
    assert sold["status"] == "paid"
    return sold | {"performance_id": storm["performance_id"], "house_id": house["id"]}


async def reported(platform: Platform, house_id: str, performance_id: str) -> dict[str, Any]:
    """The reports the page shows by default (this month in Brussels), read from the API:
    the demo has days of sales of its own, so the page must show what the ledger says."""
    today = clock.local(clock.now()).date()
    first = today.replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    period = {"from": first.isoformat(), "to": last.isoformat()}
    async with httpx.AsyncClient(base_url=platform.base) as client:
        login = await client.post("/auth/login", json={"email": ADMIN, "password": DEMO_PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        base = f"/houses/{house_id}/reports"
        found = {
            name: (await client.get(f"{base}/{name}", headers=admin, params=params)).json()
            for name, params in (
                ("daily-sales", period),
                ("payments", period),
                ("performances", period),
                ("vat", {"month": first.isoformat()[:7]}),
            )
        }
        cumulative = f"/performances/{performance_id}/reports/cumulative"
        found["cumulative"] = (await client.get(cumulative, headers=admin)).json()
    return found


async def test_a_house_admin_reads_the_reports_with_their_charts(platform: Platform) -> None:
    order = await sell_at_the_counter(platform)
    figures = await reported(platform, order["house_id"], order["performance_id"])
    cash_row = next(r for r in figures["payments"]["rows"] if r["payment_method"] == "cash")
    assert cash_row["net_cents"] >= order["total_cents"]
    assert figures["daily-sales"]["totals"]["gross_cents"] >= order["total_cents"]
    sold_so_far = figures["cumulative"]["rows"][-1]["cumulative"]
    assert sold_so_far >= 2

    async with chromium() as browser:
        page = await new_page(browser)
        await log_in(page, platform)
        await open_section(page, "/admin/reports", "Rapporten")
        # The period is this month; the performance is chosen in the form.
        await page.select_option("#reports-performance", order["performance_id"])
        await page.locator("#reports-form button[type=submit]").click()
        await expect(page).to_have_url(re.compile(rf"performance={order['performance_id']}"))
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")

        for name in ("daily", "payments", "cumulative"):
            chart = page.locator(f"#chart-{name} > svg")
            await expect(chart).to_be_visible()
            await expect(chart).to_have_attribute("role", "img")
            # Named by its own title and described by its desc, both inlined in the page.
            labelled = await chart.get_attribute("aria-labelledby")
            assert labelled == f"chart-{name}-title chart-{name}-desc"
            assert (await page.locator(f"#chart-{name}-title").text_content() or "").strip()
            assert (await page.locator(f"#chart-{name}-desc").text_content() or "").strip()
        await expect(page.locator("#chart-daily rect.bar")).not_to_have_count(0)
        await expect(page.locator('#chart-payments rect.bar[data-method="Contant"]')).to_have_count(
            1
        )
        await expect(page.locator("#chart-cumulative circle.point")).not_to_have_count(0)

        # The tables beside the charts: the sale's gross on today, the cash taken, the two
        # tickets sold so far for De Storm.
        daily = page.locator("#table-daily")
        await expect(daily.locator("caption")).not_to_be_empty()
        await expect(daily.locator("thead th[scope=col]").first).to_be_visible()
        daily_total = euros(figures["daily-sales"]["totals"]["gross_cents"])
        await expect(daily.locator("tfoot")).to_contain_text(daily_total)
        cash = page.locator("#table-payments tbody tr", has_text="Contant")
        await expect(cash).to_contain_text(euros(cash_row["net_cents"]))
        await expect(page.locator("#table-cumulative tbody tr").last).to_contain_text(
            str(sold_so_far)
        )
        await expect(page.locator("#section-cumulative h2")).to_contain_text("De Storm")
        vat_total = euros(figures["vat"]["totals"]["gross_cents"])
        await expect(page.locator("#table-vat")).to_contain_text(vat_total)
        revenue = euros(figures["performances"]["totals"]["revenue_cents"])
        await expect(page.locator("#table-performances")).to_contain_text(revenue)

        async with page.expect_download() as csv_download:
            await page.locator("#download-csv").click()
        csv = await csv_download.value
        assert csv.suggested_filename.endswith(".csv")
        text = (await csv.path()).read_text(encoding="utf-8-sig")
        assert ";" in text.splitlines()[0]
        async with page.expect_download() as xlsx_download:
            await page.locator("#download-xlsx").click()
        xlsx = await xlsx_download.value
        assert (await xlsx.path()).read_bytes().startswith(b"PK")  # a zip: the XLSX

        await assert_accessible(page)
        await page.locator("#section-daily").scroll_into_view_if_needed()
        await screenshot(page, "admin-reports")

        # In English the server draws the charts in English.
        await page.locator('.languages button[lang="en"]').click()
        await expect(page.locator("h1")).to_have_text("Reports")
        await expect(page.locator("#chart-daily > svg")).to_have_attribute("lang", "en")
        await expect(page.locator('#chart-payments rect.bar[data-method="Cash"]')).to_have_count(1)
        await assert_accessible(page)
        assert js_errors(page) == []


async def test_finance_staff_see_the_reports_and_nothing_else(platform: Platform) -> None:
    """A finance officer manages nothing: the admin pages open on the reports, the one
    section in the menu, and another section's address leads back to them."""
    async with chromium() as browser:
        page = await new_page(browser)
        await page.goto(f"{platform.base}/admin/events")
        await page.fill("#login-email", house_staff_email(REINAERT, Role.FINANCE))
        await page.fill("#login-password", DEMO_PASSWORD)
        await page.locator("#login").click()
        await expect(page.locator("h1")).to_have_text("Rapporten")
        await expect(page.locator("body")).to_have_attribute("data-ready", "true")
        await expect(page).to_have_url(re.compile(r"/admin/reports"))
        await expect(page.locator("#admin-nav a")).to_have_count(1)
        await expect(page.locator("#admin-nav a")).to_have_attribute("aria-current", "page")
        await expect(page.locator("#chart-daily > svg")).to_have_attribute("role", "img")
        await expect(page.locator("#chart-payments > svg")).to_have_attribute("role", "img")
        await assert_accessible(page)
        assert js_errors(page) == []
