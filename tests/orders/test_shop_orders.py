from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem, make_tenant
from fixtures.world import ok
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.orders import lifecycle
from ticketing.orders.models import Order
from ticketing.tenancy.models import House

BUYER = {"name": "An Janssens", "email": "an@example.test", "language": "fr"}


async def shop_hold(
    client: httpx.AsyncClient, performance: dict[str, Any], **items: Any
) -> dict[str, Any]:
    return await ok(
        await client.post("/public/holds", json={"performance_id": performance["id"], **items})
    )


async def test_online_checkout_prices_every_ticket(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    house = await db.get(House, tenant.house.id)
    assert house is not None
    house.online_fee_cents = 150
    db.add(house)
    await db.commit()
    hold = await shop_hold(client, performance, seats=["STALLS/1/1", "STALLS/1/2"])
    first = hold["items"][0]
    response = await client.post(
        "/public/orders",
        json={
            "hold_id": hold["id"],
            "customer": BUYER,
            "lines": [{"item_id": first["id"], "tariff": "U26"}],
        },
    )
    order = await ok(response)
    assert order["status"] == "pending"
    assert order["tickets_cents"] == 3000 + 2250
    assert order["fees_cents"] == 300
    assert order["total_cents"] == 5550
    assert order["pay_before"] == hold["expires_at"]
    assert order["language"] == "fr"
    # The buyer's link works with the secret only.
    mine = await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}), 200
    )
    assert mine["code"] == order["code"]
    assert "secret" not in mine
    assert_problem(
        await client.get(f"/public/orders/{order['id']}", params={"secret": "guess"}), 404
    )
    # The basket is now the order's: it cannot be changed or ordered twice.
    twice = await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    assert "become an order" in assert_problem(twice, 409)["detail"]


async def test_online_rules(client: httpx.AsyncClient, performance: dict[str, Any]) -> None:
    hold = await shop_hold(client, performance, seats=["STALLS/3/1"])
    item = hold["items"][0]
    no_mail = await client.post(
        "/public/orders", json={"hold_id": hold["id"], "customer": {"name": "X"}}
    )
    assert_problem(no_mail, 422, "customer.email")
    staff_only = await client.post(
        "/public/orders",
        json={
            "hold_id": hold["id"],
            "customer": BUYER,
            "lines": [{"item_id": item["id"], "tariff": "VRIJ"}],
        },
    )
    assert_problem(staff_only, 422, "lines[0].tariff")
    unknown = await client.post(
        "/public/orders",
        json={"hold_id": hold["id"], "customer": BUYER, "lines": [{"item_id": str(uuid.uuid4())}]},
    )
    assert_problem(unknown, 422, "lines[0].item_id")
    too_many = await client.post(
        "/public/orders",
        json={
            "hold_id": hold["id"],
            "customer": BUYER,
            "lines": [{"item_id": item["id"], "quantity": 2}],
        },
    )
    assert_problem(too_many, 422, "lines")


async def test_idempotency_key_replays_the_first_answer(
    client: httpx.AsyncClient, performance: dict[str, Any], db: AsyncSession
) -> None:
    hold = await shop_hold(client, performance, seats=["STALLS/2/5"])
    body = {"hold_id": hold["id"], "customer": BUYER}
    headers = {"Idempotency-Key": "order-attempt-1"}
    first = await ok(await client.post("/public/orders", json=body, headers=headers))
    again = await ok(await client.post("/public/orders", json=body, headers=headers))
    assert again == first
    other = await client.post(
        "/public/orders", json={**body, "customer": {**BUYER, "name": "B"}}, headers=headers
    )
    assert_problem(other, 422, "Idempotency-Key")


async def test_paid_after_the_places_were_sold_again_goes_to_refund_due(
    client: httpx.AsyncClient, performance: dict[str, Any], sessionmaker: SessionMaker
) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    hold = await shop_hold(
        client, performance, seats=["BALCONY/1/2"], standing=[{"area": "FLOOR", "quantity": 2}]
    )
    order = await ok(
        await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    )
    # The buyer dawdles; the basket expires and someone else buys the seat.
    clock.set_clock(lambda: start + timedelta(minutes=16))
    await shop_hold(client, performance, seats=["BALCONY/1/2"])
    # ...then the payment arrives after all.
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        assert row is not None
        row.paid_cents = row.total_cents
        assert await lifecycle.mark_paid(session, row, actor="stripe") is False
    async with sessionmaker() as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        assert row is not None
        assert row.status == "refund_due"
        assert row.needs_attention is True
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    # No second ticket for the seat, and the standing places went back on sale.
    assert availability["held"] == ["BALCONY/1/2"]
    assert availability["sold"] == []
    assert availability["standing"][0]["available"] == 10


async def test_one_basket_across_houses_attributes_each_ticket(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    their_show = await put_on_sale(client, neighbour, MIXED_SPEC, {"A": 1000, "B": 900, "S": 800})
    hold = await shop_hold(client, performance, seats=["STALLS/1/3"])
    hold = await ok(
        await client.post(
            f"/public/holds/{hold['id']}/items",
            json={
                "performance_id": their_show["id"],
                "standing": [{"area": "FLOOR", "quantity": 1}],
            },
        )
    )
    order = await ok(
        await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    )
    assert order["house_id"] == str(tenant.house.id)
    by_house = {t["house_id"]: t["price_cents"] for t in order["tickets"]}
    assert by_house == {str(tenant.house.id): 3000, str(neighbour.house.id): 800}
    # A performance of another cluster cannot join the basket.
    stranger = await make_tenant(db)
    far_show = await put_on_sale(client, stranger, MIXED_SPEC, {"A": 1, "B": 1, "S": 1})
    basket = await shop_hold(client, performance, seats=["STALLS/1/6"])
    refused = await client.post(
        f"/public/holds/{basket['id']}/items",
        json={"performance_id": far_show["id"], "seats": ["STALLS/1/1"]},
    )
    assert_problem(refused, 404)
