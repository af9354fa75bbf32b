from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest
from fixtures.inventory_setup import MIXED_SPEC, STAFF_TARIFF, add_tariff, put_on_sale
from fixtures.support import Tenant, assert_problem, make_tenant, make_user
from fixtures.world import ok
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.inventory.models import Hold
from ticketing.money.ledger import ENTRY_COLUMNS
from ticketing.orders import checkout, lifecycle
from ticketing.orders.models import Order, Ticket
from ticketing.tenancy.roles import Role


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


async def counter_hold(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], **items: Any
) -> dict[str, Any]:
    body = {"house_id": str(tenant.house.id), "performance_id": performance["id"], **items}
    return await ok(
        await client.post(
            "/box-office/holds", headers=tenant.staff[Role.BOX_OFFICE].headers, json=body
        )
    )


async def test_cash_sale_sells_the_places_and_queues_the_tickets(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(
        client,
        tenant,
        performance,
        seats=["STALLS/1/4", "STALLS/1/5"],
        standing=[{"area": "FLOOR", "quantity": 2}],
    )
    no_till = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={"hold_id": hold["id"], "payment": {"method": "cash"}},
    )
    assert_problem(no_till, 409)
    await open_till(client, tenant)
    seat = next(i for i in hold["items"] if i["seat_key"] == "STALLS/1/5")
    floor = next(i for i in hold["items"] if i["area_code"] == "FLOOR")
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {"name": "Jan Peeters", "phone": "+32 470 12 34 56"},
                "lines": [
                    {"item_id": seat["id"], "tariff": "U26"},
                    {"item_id": floor["id"], "tariff": "U26", "quantity": 1},
                ],
                "payment": {"method": "cash"},
            },
        )
    )
    assert order["status"] == "paid"
    assert order["code"].startswith(tenant.house.order_code_prefix + "-")
    # Found by a part of its code; what is typed is text, not a pattern.
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    found: Any = await ok(
        await client.get("/orders", headers=clerk, params={"q": order["code"][-3:]}), 200
    )
    assert order["id"] in [o["id"] for o in found]
    assert await ok(await client.get("/orders", headers=clerk, params={"q": "%"}), 200) == []
    # 3000 + 3000*0.75 + 1500 + 1500*0.75 = 7875
    assert order["total_cents"] == order["paid_cents"] == 7875
    assert sorted(t["price_cents"] for t in order["tickets"]) == [1125, 1500, 2250, 3000]
    assert all(t["status"] == "valid" for t in order["tickets"])
    assert {t["requires_check"] for t in order["tickets"] if t["tariff_code"] == "U26"} == {True}
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == ["STALLS/1/4", "STALLS/1/5"]
    assert availability["standing"][0]["available"] == 8

    # Ticket issuing was queued after commit and happens once.
    async with sessionmaker() as session:
        due = (
            await session.exec(
                select(outbox.OutboxMessage.id).where(
                    col(outbox.OutboxMessage.id).in_(await outbox.due(sessionmaker)),
                    outbox.OutboxMessage.topic == "tickets.issue",
                )
            )
        ).all()
    assert len(due) == 1
    for message_id in due:
        assert await outbox.process(sessionmaker, message_id)
        assert not await outbox.process(sessionmaker, message_id)
    async with sessionmaker() as session:
        tickets = (await session.exec(select(Ticket).where(Ticket.order_id == order["id"]))).all()
        assert all(t.issued_at is not None for t in tickets)
    history = await ok(await client.get(f"/orders/{order['id']}/history", headers=clerk), 200)
    assert [e["kind"] for e in history] == ["created", "payment", "paid", "tickets_issued"]


async def test_a_sale_takes_a_basket_the_clerk_may_see_into_the_clerks_own_till(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, performance: dict[str, Any]
) -> None:
    """The basket and the till are read together: each still answers on its own."""
    await open_till(client, tenant)
    hold = await counter_hold(client, tenant, performance, seats=["STALLS/2/1"])
    body = {"hold_id": hold["id"], "payment": {"method": "cash"}}
    stranger = other_tenant.staff[Role.BOX_OFFICE].headers
    await open_till(client, other_tenant)
    assert_problem(await client.post("/box-office/orders", headers=stranger, json=body), 404)
    # The house admin may sell here, but the open till is the clerk's, not theirs.
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    no_till = await client.post("/box-office/orders", headers=admin, json=body)
    assert_problem(no_till, 409)
    assert "Open your till" in no_till.json()["detail"]
    # An integration token may hold and reserve, but money goes into a person's till.
    token = await ok(
        await client.post(
            "/api-tokens",
            headers=admin,
            json={
                "house_id": str(tenant.house.id),
                "name": "Kassa-koppeling",
                "kind": "integration",
                "roles": ["box_office"],
            },
        )
    )
    by_token = await client.post(
        "/box-office/orders", headers={"Authorization": f"Bearer {token['token']}"}, json=body
    )
    assert_problem(by_token, 403)
    assert "A till belongs to a person" in by_token.json()["detail"]
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    order = await ok(await client.post("/box-office/orders", headers=clerk, json=body))
    assert order["status"] == "paid"
    assert [t["seat_key"] for t in order["tickets"]] == ["STALLS/2/1"]
    # Sold: the basket cannot be sold a second time.
    again = await client.post(
        "/box-office/orders", headers=clerk, json=body | {"customer": {"name": "Again"}}
    )
    assert_problem(again, 409)


async def test_reservation_expires_at_its_deadline(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(client, tenant, performance, seats=["BALCONY/1/3"])
    deadline = start + timedelta(days=2)
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {"name": "Mevr. Claes"},
                "reserve_until": deadline.isoformat(),
            },
        )
    )
    assert order["status"] == "reserved"
    # Long after the basket's 15 minutes, the reservation still keeps the seat.
    clock.set_clock(lambda: start + timedelta(days=1))
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["held"] == ["BALCONY/1/3"]
    async with unit_of_work(sessionmaker) as session:
        assert await lifecycle.expire_due(session) == 0
    clock.set_clock(lambda: deadline + timedelta(seconds=1))
    async with unit_of_work(sessionmaker) as session:
        assert await lifecycle.expire_due(session) == 1
    expired = await ok(await client.get(f"/orders/{order['id']}", headers=clerk), 200)
    assert expired["status"] == "expired"
    assert {t["status"] for t in expired["tickets"]} == {"cancelled"}
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["held"] == []
    await open_till(client, tenant)
    late = await client.post(
        f"/orders/{order['id']}/payments", headers=clerk, json={"method": "cash"}
    )
    assert_problem(late, 409)


async def test_pay_a_reservation_then_refund_ticket_by_ticket(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(client, tenant, performance, seats=["STALLS/2/1", "STALLS/2/2"])
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "reserve_until": (clock.now() + timedelta(hours=5)).isoformat(),
            },
        )
    )
    till = await open_till(client, tenant, 5000)
    paid = await ok(
        await client.post(
            f"/orders/{order['id']}/payments",
            headers=clerk,
            json={"method": "card_terminal", "reference": "TRM-1"},
        ),
        200,
    )
    assert paid["status"] == "paid"
    assert paid["paid_cents"] == 6000
    first = paid["tickets"][0]
    partly = await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=clerk,
            json={"ticket_ids": [first["id"]], "refund_method": "cash"},
        ),
        200,
    )
    assert partly["status"] == "partly_refunded"
    assert partly["refunded_cents"] == 3000
    again = await client.post(
        f"/orders/{order['id']}/cancel", headers=clerk, json={"ticket_ids": [first["id"]]}
    )
    assert_problem(again, 422, "ticket_ids[0]")
    rest = await ok(await client.post(f"/orders/{order['id']}/cancel", headers=clerk, json={}), 200)
    assert rest["status"] == "refunded"
    assert rest["refunded_cents"] == rest["paid_cents"] == 6000
    assert_problem(await client.post(f"/orders/{order['id']}/cancel", headers=clerk, json={}), 409)
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == []

    closed = await ok(
        await client.post(
            f"/till/{till['id']}/close", headers=clerk, json={"counted_cash_cents": 1900}
        ),
        200,
    )
    assert closed["report"] == {
        "float_cents": 5000,
        "by_method": {
            "card_terminal": {
                "payments": 1,
                "taken_cents": 6000,
                "refunded_cents": 3000,
                "net_cents": 3000,
            },
            "cash": {"payments": 0, "taken_cents": 0, "refunded_cents": 3000, "net_cents": -3000},
        },
        "expected_cash_cents": 2000,
        "counted_cash_cents": 1900,
        "difference_cents": -100,
    }
    assert_problem(
        await client.post(
            f"/till/{till['id']}/close", headers=clerk, json={"counted_cash_cents": 1}
        ),
        409,
    )


async def test_one_open_till_per_clerk(
    client: httpx.AsyncClient, tenant: Tenant, db: AsyncSession
) -> None:
    await open_till(client, tenant)
    second = await client.post(
        "/till/open",
        headers=tenant.staff[Role.BOX_OFFICE].headers,
        json={"house_id": str(tenant.house.id), "float_cents": 0},
    )
    assert_problem(second, 409, "house_id")


async def test_the_page_finds_the_clerks_open_till(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    mine = {"house_id": str(tenant.house.id)}
    assert_problem(await client.get("/till/mine", headers=clerk, params=mine), 404)
    till = await open_till(client, tenant, float_cents=5000)
    found = await ok(await client.get("/till/mine", headers=clerk, params=mine), 200)
    assert (found["id"], found["float_cents"]) == (till["id"], 5000)
    assert found["report"]["expected_cash_cents"] == 5000
    # Another house's till is nobody's business here; a bad id names the field.
    assert_problem(
        await client.get(
            "/till/mine", headers=clerk, params={"house_id": str(other_tenant.house.id)}
        ),
        404,
    )
    assert_problem(
        await client.get("/till/mine", headers=clerk, params={"house_id": "nope"}), 400, "house_id"
    )
    await ok(
        await client.post(
            f"/till/{till['id']}/close", headers=clerk, json={"counted_cash_cents": 5000}
        ),
        200,
    )
    assert_problem(await client.get("/till/mine", headers=clerk, params=mine), 404)


async def test_a_taken_order_code_is_skipped_for_sales_and_reservations(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await open_till(client, tenant)
    prefix = tenant.house.order_code_prefix
    taken = f"{prefix}-AAAAA"
    codes = iter([taken, taken, f"{prefix}-BBBBB"])
    monkeypatch.setattr(checkout, "new_code", lambda _prefix: next(codes, taken))
    first = await counter_hold(client, tenant, performance, seats=["STALLS/2/1"])
    sold = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": first["id"], "payment": {"method": "cash"}},
        )
    )
    assert sold["code"] == f"{prefix}-AAAAA"
    # The next sale draws the same code: it is skipped, and the sale keeps its places.
    second = await counter_hold(client, tenant, performance, seats=["STALLS/2/2"])
    again = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": second["id"], "payment": {"method": "cash"}},
        )
    )
    assert again["code"] == f"{prefix}-BBBBB"
    assert again["status"] == "paid"
    assert [t["seat_key"] for t in again["tickets"]] == ["STALLS/2/2"]
    # A reservation draws a taken code, then runs out of draws: a clear 409, nothing kept.
    third = await counter_hold(client, tenant, performance, seats=["STALLS/2/3"])
    until = (clock.now() + timedelta(days=1)).isoformat()
    refused = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={"hold_id": third["id"], "customer": {"name": "Els"}, "reserve_until": until},
    )
    assert_problem(refused, 409)
    basket = await ok(await client.get(f"/box-office/holds/{third['id']}", headers=clerk), 200)
    assert basket["status"] == "active"


async def test_a_repeated_sale_replays_the_first_answer(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    """A sale skips claiming its key first (see core.idempotency): a refused attempt
    stores nothing, so its retry runs; a repeat replays; a key used for another basket
    is refused at commit and changes nothing."""
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(client, tenant, performance, seats=["STALLS/3/1", "STALLS/3/2"])
    body = {"hold_id": hold["id"], "payment": {"method": "cash"}}
    key = {**clerk, "Idempotency-Key": "counter-sale-1"}
    assert_problem(await client.post("/box-office/orders", headers=key, json=body), 409)
    await open_till(client, tenant)
    first = await ok(await client.post("/box-office/orders", headers=key, json=body))
    assert await ok(await client.post("/box-office/orders", headers=key, json=body)) == first

    other = await counter_hold(client, tenant, performance, seats=["STALLS/3/3"])
    reused = await client.post(
        "/box-office/orders", headers=key, json={**body, "hold_id": other["id"]}
    )
    assert_problem(reused, 422, "Idempotency-Key")
    async with sessionmaker() as session:
        orders = (
            await session.exec(
                select(Order).where(col(Order.hold_id).in_([hold["id"], other["id"]]))
            )
        ).all()
        assert [o.code for o in orders] == [first["code"]]
        basket = await session.get(Hold, uuid.UUID(other["id"]))
        assert basket is not None
        assert basket.status == "active"


async def test_a_double_click_makes_one_sale_answered_twice(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    """Both requests run at once: the second waits at the basket's lock, finds it sold and
    replays the first answer (real commits, on a database of the test's own)."""
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    await open_till(client, tenant)
    hold = await counter_hold(client, tenant, performance, seats=["STALLS/1/1"])
    key = {**tenant.staff[Role.BOX_OFFICE].headers, "Idempotency-Key": "double-click"}
    body = {"hold_id": hold["id"], "payment": {"method": "cash"}}
    first, second = await asyncio.gather(
        client.post("/box-office/orders", headers=key, json=body),
        client.post("/box-office/orders", headers=key, json=body),
    )
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT count(*) FROM customer_order WHERE hold_id = %s", (hold["id"],)
        ).fetchone()
    assert row == (1,)


async def test_closing_a_till_waits_for_a_payment_being_taken(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    """A payment at the counter locks its till until it commits; closing the till takes
    the same lock, so the report counts a payment that was being taken at that moment."""
    client, tenant, database = committing
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    till = await open_till(client, tenant, 0)
    hold = await counter_hold(client, tenant, performance, seats=["STALLS/1/1"])
    sold = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "payment": {"method": "cash"}},
        )
    )
    price = sold["paid_cents"]
    with psycopg.connect(database) as other:
        # Another sale at this till, still open: its lock on the till and its payment.
        other.execute("SELECT id FROM till_session WHERE id = %s FOR UPDATE", (till["id"],))
        other.execute(
            "INSERT INTO payment SELECT (jsonb_populate_record(NULL::payment,"
            " to_jsonb(p) || jsonb_build_object('id', gen_random_uuid()))).*"
            " FROM payment p WHERE till_session_id = %s",
            (till["id"],),
        )
        # ...and its ledger entry, which the till's report reads.
        columns = ", ".join(ENTRY_COLUMNS)
        other.execute(
            f"INSERT INTO ledger_entry ({columns}) SELECT {columns} FROM ledger_entry"
            " WHERE till_session_id = %s AND kind = 'payment'",
            (till["id"],),
        )
        closing = asyncio.create_task(
            client.post(
                f"/till/{till['id']}/close", headers=clerk, json={"counted_cash_cents": 2 * price}
            )
        )
        await asyncio.sleep(0.5)
        assert not closing.done()
        other.commit()
    closed = await ok(await closing, 200)
    assert closed["report"]["by_method"]["cash"]["payments"] == 2
    assert closed["report"]["expected_cash_cents"] == 2 * price
    assert closed["report"]["difference_cents"] == 0


async def test_a_staff_only_tariff_is_given_only_by_the_performances_own_house(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, performance: dict[str, Any]
) -> None:
    """A free ticket for staff is the playing house's to give: a neighbour's counter resells
    the performance at its public tariffs, and its sale at the staff tariff is refused."""
    await add_tariff(client, tenant, performance["event_id"], STAFF_TARIFF)
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    await open_till(client, neighbour)
    clerk = neighbour.staff[Role.BOX_OFFICE].headers
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(neighbour.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/1/1"],
            },
        )
    )
    [item] = hold["items"]
    free = [{"item_id": item["id"], "tariff": "PERS"}]
    until = (clock.now() + timedelta(days=1)).isoformat()
    for how in ({"payment": {"method": "cash"}}, {"reserve_until": until}):
        refused = await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "lines": free, **how},
        )
        body = assert_problem(refused, 422)
        [error] = body["errors"]
        assert error["field"] == "lines[0].tariff"
        assert "only its own box office" in error["message"]
    # Nothing was sold or kept: the basket still waits, no order, no money in the till.
    basket = await ok(await client.get(f"/box-office/holds/{hold['id']}", headers=clerk), 200)
    assert basket["status"] == "active"
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == []
    mine = {"house_id": str(neighbour.house.id)}
    assert await ok(await client.get("/orders", headers=clerk, params=mine), 200) == []
    till = await ok(await client.get("/till/mine", headers=clerk, params=mine), 200)
    assert till["report"]["by_method"] == {}
    # At a public tariff the neighbour sells it, for the playing house.
    sold = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "lines": [{"item_id": item["id"], "tariff": "U26"}],
                "payment": {"method": "cash"},
            },
        )
    )
    assert [(t["tariff_code"], t["house_id"]) for t in sold["tickets"]] == [
        ("U26", str(tenant.house.id))
    ]
    # The playing house's own counter gives it.
    await open_till(client, tenant)
    own = await counter_hold(client, tenant, performance, seats=["STALLS/1/2"])
    [own_item] = own["items"]
    given = await ok(
        await client.post(
            "/box-office/orders",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={
                "hold_id": own["id"],
                "lines": [{"item_id": own_item["id"], "tariff": "PERS"}],
                "payment": {"method": "cash"},
            },
        )
    )
    assert [(t["tariff_code"], t["price_cents"]) for t in given["tickets"]] == [("PERS", 0)]


async def test_a_clerk_of_both_houses_gives_staff_tariffs_only_at_the_playing_houses_counter(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, performance: dict[str, Any]
) -> None:
    await add_tariff(client, tenant, performance["event_id"], STAFF_TARIFF)
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    both = await make_user(
        db,
        roles=[
            (Role.BOX_OFFICE, tenant.cluster, tenant.house),
            (Role.BOX_OFFICE, tenant.cluster, neighbour.house),
        ],
    )
    await db.commit()
    await ok(
        await client.post(
            "/till/open",
            headers=both.headers,
            json={"house_id": str(neighbour.house.id), "float_cents": 0},
        )
    )
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=both.headers,
            json={
                "house_id": str(neighbour.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/1/3"],
            },
        )
    )
    [item] = hold["items"]
    refused = await client.post(
        "/box-office/orders",
        headers=both.headers,
        json={
            "hold_id": hold["id"],
            "lines": [{"item_id": item["id"], "tariff": "PERS"}],
            "payment": {"method": "cash"},
        },
    )
    assert assert_problem(refused, 422, "lines[0].tariff")["errors"][0]["field"] == (
        "lines[0].tariff"
    )
