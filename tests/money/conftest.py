"""Selling at the counter through the API, for the reports to read back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant
from fixtures.world import ok

from ticketing import clock
from ticketing.tenancy.roles import Role

PRICES = {"A": 3000, "B": 2000, "S": 1500}


@pytest.fixture
async def performance(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    return await put_on_sale(client, tenant, MIXED_SPEC, PRICES)


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


async def open_till(
    client: httpx.AsyncClient, tenant: Tenant, float_cents: int = 10000
) -> dict[str, Any]:
    return await ok(
        await client.post(
            "/till/open",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(tenant.house.id), "float_cents": float_cents},
        )
    )


async def sell(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    seats: list[str],
    method: str | None = "cash",
    tariff: str | None = None,
    reserve_until: str | None = None,
) -> dict[str, Any]:
    """A counter sale of these seats (at one tariff), paid by method; with reserve_until
    a reservation, not paid."""
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": seats,
            },
        )
    )
    body: dict[str, Any] = {"hold_id": hold["id"]}
    if tariff is not None:
        body["lines"] = [{"item_id": i["id"], "tariff": tariff} for i in hold["items"]]
    if reserve_until is not None:
        body["reserve_until"] = reserve_until
    else:
        body["payment"] = {"method": method}
    return await ok(await client.post("/box-office/orders", headers=clerk, json=body))


async def report(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: str
) -> dict[str, Any]:
    return await ok(await client.get(path, headers=headers, params=params), 200)
