"""The chart routes (money/controllers.py) over HTTP: after a cash sale at the counter,
the daily chart has a bar of the sale's gross on today, the payment mix a cash bar of what
was taken, the performance's chart its tickets under the hall's capacity. House admin,
finance and cluster admin may read them; a box-office clerk may not; another tenant's
house or performance is not found."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok

from ticketing.tenancy.roles import Role

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
async def sold(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    """A performance of the tenant and a cash sale of two seats for it at the counter."""
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    house = str(tenant.house.id)
    await ok(
        await client.post("/till/open", headers=clerk, json={"house_id": house, "float_cents": 0})
    )
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": house,
                "performance_id": performance["id"],
                "seats": ["STALLS/1/4", "STALLS/1/5"],
            },
        )
    )
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "payment": {"method": "cash"}},
        )
    )
    return {"performance": performance, "order": order}


def period() -> dict[str, str]:
    today = datetime.now(ZoneInfo("Europe/Brussels")).date()
    return {"from": (today - timedelta(days=3)).isoformat(), "to": today.isoformat()}


def drawing(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "no-store" in response.headers["cache-control"]
    root = ET.fromstring(response.text)  # noqa: S314 - our own server's answer
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    return root


def bar_cents(root: ET.Element) -> list[int]:
    return [
        int(r.get("data-cents", "")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"
    ]


async def test_the_charts_show_a_sale_at_the_counter(
    client: httpx.AsyncClient, tenant: Tenant, sold: dict[str, Any]
) -> None:
    total = sold["order"]["total_cents"]
    assert total > 0
    house = tenant.house.id
    for role in (Role.HOUSE_ADMIN, Role.FINANCE, Role.CLUSTER_ADMIN):
        headers = tenant.staff[role].headers
        daily = drawing(
            await client.get(
                f"/houses/{house}/reports/charts/daily.svg", headers=headers, params=period()
            )
        )
        assert bar_cents(daily) == [total]
        mix = drawing(
            await client.get(
                f"/houses/{house}/reports/charts/payments.svg", headers=headers, params=period()
            )
        )
        cash = [r for r in mix.iter(f"{SVG}rect") if r.get("data-method") == "Contant"]
        assert [int(r.get("data-cents", "")) for r in cash] == [total]
    performance = sold["performance"]["id"]
    english = await client.get(
        f"/performances/{performance}/reports/charts/cumulative.svg",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        params={"lang": "en"},
    )
    root = drawing(english)
    assert root.get("lang") == "en"
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    assert [c.get("data-tickets") for c in points] == ["2"]
    capacity = next(n for n in root.iter(f"{SVG}line") if n.get("class") == "capacity")
    assert int(capacity.get("data-capacity", "0")) > 2


async def test_the_period_is_this_month_unless_asked(
    client: httpx.AsyncClient, tenant: Tenant, sold: dict[str, Any]
) -> None:
    answer = await client.get(
        f"/houses/{tenant.house.id}/reports/charts/daily.svg",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
    )
    assert bar_cents(drawing(answer)) == [sold["order"]["total_cents"]]


async def test_an_empty_period_draws_a_chart_saying_so(
    client: httpx.AsyncClient, tenant: Tenant, sold: dict[str, Any]
) -> None:
    answer = await client.get(
        f"/houses/{tenant.house.id}/reports/charts/daily.svg",
        headers=tenant.staff[Role.FINANCE].headers,
        params={"from": "2001-01-01", "to": "2001-01-31"},
    )
    root = drawing(answer)
    assert bar_cents(root) == []
    assert "Geen gegevens" in answer.text


async def test_only_who_may_read_the_reports_gets_the_charts(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, sold: dict[str, Any]
) -> None:
    daily = f"/houses/{tenant.house.id}/reports/charts/daily.svg"
    cumulative = f"/performances/{sold['performance']['id']}/reports/charts/cumulative.svg"
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    assert_problem(await client.get(daily, headers=clerk, params=period()), 403)
    stranger = other_tenant.staff[Role.HOUSE_ADMIN].headers
    assert_problem(await client.get(daily, headers=stranger, params=period()), 404)
    assert_problem(await client.get(cumulative, headers=stranger), 404)
    assert (await client.get(daily, params=period())).status_code == 401


async def test_a_period_is_two_days_in_order(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """The charts read their period as the reports do: the field named, nothing drawn."""
    path = f"/houses/{tenant.house.id}/reports/charts/payments.svg"
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    backwards = {"from": "2026-12-07", "to": "2026-12-01"}
    assert_problem(await client.get(path, headers=admin, params=backwards), 422, "query.from")
    assert_problem(
        await client.get(path, headers=admin, params={"from": "2026-13-01"}), 422, "query.from"
    )
    far = {"from": "1999-12-01", "to": "2026-12-01"}
    assert_problem(await client.get(path, headers=admin, params=far), 422, "query.from")
