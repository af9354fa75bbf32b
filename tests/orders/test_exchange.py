from __future__ import annotations

from typing import Any

import httpx
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from test_box_office import counter_hold, open_till

from ticketing.tenancy.roles import Role


async def paid_order(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], **items: Any
) -> dict[str, Any]:
    hold = await counter_hold(client, tenant, performance, **items)
    return await ok(
        await client.post(
            "/box-office/orders",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"hold_id": hold["id"], "payment": {"method": "cash"}},
        )
    )


async def test_exchange_to_a_dearer_seat_then_a_cheaper_one(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await open_till(client, tenant)
    order = await paid_order(client, tenant, performance, seats=["BALCONY/1/4"])
    old = order["tickets"][0]
    assert old["price_cents"] == 2000
    new_place = await counter_hold(client, tenant, performance, seats=["STALLS/1/1"])
    unpaid = await client.post(
        f"/orders/{order['id']}/exchange",
        headers=clerk,
        json={"ticket_id": old["id"], "hold_id": new_place["id"]},
    )
    assert_problem(unpaid, 422, "payment")
    upgraded = await ok(
        await client.post(
            f"/orders/{order['id']}/exchange",
            headers=clerk,
            json={
                "ticket_id": old["id"],
                "hold_id": new_place["id"],
                "payment": {"method": "cash"},
            },
        ),
        200,
    )
    assert upgraded["total_cents"] == upgraded["paid_cents"] == 3000
    statuses = {t["seat_key"]: t["status"] for t in upgraded["tickets"]}
    assert statuses == {"BALCONY/1/4": "exchanged", "STALLS/1/1": "valid"}
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == ["STALLS/1/1"]

    # Down to standing at the -26 tariff: 1500 * 0.75 = 1125, so 1875 goes back.
    floor = await counter_hold(
        client, tenant, performance, standing=[{"area": "FLOOR", "quantity": 1}]
    )
    current = next(t for t in upgraded["tickets"] if t["status"] == "valid")
    cheaper = await ok(
        await client.post(
            f"/orders/{order['id']}/exchange",
            headers=clerk,
            json={
                "ticket_id": current["id"],
                "hold_id": floor["id"],
                "tariff": "U26",
                "refund_method": "cash",
            },
        ),
        200,
    )
    assert cheaper["total_cents"] == 1125
    assert cheaper["refunded_cents"] == 1875
    assert cheaper["status"] == "partly_refunded"
    history = await ok(await client.get(f"/orders/{order['id']}/history", headers=clerk), 200)
    assert [e["kind"] for e in history if e["kind"] in ("exchanged", "refund")] == [
        "exchanged",
        "exchanged",
        "refund",
    ]
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == []
    assert availability["standing"][0]["available"] == 9


async def test_exchange_needs_a_single_held_place(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await open_till(client, tenant)
    order = await paid_order(client, tenant, performance, seats=["STALLS/3/3"])
    two = await counter_hold(client, tenant, performance, seats=["STALLS/3/5", "STALLS/3/6"])
    refused = await client.post(
        f"/orders/{order['id']}/exchange",
        headers=clerk,
        json={
            "ticket_id": order["tickets"][0]["id"],
            "hold_id": two["id"],
            "payment": {"method": "cash"},
        },
    )
    assert_problem(refused, 422, "hold_id")
