from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.inventory import repository, service
from ticketing.inventory.models import Channel, Hold
from ticketing.tenancy.roles import Role


@pytest.fixture(autouse=True)
def _real_clock() -> Any:
    yield
    clock.set_clock(None)


async def availability(client: httpx.AsyncClient, performance: dict[str, Any]) -> dict[str, Any]:
    return await ok(await client.get(f"/public/performances/{performance['id']}/availability"), 200)


async def test_hold_seats_and_standing_then_release(
    client: httpx.AsyncClient, performance: dict[str, Any]
) -> None:
    before = await availability(client, performance)
    assert {z["zone"]: z["seats_available"] for z in before["zones"]} == {"A": 24, "B": 6}
    assert before["standing"] == [
        {"area": "FLOOR", "name": "Vloer", "zone": "S", "capacity": 10, "available": 10}
    ]
    hold = await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": performance["id"],
                "seats": ["STALLS/1/1", "STALLS/1/2"],
                "standing": [{"area": "FLOOR", "quantity": 3}],
            },
        )
    )
    assert hold["channel"] == "online"
    items = {(i["seat_key"] or i["area_code"], i["quantity"]) for i in hold["items"]}
    assert items == {("STALLS/1/1", 1), ("STALLS/1/2", 1), ("FLOOR", 3)}
    after = await availability(client, performance)
    assert after["held"] == ["STALLS/1/1", "STALLS/1/2"]
    assert after["standing"][0]["available"] == 7
    assert {z["zone"]: z["seats_available"] for z in after["zones"]}["A"] == 22

    floor_item = next(i for i in hold["items"] if i["area_code"] == "FLOOR")
    response = await client.delete(f"/public/holds/{hold['id']}/items/{floor_item['id']}")
    assert response.status_code == 204
    assert (await availability(client, performance))["standing"][0]["available"] == 10
    assert (await client.delete(f"/public/holds/{hold['id']}")).status_code == 204
    assert (await availability(client, performance))["held"] == []
    released = await ok(await client.get(f"/public/holds/{hold['id']}"), 200)
    assert released["status"] == "released"


async def test_a_taken_seat_is_a_clear_409_and_nothing_is_held(
    client: httpx.AsyncClient, performance: dict[str, Any]
) -> None:
    first = await client.post(
        "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/2/4"]}
    )
    assert first.status_code == 201
    second = await client.post(
        "/public/holds",
        json={"performance_id": performance["id"], "seats": ["STALLS/2/3", "STALLS/2/4"]},
    )
    body = assert_problem(second, 409, "seats[1]")
    assert body["type"].endswith("seats-taken")
    assert "STALLS/2/4" in body["detail"]
    # All or nothing: the free seat of the refused request is not held either.
    assert (await availability(client, performance))["held"] == ["STALLS/2/4"]


async def test_standing_sells_out_exactly(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, performance: dict[str, Any]
) -> None:
    for _ in range(2):
        await ok(
            await client.post(
                "/public/holds",
                json={
                    "performance_id": performance["id"],
                    "standing": [{"area": "FLOOR", "quantity": 4}],
                },
            )
        )
    over = await client.post(
        "/public/holds",
        json={"performance_id": performance["id"], "standing": [{"area": "FLOOR", "quantity": 3}]},
    )
    body = assert_problem(over, 409, "standing[0].quantity")
    assert body["type"].endswith("sold-out")
    # The new basket and its places are stored by one statement, only when they fit: the
    # refused request left no empty basket behind.
    baskets = await db.exec(  # type: ignore[call-overload]
        select(func.count())
        .select_from(Hold)
        .where(Hold.house_id == tenant.house.id, col(Hold.channel) == Channel.ONLINE)
    )
    assert baskets.one() == 2
    await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": performance["id"],
                "standing": [{"area": "FLOOR", "quantity": 2}],
            },
        )
    )
    assert (await availability(client, performance))["standing"][0]["available"] == 0


async def test_best_available(client: httpx.AsyncClient, performance: dict[str, Any]) -> None:
    hold = await ok(
        await client.post(
            "/public/holds",
            json={"performance_id": performance["id"], "best": {"quantity": 3, "zone": "A"}},
        )
    )
    keys = sorted(i["seat_key"] for i in hold["items"])
    assert len(keys) == 3
    assert {k.split("/")[1] for k in keys} == {"1"}  # one row, the front one
    too_many = await client.post(
        "/public/holds",
        json={"performance_id": performance["id"], "best": {"quantity": 7, "zone": "B"}},
    )
    assert_problem(too_many, 409, "best.quantity")


async def test_expired_holds_free_their_places_at_once_and_are_swept(
    client: httpx.AsyncClient, performance: dict[str, Any], sessionmaker: SessionMaker
) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    hold = await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": performance["id"],
                "seats": ["STALLS/3/1"],
                "standing": [{"area": "FLOOR", "quantity": 10}],
            },
        )
    )
    assert (await availability(client, performance))["standing"][0]["available"] == 0
    # 15 minutes (the house's hold time) later the places count as free again, before any sweep.
    clock.set_clock(lambda: start + timedelta(minutes=15, seconds=1))
    now_free = await availability(client, performance)
    assert now_free["held"] == []
    assert now_free["standing"][0]["available"] == 10
    # ...and someone else can take them.
    await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": performance["id"],
                "seats": ["STALLS/3/1"],
                "standing": [{"area": "FLOOR", "quantity": 10}],
            },
        )
    )
    expired = await client.post(
        f"/public/holds/{hold['id']}/items",
        json={"performance_id": performance["id"], "seats": ["STALLS/3/2"]},
    )
    assert_problem(expired, 409)
    # The sweep marks the old basket expired and leaves the new holds alone.
    clock.set_clock(lambda: start + timedelta(minutes=31))
    async with unit_of_work(sessionmaker) as session:
        assert await service.release_expired(session) == 2
    assert (await ok(await client.get(f"/public/holds/{hold['id']}"), 200))["status"] == "expired"
    assert (await availability(client, performance))["standing"][0]["available"] == 10


async def test_extend_once(client: httpx.AsyncClient, performance: dict[str, Any]) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/1/8"]}
        )
    )
    clock.set_clock(lambda: start + timedelta(minutes=10))
    extended = await ok(await client.post(f"/public/holds/{hold['id']}/extend"), 200)
    assert extended["extended"] is True
    clock.set_clock(lambda: start + timedelta(minutes=20))
    assert (await availability(client, performance))["held"] == ["STALLS/1/8"]
    assert_problem(await client.post(f"/public/holds/{hold['id']}/extend"), 409)


async def test_bad_requests_name_the_field(
    client: httpx.AsyncClient, performance: dict[str, Any]
) -> None:
    pid = performance["id"]
    assert_problem(
        await client.post("/public/holds", json={"performance_id": pid, "seats": ["NOPE/1/1"]}),
        422,
        "seats[0]",
    )
    assert_problem(
        await client.post(
            "/public/holds",
            json={"performance_id": pid, "standing": [{"area": "X", "quantity": 1}]},
        ),
        422,
        "standing[0].area",
    )
    assert_problem(await client.post("/public/holds", json={"performance_id": pid}), 400)
    assert_problem(
        await client.post(
            "/public/holds",
            json={"performance_id": pid, "standing": [{"area": "FLOOR", "quantity": 21}]},
        ),
        400,
        "standing",
    )


async def test_draft_performance_is_not_for_sale_online(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    await ok(
        await client.patch(
            f"/performances/{performance['id']}", headers=h, json={"status": "draft"}
        ),
        200,
    )
    assert_problem(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/1/1"]}
        ),
        409,
    )
    assert_problem(await client.get(f"/public/performances/{performance['id']}/availability"), 404)


async def test_box_office_holds_and_blocks(
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    performance: dict[str, Any],
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    body = {
        "house_id": str(tenant.house.id),
        "performance_id": performance["id"],
        "seats": ["BALCONY/1/1"],
    }
    hold = await ok(await client.post("/box-office/holds", headers=clerk, json=body))
    assert hold["channel"] == "box_office"
    # Another house's staff cannot see or use this basket, nor sell from another cluster.
    outsider = other_tenant.staff[Role.BOX_OFFICE].headers
    assert_problem(await client.get(f"/box-office/holds/{hold['id']}", headers=outsider), 404)
    assert_problem(await client.post("/box-office/holds", headers=outsider, json=body), 404)
    foreign = {**body, "house_id": str(other_tenant.house.id), "seats": ["BALCONY/1/2"]}
    assert_problem(await client.post("/box-office/holds", headers=outsider, json=foreign), 404)
    # A shop basket id is not a box-office basket and vice versa.
    assert_problem(await client.get(f"/public/holds/{hold['id']}"), 404)

    blocked = await ok(
        await client.post(
            f"/performances/{performance['id']}/blocks",
            headers=admin,
            json={"seats": ["BALCONY/1/5", "BALCONY/1/6"]},
        ),
        200,
    )
    assert blocked["blocked"] == ["BALCONY/1/5", "BALCONY/1/6"]
    assert_problem(
        await client.post(
            f"/performances/{performance['id']}/blocks",
            headers=admin,
            json={"seats": ["BALCONY/1/1"]},
        ),
        409,
    )
    assert_problem(
        await client.post(
            f"/performances/{performance['id']}/blocks",
            headers=clerk,
            json={"seats": ["BALCONY/1/4"]},
        ),
        403,
    )
    svg = await client.get(f"/public/performances/{performance['id']}/seatmap.svg")
    assert 'data-seat="BALCONY/1/5"' in svg.text
    assert 'data-state="blocked"' in svg.text
    unblocked = await ok(
        await client.post(
            f"/performances/{performance['id']}/unblock",
            headers=admin,
            json={"seats": ["BALCONY/1/5"]},
        ),
        200,
    )
    assert unblocked["blocked"] == ["BALCONY/1/6"]


async def test_best_seats_taken_meanwhile_are_chosen_again_for_a_new_basket(
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    performance: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = await ok(
        await client.post(
            "/public/holds",
            json={"performance_id": performance["id"], "best": {"quantity": 2, "zone": "A"}},
        )
    )
    # The next buyer's first look at the hall is from before those seats were taken, so
    # it picks them too, loses them, and looks again.
    real_states = repository.seat_states
    calls = 0

    async def stale_then_real(*args: Any) -> tuple[set[str], set[str]]:
        nonlocal calls
        calls += 1
        live, expired = await real_states(*args)
        return (set(), expired) if calls == 1 else (live, expired)

    monkeypatch.setattr(repository, "seat_states", stale_then_real)
    second = await ok(
        await client.post(
            "/public/holds",
            json={"performance_id": performance["id"], "best": {"quantity": 2, "zone": "A"}},
        )
    )
    assert calls == 2
    mine = {i["seat_key"] for i in first["items"]}
    theirs = {i["seat_key"] for i in second["items"]}
    assert len(theirs) == 2
    assert not mine & theirs
    baskets = await db.exec(  # type: ignore[call-overload]
        select(func.count()).select_from(Hold).where(Hold.house_id == tenant.house.id)
    )
    assert baskets.one() == 2


async def test_the_basket_says_the_online_fee_the_order_will_add(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    house = await ok(
        await client.patch(
            f"/houses/{tenant.house.id}", headers=admin, json={"online_fee_cents": 150}
        ),
        200,
    )
    assert house["online_fee_cents"] == 150
    hold = await ok(
        await client.post(
            "/public/holds",
            json={"performance_id": performance["id"], "seats": ["STALLS/1/1", "STALLS/1/2"]},
        )
    )
    # The basket as the checkout reads it says the fee and whose news it asks for.
    basket = await ok(await client.get(f"/public/holds/{hold['id']}"), 200)
    assert (basket["fee_per_ticket_cents"], basket["house_name"]) == (150, tenant.house.name)
    order = await ok(
        await client.post(
            "/public/orders",
            json={"hold_id": hold["id"], "customer": {"name": "An", "email": "an@example.test"}},
        )
    )
    # What the basket said: two tickets of 30 euro and 1.50 per ticket.
    assert (order["tickets_cents"], order["fees_cents"], order["total_cents"]) == (6000, 300, 6300)
    # A sale at the counter adds no online fee.
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await client.post(
        "/till/open", headers=clerk, json={"house_id": str(tenant.house.id), "float_cents": 0}
    )
    counter = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/1/3"],
            },
        )
    )
    sold = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": counter["id"], "payment": {"method": "cash"}},
        )
    )
    assert (sold["fees_cents"], sold["total_cents"]) == (0, 3000)
