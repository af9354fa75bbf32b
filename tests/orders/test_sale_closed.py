"""The sale rules hold at the moment of sale, not only when places are taken: a basket
taken before its performance was cancelled (or before a sales window closed) cannot be
checked out online or sold at the counter, a reservation of it cannot be paid, and the
cancellation closes the open baskets and gives their places back."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import psycopg
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from test_box_office import counter_hold, open_till

from ticketing import clock
from ticketing.tenancy.roles import Role

BUYER = {"name": "Lotte De Smet", "email": "lotte@example.test"}


async def cancel(client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]) -> None:
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"status": "cancelled"},
        ),
        200,
    )


async def staff_availability(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> dict[str, Any]:
    return await ok(
        await client.get(
            f"/performances/{performance['id']}/availability",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
        ),
        200,
    )


def assert_sale_closed(response: httpx.Response, *words: str) -> dict[str, Any]:
    body = assert_problem(response, 409)
    assert body["type"] == "https://podium.example/problems/sale-closed", body
    for word in words:
        assert word in body["detail"], body
    return body


async def test_a_basket_of_a_cancelled_performance_is_closed_and_not_checked_out(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    other = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    hold = await ok(
        await client.post(
            "/public/holds",
            json={"performance_id": performance["id"], "seats": ["STALLS/1/1", "STALLS/1/2"]},
        )
    )
    # The same basket holds a place of another performance, which is not cancelled.
    await ok(
        await client.post(
            f"/public/holds/{hold['id']}/items",
            json={"performance_id": other["id"], "standing": [{"area": "FLOOR", "quantity": 2}]},
        )
    )
    untouched = await ok(
        await client.post(
            "/public/holds", json={"performance_id": other["id"], "seats": ["STALLS/2/1"]}
        )
    )
    assert (await staff_availability(client, tenant, performance))["held"] == [
        "STALLS/1/1",
        "STALLS/1/2",
    ]

    await cancel(client, tenant, performance)

    refused = await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    # Named as the buyer knows it: the event's title and the performance's date.
    assert_sale_closed(refused, "Te koop", "cancelled")
    basket = await ok(await client.get(f"/public/holds/{hold['id']}"), 200)
    assert basket["status"] == "closed"
    assert basket["items"] == []
    # Every place of the closed basket went back, those of the other performance too.
    assert (await staff_availability(client, tenant, performance))["held"] == []
    other_now = await staff_availability(client, tenant, other)
    assert other_now["held"] == ["STALLS/2/1"]
    floor = next(a for a in other_now["standing"] if a["area"] == "FLOOR")
    assert floor["available"] == floor["capacity"]
    # A basket without the cancelled performance goes on as before.
    order = await ok(
        await client.post("/public/orders", json={"hold_id": untouched["id"], "customer": BUYER})
    )
    assert order["status"] == "pending"
    # Anything else asked of the closed basket answers as an ended basket does, so the
    # shop starts a new one.
    more = await client.post(
        f"/public/holds/{hold['id']}/items",
        json={"performance_id": other["id"], "seats": ["STALLS/2/2"]},
    )
    assert assert_problem(more, 409)["type"].endswith("/hold-expired")
    assert "cancelled" in more.json()["detail"]


async def test_the_counter_cannot_sell_or_reserve_a_basket_of_a_cancelled_performance(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await open_till(client, tenant)
    to_sell = await counter_hold(client, tenant, performance, seats=["BALCONY/1/1"])
    to_reserve = await counter_hold(client, tenant, performance, seats=["BALCONY/1/2"])
    await cancel(client, tenant, performance)

    sale = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={"hold_id": to_sell["id"], "payment": {"method": "cash"}},
    )
    assert_sale_closed(sale, "Te koop", "cancelled")
    reservation = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={
            "hold_id": to_reserve["id"],
            "customer": {"name": "Jan Peeters"},
            "reserve_until": (clock.now() + timedelta(days=1)).isoformat(),
        },
    )
    assert_sale_closed(reservation, "Te koop")
    # Nothing was sold or taken: the till took no money and no order was made.
    till = await ok(
        await client.get("/till/mine", headers=clerk, params={"house_id": str(tenant.house.id)}),
        200,
    )
    assert till["report"]["by_method"] == {}
    orders = await ok(
        await client.get("/orders", headers=clerk, params={"house_id": str(tenant.house.id)}), 200
    )
    assert orders == []


async def test_a_reservation_of_a_cancelled_performance_cannot_be_paid(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(client, tenant, performance, seats=["BALCONY/1/3"])
    reserved = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {"name": "Jan Peeters"},
                "reserve_until": (clock.now() + timedelta(days=1)).isoformat(),
            },
        )
    )
    assert reserved["status"] == "reserved"
    await open_till(client, tenant)
    await cancel(client, tenant, performance)

    paying = await client.post(
        f"/orders/{reserved['id']}/payments", headers=clerk, json={"method": "cash"}
    )
    assert_sale_closed(paying, "Te koop", "cancelled")
    after = await ok(await client.get(f"/orders/{reserved['id']}", headers=clerk), 200)
    assert after["status"] == "reserved"
    assert after["paid_cents"] == 0
    assert {t["status"] for t in after["tickets"]} == {"pending"}


async def test_a_closed_online_sales_window_stops_checkout_but_not_the_counter(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    online = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/3/1"]}
        )
    )
    at_counter = await counter_hold(client, tenant, performance, seats=["STALLS/3/2"])
    # The house ends online sales now; the counter sells on until the performance.
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"online_sales_until": (clock.now() - timedelta(minutes=1)).isoformat()},
        ),
        200,
    )

    refused = await client.post("/public/orders", json={"hold_id": online["id"], "customer": BUYER})
    assert_sale_closed(refused, "Online sales", "Te koop", "closed")
    # Refused, not ended: the basket and its place are as they were.
    basket = await ok(await client.get(f"/public/holds/{online['id']}"), 200)
    assert basket["status"] == "active"
    assert [i["seat_key"] for i in basket["items"]] == ["STALLS/3/1"]

    await open_till(client, tenant)
    sold = await ok(
        await client.post(
            "/box-office/orders",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"hold_id": at_counter["id"], "payment": {"method": "cash"}},
        )
    )
    assert sold["status"] == "paid"


async def test_a_cancellation_and_a_checkout_at_the_same_moment_agree(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    """Either the checkout wins (it holds the basket's lock; the cancellation then leaves
    the order's places alone, and paying it finds the performance off sale) or the
    cancellation does (the basket is closed, its places gone, the checkout refused).
    Never an order without its places, nor a closed basket that became an order."""
    client, tenant, database = committing
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    for _ in range(3):
        performance = await put_on_sale(
            client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500}
        )
        hold = await counter_hold(client, tenant, performance, seats=["STALLS/1/1", "STALLS/1/2"])
        checkout, cancelled = await asyncio.gather(
            client.post(
                "/box-office/orders",
                headers=clerk,
                json={
                    "hold_id": hold["id"],
                    "customer": {"name": "Jan Peeters"},
                    "reserve_until": (clock.now() + timedelta(days=1)).isoformat(),
                },
            ),
            client.patch(
                f"/performances/{performance['id']}",
                headers=tenant.staff[Role.HOUSE_ADMIN].headers,
                json={"status": "cancelled"},
            ),
        )
        assert cancelled.status_code == 200, cancelled.text
        with psycopg.connect(database) as conn:
            status = conn.execute("SELECT status FROM hold WHERE id = %s", (hold["id"],))
            [basket] = status.fetchone() or [None]
            places = conn.execute(
                "SELECT count(*) FROM allocation WHERE performance_id = %s",
                (performance["id"],),
            ).fetchone()
        if checkout.status_code == 201:
            assert basket == "ordered"
            assert places == (2,)
            paying = await client.post(
                f"/orders/{checkout.json()['id']}/payments", headers=clerk, json={"method": "cash"}
            )
            assert_sale_closed(paying, "cancelled")
        else:
            assert_sale_closed(checkout, "cancelled")
            assert basket == "closed"
            assert places == (0,)


async def test_declared_sold_out_stops_new_places_but_sells_those_held(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/2/5"]}
        )
    )
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"status": "sold_out"},
        ),
        200,
    )
    more = await client.post(
        "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/2/6"]}
    )
    assert assert_problem(more, 409)["type"].endswith("/sold-out")
    # The buyer who holds the last places gets them: sold out is about places not held.
    order = await ok(
        await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    )
    assert order["status"] == "pending"
