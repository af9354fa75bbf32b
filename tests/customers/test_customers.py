"""The cluster's customers: written when an order is paid (never by an order that only
waits for its payment), with the consent given, the newsletter answer per house; found at
the box office of the cluster's houses only as the consent allows; one per e-mail address
even when two payments for a new address run at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any, cast

import httpx
import psycopg
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem, make_tenant, make_user
from fixtures.world import ok
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.customers.models import Customer, CustomerNewsletter
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.db.uow import unit_of_work
from ticketing.orders.models import Order, OrderEvent, Payment, PaymentMethod, PaymentStatus
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import Intent, StripeGateway
from ticketing.tenancy.roles import Role


async def shop_order(
    client: httpx.AsyncClient, performance: dict[str, Any], seat: str, customer: dict[str, Any]
) -> dict[str, Any]:
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": [seat]}
        )
    )
    return await ok(
        await client.post("/public/orders", json={"hold_id": hold["id"], "customer": customer})
    )


class SucceededGateway:
    """Stripe, asked by the worker about a PaymentIntent: it succeeded (tests/payments
    runs the same path against localstripe)."""

    async def get_intent(self, intent_id: str, *, account: str | None) -> Intent:
        return Intent(intent_id, "succeeded", 0, 0, None, {})


async def stage_payment(sessionmaker: SessionMaker, order: dict[str, Any]) -> uuid.UUID:
    """The buyer paid: the order's PaymentIntent and Stripe's webhook in the inbox."""
    intent_id = f"pi_{uuid.uuid4().hex}"
    async with unit_of_work(sessionmaker) as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        assert row is not None
        session.add(
            Payment(
                house_id=row.house_id,
                cluster_id=row.cluster_id,
                order_id=row.id,
                method=PaymentMethod.ONLINE,
                status=PaymentStatus.PENDING,
                amount_cents=row.total_cents,
                stripe_payment_intent_id=intent_id,
            )
        )
        event = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": "payment_intent.succeeded",
            "data": {"object": {"object": "payment_intent", "id": intent_id}},
        }
        event_id = await stripe_flow.store_event(session, event)
    assert event_id is not None
    return event_id


async def pay_online(sessionmaker: SessionMaker, order: dict[str, Any]) -> None:
    """What the worker does with the webhook of a payment that succeeded."""
    event_id = await stage_payment(sessionmaker, order)
    gateway = cast(StripeGateway, SucceededGateway())
    assert await stripe_flow.process_event(sessionmaker, event_id, lambda: gateway)


async def open_till(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await ok(
        await client.post(
            "/till/open",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(tenant.house.id), "float_cents": 0},
        )
    )


async def counter_hold(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], seat: str
) -> dict[str, Any]:
    return await ok(
        await client.post(
            "/box-office/holds",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": [seat],
            },
        )
    )


async def counter_sale(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    seat: str,
    customer: dict[str, Any] | None,
) -> dict[str, Any]:
    hold = await counter_hold(client, tenant, performance, seat)
    body: dict[str, Any] = {"hold_id": hold["id"], "payment": {"method": "cash"}}
    if customer is not None:
        body["customer"] = customer
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    return await ok(await client.post("/box-office/orders", headers=clerk, json=body))


async def customers_of(db: AsyncSession, tenant: Tenant) -> list[Customer]:
    stmt = select(Customer).where(Customer.cluster_id == tenant.cluster.id)
    return list((await db.exec(stmt.execution_options(populate_existing=True))).all())


async def newsletter_of(db: AsyncSession, customer: Customer) -> dict[uuid.UUID, bool]:
    """The customer's newsletter answers, per house."""
    stmt = select(CustomerNewsletter).where(CustomerNewsletter.customer_id == customer.id)
    rows = (await db.exec(stmt.execution_options(populate_existing=True))).all()
    return {row.house_id: row.subscribed for row in rows}


async def order_row(db: AsyncSession, order_id: str) -> Order:
    order = await db.get(Order, uuid.UUID(order_id), populate_existing=True)
    assert order is not None
    return order


async def created_event(db: AsyncSession, order_id: str) -> OrderEvent:
    stmt = select(OrderEvent).where(
        OrderEvent.order_id == uuid.UUID(order_id), OrderEvent.kind == "created"
    )
    return (await db.exec(stmt)).one()


# --- the customer is written when the order is paid -------------------------------------


async def test_an_unpaid_online_order_writes_no_customer_and_paying_it_does(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    buyer = {
        "name": "An Janssens",
        "email": "An.Janssens@Example.test",
        "phone": "+32 475 12 34 56",
        "language": "fr",
        "share_in_cluster": True,
        "newsletter": True,
    }
    order = await shop_order(client, performance, "STALLS/1/1", buyer)
    # A stranger may type anyone's address: until the money comes, nobody is written.
    assert await customers_of(db, tenant) == []
    row = await order_row(db, order["id"])
    assert row.customer_id is None
    # The choices wait on the order, and its history says what was chosen with it.
    assert (row.share_in_cluster, row.newsletter) == (True, True)
    created = await created_event(db, order["id"])
    assert created.data["share_in_cluster"] is True
    assert created.data["newsletter"] is True

    await pay_online(sessionmaker, order)
    assert (await order_row(db, order["id"])).status == "paid"
    [customer] = await customers_of(db, tenant)
    assert customer.email == "an.janssens@example.test"
    assert (customer.name, customer.phone, customer.language) == (
        "An Janssens",
        "+32 475 12 34 56",
        "fr",
    )
    assert customer.first_house_id == tenant.house.id
    assert customer.share_in_cluster
    # Dated when given: with the order.
    assert customer.share_in_cluster_at == row.created_at
    assert customer.created_at.tzinfo is not None
    assert await newsletter_of(db, customer) == {tenant.house.id: True}
    assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_a_free_online_order_writes_no_customer(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    """Nothing paid, nothing shows the address is the buyer's: a free ticket online must
    not let anyone write an address's details or consent."""
    await ok(
        await client.post(
            f"/events/{performance['event_id']}/tariffs",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={
                "code": "GRATIS",
                "name": {"nl": "Gratis"},
                "kind": "reduced",
                "rule": "free",
            },
        )
    )
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/2/1"]}
        )
    )
    [item] = hold["items"]
    buyer = {"name": "Iemand Anders", "email": "victim@example.test", "share_in_cluster": True}
    order = await ok(
        await client.post(
            "/public/orders",
            json={
                "hold_id": hold["id"],
                "customer": buyer,
                "lines": [{"item_id": item["id"], "tariff": "GRATIS"}],
            },
        )
    )
    assert (order["status"], order["total_cents"]) == ("paid", 0)
    assert await customers_of(db, tenant) == []


async def test_an_order_that_ends_unpaid_leaves_no_trace_on_the_customer(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    """The victim bought once; a stranger orders with their address, another name and
    both boxes ticked, and never pays."""
    victim = {"name": "Vera Victim", "email": "vera@example.test", "language": "nl"}
    await pay_online(sessionmaker, await shop_order(client, performance, "STALLS/1/1", victim))
    stranger = victim | {
        "name": "Someone Else",
        "phone": "+32 470 99 99 99",
        "language": "en",
        "share_in_cluster": True,
        "newsletter": True,
    }
    await shop_order(client, performance, "STALLS/1/2", stranger)
    [customer] = await customers_of(db, tenant)
    assert (customer.name, customer.phone, customer.language) == ("Vera Victim", None, "nl")
    assert not customer.share_in_cluster
    assert await newsletter_of(db, customer) == {tenant.house.id: False}
    # Not findable by a neighbour's counter.
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    assert await find(client, neighbour.staff[Role.BOX_OFFICE].headers, "vera") == []


async def test_consent_is_optional_and_a_buyer_without_e_mail_is_no_customer(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    await open_till(client, tenant)
    await counter_sale(client, tenant, performance, "STALLS/1/1", None)
    await counter_sale(
        client, tenant, performance, "STALLS/1/2", {"name": "Jan", "phone": "+32 470 00 00 00"}
    )
    assert await customers_of(db, tenant) == []
    order = await shop_order(
        client, performance, "STALLS/1/3", {"name": "Piet", "email": "piet@example.test"}
    )
    await pay_online(sessionmaker, order)
    [customer] = await customers_of(db, tenant)
    # Online, both questions were asked: two answers "no", dated.
    assert not customer.share_in_cluster
    assert customer.share_in_cluster_at is not None
    assert await newsletter_of(db, customer) == {tenant.house.id: False}
    assert (await created_event(db, order["id"])).data["newsletter"] is False
    assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_online_the_name_is_needed(
    client: httpx.AsyncClient, performance: dict[str, Any]
) -> None:
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/1/1"]}
        )
    )
    for customer in ({"email": "x@example.test"}, {"name": " ", "email": "x@example.test"}):
        refused = await client.post(
            "/public/orders", json={"hold_id": hold["id"], "customer": customer}
        )
        assert assert_problem(refused, 422)["errors"][0]["field"] == "customer.name"


async def test_box_office_sale_keeps_the_customer_and_records_a_yes(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    await open_till(client, tenant)
    order = await counter_sale(
        client,
        tenant,
        performance,
        "STALLS/2/1",
        {"name": "Mia Peeters", "email": "mia@example.test", "newsletter": True},
    )
    # Paid at once: the customer is written with the sale.
    [customer] = await customers_of(db, tenant)
    assert customer.name == "Mia Peeters"
    assert await newsletter_of(db, customer) == {tenant.house.id: True}
    # Not asked at the counter: no choice recorded, and "not asked" in the history.
    assert not customer.share_in_cluster
    assert customer.share_in_cluster_at is None
    created = await created_event(db, order["id"])
    assert created.data["share_in_cluster"] is None
    assert created.data["newsletter"] is True
    assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_a_reservation_writes_the_customer_when_it_is_paid(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    await open_till(client, tenant)
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await counter_hold(client, tenant, performance, "STALLS/2/2")
    reserved = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {
                    "name": "Rik Reserveert",
                    "email": "rik@example.test",
                    "share_in_cluster": True,
                },
                "reserve_until": performance["starts_at"],
            },
        )
    )
    assert reserved["status"] == "reserved"
    assert await customers_of(db, tenant) == []
    paid = await ok(
        await client.post(
            f"/orders/{reserved['id']}/payments", headers=clerk, json={"method": "cash"}
        ),
        200,
    )
    assert paid["status"] == "paid"
    [customer] = await customers_of(db, tenant)
    assert (customer.name, customer.language) == ("Rik Reserveert", "nl")
    assert customer.share_in_cluster
    assert await newsletter_of(db, customer) == {}
    assert (await order_row(db, reserved["id"])).customer_id == customer.id


async def test_one_customer_per_address_with_the_latest_details(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    first = await shop_order(
        client,
        performance,
        "STALLS/1/1",
        {
            "name": "Lien Maes",
            "email": "lien@example.test",
            "phone": "0475 11 22 33",
            "language": "fr",
            "share_in_cluster": True,
            "newsletter": True,
        },
    )
    await pay_online(sessionmaker, first)
    [customer] = await customers_of(db, tenant)
    said_yes_at = customer.share_in_cluster_at
    # At the counter, unticked boxes mean "not asked": the online yes stays, and what the
    # clerk did not give (phone, language) stays as known.
    await open_till(client, tenant)
    counter = await counter_sale(
        client,
        tenant,
        performance,
        "STALLS/1/2",
        {"name": "Lien Maes", "email": "LIEN@example.test"},
    )
    [customer] = await customers_of(db, tenant)
    assert customer.share_in_cluster
    assert customer.share_in_cluster_at == said_yes_at
    assert await newsletter_of(db, customer) == {tenant.house.id: True}
    assert (customer.phone, customer.language) == ("0475 11 22 33", "fr")
    # Online, the form asks every time: this order's answers replace the earlier ones.
    second = await shop_order(
        client,
        performance,
        "STALLS/1/3",
        {
            "name": "Lien Maes-Claes",
            "email": "lien@example.test",
            "phone": "+32 475 99 88 77",
            "language": "en",
            "share_in_cluster": False,
            "newsletter": False,
        },
    )
    await pay_online(sessionmaker, second)
    [customer] = await customers_of(db, tenant)
    assert customer.name == "Lien Maes-Claes"
    assert (customer.phone, customer.language) == ("+32 475 99 88 77", "en")
    assert not customer.share_in_cluster
    assert customer.share_in_cluster_at is not None
    assert said_yes_at is not None
    assert customer.share_in_cluster_at > said_yes_at
    assert await newsletter_of(db, customer) == {tenant.house.id: False}
    assert customer.first_house_id == tenant.house.id
    for order in (first, counter, second):
        assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_the_counter_placeholder_never_overwrites_a_name(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    await open_till(client, tenant)
    # A first sale with only an address: a customer without a name yet.
    anonymous = await counter_sale(
        client, tenant, performance, "STALLS/1/1", {"email": "noor@example.test"}
    )
    assert anonymous["customer_name"] == "Anoniem"
    [customer] = await customers_of(db, tenant)
    assert (customer.name, customer.language) == ("", "nl")
    await pay_online(
        sessionmaker,
        await shop_order(
            client,
            performance,
            "STALLS/1/2",
            {"name": "Noor Claes", "email": "noor@example.test", "language": "fr"},
        ),
    )
    # The page's placeholder in any of its languages, an empty name, no name at all.
    for seat, name in (
        ("STALLS/1/3", "Anoniem"),
        ("STALLS/1/4", "Anonyme"),
        ("STALLS/1/5", "anonymous"),
        ("STALLS/1/6", ""),
        ("STALLS/1/7", None),
    ):
        buyer: dict[str, Any] = {"email": "NOOR@example.test"}
        if name is not None:
            buyer["name"] = name
        await counter_sale(client, tenant, performance, seat, buyer)
        [customer] = await customers_of(db, tenant)
        assert (customer.name, customer.language) == ("Noor Claes", "fr"), name
    # A name and a phone given at the counter do change them (the language stays).
    await counter_sale(
        client,
        tenant,
        performance,
        "STALLS/1/8",
        {"name": "Noor Claes-Peeters", "email": "noor@example.test", "phone": "0470 12 34 56"},
    )
    [customer] = await customers_of(db, tenant)
    assert (customer.name, customer.phone, customer.language) == (
        "Noor Claes-Peeters",
        "0470 12 34 56",
        "fr",
    )


async def test_a_counter_sale_never_withdraws_a_consent(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    buyer = {"name": "Bart", "email": "bart@example.test"}
    await pay_online(
        sessionmaker,
        await shop_order(
            client,
            performance,
            "STALLS/1/1",
            buyer | {"share_in_cluster": True, "newsletter": True},
        ),
    )
    await open_till(client, tenant)
    for seat, choices in (
        ("STALLS/1/2", {}),
        ("STALLS/1/3", {"share_in_cluster": False, "newsletter": False}),
    ):
        order = await counter_sale(client, tenant, performance, seat, buyer | choices)
        [customer] = await customers_of(db, tenant)
        assert customer.share_in_cluster
        assert await newsletter_of(db, customer) == {tenant.house.id: True}
        created = await created_event(db, order["id"])
        assert created.data["share_in_cluster"] is choices.get("share_in_cluster")
        assert created.data["newsletter"] is choices.get("newsletter")


async def test_newsletter_consent_is_per_house(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    theirs = await put_on_sale(client, neighbour, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    buyer = {"name": "Wim", "email": "wim@example.test"}
    # Yes to the news of house A...
    await pay_online(
        sessionmaker,
        await shop_order(client, performance, "STALLS/1/1", buyer | {"newsletter": True}),
    )
    # ...then, at house B, the box left unticked: a no to B only.
    await pay_online(
        sessionmaker,
        await shop_order(
            client, theirs, "STALLS/1/1", buyer | {"newsletter": False, "share_in_cluster": True}
        ),
    )
    [customer] = await customers_of(db, tenant)
    assert await newsletter_of(db, customer) == {tenant.house.id: True, neighbour.house.id: False}
    # Sharing in the cluster is one answer for the whole cluster.
    assert customer.share_in_cluster
    # A yes at B is no yes for A: A's answer stays as given.
    await pay_online(
        sessionmaker,
        await shop_order(
            client, theirs, "STALLS/1/2", buyer | {"newsletter": True, "share_in_cluster": True}
        ),
    )
    assert await newsletter_of(db, customer) == {tenant.house.id: True, neighbour.house.id: True}
    await pay_online(
        sessionmaker,
        await shop_order(client, performance, "STALLS/1/2", buyer | {"share_in_cluster": True}),
    )
    assert await newsletter_of(db, customer) == {tenant.house.id: False, neighbour.house.id: True}


async def test_an_order_paid_late_does_not_undo_a_choice_stated_since(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    db: AsyncSession,
    sessionmaker: SessionMaker,
) -> None:
    buyer = {"name": "Ilse", "email": "ilse@example.test", "share_in_cluster": True}
    await pay_online(sessionmaker, await shop_order(client, performance, "STALLS/1/1", buyer))
    [customer] = await customers_of(db, tenant)
    late = await shop_order(client, performance, "STALLS/1/2", buyer | {"newsletter": True})
    # While that order waits for its money, the customer withdraws at the counter.
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    withdrawn = {"share_in_cluster": False, "newsletter": False, "house_id": str(tenant.house.id)}
    await ok(await client.patch(f"/customers/{customer.id}", headers=clerk, json=withdrawn), 200)
    await pay_online(sessionmaker, late)
    [customer] = await customers_of(db, tenant)
    assert not customer.share_in_cluster
    assert await newsletter_of(db, customer) == {tenant.house.id: False}
    assert (await order_row(db, late["id"])).customer_id == customer.id


async def test_another_house_of_the_cluster_shares_the_customer_record(
    client: httpx.AsyncClient, tenant: Tenant, db: AsyncSession, sessionmaker: SessionMaker
) -> None:
    """A buyer at a second house of the cluster is the same customer (first house kept);
    in another cluster the same address is another customer."""
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    stranger = await make_tenant(db)
    here = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    there = await put_on_sale(client, neighbour, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    elsewhere = await put_on_sale(client, stranger, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    buyer = {"name": "Sara", "email": "sara@example.test"}
    # An order at the neighbour's, never paid, comes first: it does not make them the
    # customer's first house.
    await shop_order(client, there, "STALLS/1/2", buyer)
    for performance in (here, there, elsewhere):
        await pay_online(sessionmaker, await shop_order(client, performance, "STALLS/1/1", buyer))
    [customer] = await customers_of(db, tenant)
    assert customer.first_house_id == tenant.house.id
    [theirs] = await customers_of(db, stranger)
    assert theirs.id != customer.id
    assert theirs.first_house_id == stranger.house.id


# --- lookup at the box office ----------------------------------------------------------------


def customer(tenant: Tenant, name: str, email: str, *, shared: bool, **extra: Any) -> Customer:
    now = clock.now()
    return Customer(
        cluster_id=tenant.cluster.id,
        first_house_id=tenant.house.id,
        name=name,
        email=email,
        share_in_cluster=shared,
        share_in_cluster_at=now if shared else None,
        **extra,
    )


async def find(client: httpx.AsyncClient, headers: dict[str, str], q: str) -> list[str]:
    found = await ok(await client.get("/customers", headers=headers, params={"q": q}), 200)
    return [c["email"] for c in found]


async def test_lookup_follows_consent_and_the_first_house(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    rows = {
        "shared": customer(tenant, "Vermeulen Shared", "shared@example.test", shared=True),
        "private": customer(tenant, "Vermeulen Private", "private@example.test", shared=False),
        "own": customer(neighbour, "Vermeulen Own", "own@example.test", shared=False),
        "foreign": customer(other_tenant, "Vermeulen Foreign", "foreign@example.test", shared=True),
    }
    db.add_all(rows.values())
    await db.commit()
    clerk = neighbour.staff[Role.BOX_OFFICE].headers
    # Another house's customer who agreed, and one who first bought here (no consent needed).
    assert await find(client, clerk, "vermeulen") == ["own@example.test", "shared@example.test"]
    assert await find(client, neighbour.staff[Role.HOUSE_ADMIN].headers, "VERMEULEN") == [
        "own@example.test",
        "shared@example.test",
    ]
    shared = await ok(await client.get(f"/customers/{rows['shared'].id}", headers=clerk), 200)
    assert shared["first_house_id"] == str(tenant.house.id)
    assert shared["share_in_cluster"] is True
    # Another house's customer who did not agree: not found, by search or by id.
    assert await find(client, clerk, "private@") == []
    assert_problem(await client.get(f"/customers/{rows['private'].id}", headers=clerk), 404)
    assert_problem(
        await client.patch(
            f"/customers/{rows['private'].id}", headers=clerk, json={"newsletter": True}
        ),
        404,
    )
    # Another cluster: nothing, even when shared there.
    assert await find(client, clerk, "foreign") == []
    for response in (
        await client.get(f"/customers/{rows['foreign'].id}", headers=clerk),
        await client.get(
            f"/customers/{rows['own'].id}", headers=other_tenant.staff[Role.CLUSTER_ADMIN].headers
        ),
    ):
        assert_problem(response, 404)
    # The first house sees its own customer without consent; a cluster admin holds every
    # house of the cluster.
    assert await find(client, tenant.staff[Role.BOX_OFFICE].headers, "vermeulen") == [
        "private@example.test",
        "shared@example.test",
    ]
    assert await find(client, tenant.staff[Role.CLUSTER_ADMIN].headers, "vermeulen") == [
        "own@example.test",
        "private@example.test",
        "shared@example.test",
    ]


async def test_lookup_needs_a_selling_role(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    row = customer(tenant, "Dirk", "dirk@example.test", shared=True)
    db.add(row)
    await db.commit()
    for role in (Role.FINANCE, Role.SCANNER):
        headers = tenant.staff[role].headers
        body = assert_problem(
            await client.get("/customers", headers=headers, params={"q": "dirk"}), 403
        )
        assert "looking up customers" in body["detail"]
        # By id, as for anything one may not see: not found.
        assert_problem(await client.get(f"/customers/{row.id}", headers=headers), 404)
    multi = await make_user(
        db,
        roles=[
            (Role.FINANCE, tenant.cluster, tenant.house),
            (Role.BOX_OFFICE, tenant.cluster, tenant.house),
        ],
    )
    await db.commit()
    assert await find(client, multi.headers, "dirk") == ["dirk@example.test"]


async def test_search_by_phone_digits_and_without_wildcards(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    db.add_all(
        [
            customer(tenant, "Els", "els@example.test", shared=False, phone="+32 475 12.34.56"),
            customer(tenant, "Bram_100%", "bram@example.test", shared=False),
        ]
    )
    await db.commit()
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    assert await find(client, clerk, "0475 12 34 56") == ["els@example.test"]
    assert await find(client, clerk, "475/123456") == ["els@example.test"]
    assert await find(client, clerk, "m_1") == ["bram@example.test"]
    assert await find(client, clerk, "%%") == []
    assert await find(client, clerk, "__") == []


async def test_search_limit(client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant) -> None:
    db.add_all(
        customer(tenant, f"Wouters {i:02}", f"w{i}@example.test", shared=False) for i in range(25)
    )
    await db.commit()
    found = await find(client, tenant.staff[Role.BOX_OFFICE].headers, "wouters")
    assert len(found) == 20


async def test_bad_search_is_a_problem_naming_q(client: httpx.AsyncClient, tenant: Tenant) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    missing = assert_problem(await client.get("/customers", headers=clerk), 400)
    assert missing["errors"] == [{"field": "query.q", "message": "This field is required."}]
    for q in ("a", " a  "):
        short = await client.get("/customers", headers=clerk, params={"q": q})
        body = assert_problem(short, 422)
        assert body["errors"][0]["field"] == "q"
        assert "at least 2 characters" in body["detail"]
    long = await client.get("/customers", headers=clerk, params={"q": "x" * 101})
    assert assert_problem(long, 422)["errors"][0]["field"] == "q"


async def test_consent_changed_at_the_counter(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    row = customer(tenant, "Nora", "nora@example.test", shared=True)
    db.add(row)
    await db.commit()
    clerk = neighbour.staff[Role.BOX_OFFICE].headers
    said_at = row.share_in_cluster_at
    url = f"/customers/{row.id}"
    assert_problem(await client.patch(url, headers=clerk, json={}), 400)
    assert_problem(await client.patch(url, headers=clerk, json={"email": "x@y.be"}), 400)
    # The newsletter answer is for a house: the caller's own.
    nameless = assert_problem(
        await client.patch(url, headers=clerk, json={"newsletter": True}), 422
    )
    assert nameless["errors"][0]["field"] == "house_id"
    subscribed = await ok(
        await client.patch(
            url, headers=clerk, json={"newsletter": True, "house_id": str(neighbour.house.id)}
        ),
        200,
    )
    [answer] = subscribed["newsletters"]
    assert (answer["house_id"], answer["subscribed"]) == (str(neighbour.house.id), True)
    assert answer["given_at"] is not None
    assert subscribed["share_in_cluster"] is True
    withdrawn = await ok(
        await client.patch(url, headers=clerk, json={"share_in_cluster": False}), 200
    )
    assert withdrawn["share_in_cluster"] is False
    assert said_at is not None
    assert datetime.fromisoformat(withdrawn["share_in_cluster_at"]) > said_at
    # Withdrawn: the other houses no longer find the customer; the first house still does.
    assert await find(client, clerk, "nora") == []
    assert_problem(await client.get(url, headers=clerk), 404)
    assert await find(client, tenant.staff[Role.BOX_OFFICE].headers, "nora") == [
        "nora@example.test"
    ]


async def test_newsletter_answers_show_and_change_only_for_the_callers_houses(
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    theirs = await put_on_sale(client, neighbour, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    buyer = {"name": "Gert Lookup", "email": "gert@example.test", "share_in_cluster": True}
    await pay_online(
        sessionmaker,
        await shop_order(client, performance, "STALLS/1/1", buyer | {"newsletter": True}),
    )
    await pay_online(sessionmaker, await shop_order(client, theirs, "STALLS/1/1", buyer))
    [row] = await customers_of(db, tenant)

    def answers(found: dict[str, Any]) -> dict[str, bool]:
        return {a["house_id"]: a["subscribed"] for a in found["newsletters"]}

    here, there = str(tenant.house.id), str(neighbour.house.id)
    ours = tenant.staff[Role.BOX_OFFICE].headers
    next_door = neighbour.staff[Role.BOX_OFFICE].headers
    # Each clerk sees the answer given to their own house, by search and by id; the
    # cluster admin holds every house.
    for headers, expected in (
        (ours, {here: True}),
        (next_door, {there: False}),
        (tenant.staff[Role.CLUSTER_ADMIN].headers, {here: True, there: False}),
    ):
        [found] = await ok(
            await client.get("/customers", headers=headers, params={"q": "gert"}), 200
        )
        assert answers(found) == expected
        assert answers(
            await ok(await client.get(f"/customers/{row.id}", headers=headers), 200)
        ) == (expected)
    # A clerk changes their own house's answer only: another house is not found.
    url = f"/customers/{row.id}"
    for house_id in (here, str(other_tenant.house.id), str(uuid.uuid4())):
        refused = await client.patch(
            url, headers=next_door, json={"newsletter": True, "house_id": house_id}
        )
        assert "house_id" in assert_problem(refused, 404)["detail"]
    changed = await ok(
        await client.patch(url, headers=next_door, json={"newsletter": True, "house_id": there}),
        200,
    )
    assert answers(changed) == {there: True}
    assert await newsletter_of(db, row) == {tenant.house.id: True, neighbour.house.id: True}
    # A clerk holding roles in two houses sees both.
    both = await make_user(
        db,
        roles=[
            (Role.BOX_OFFICE, tenant.cluster, tenant.house),
            (Role.BOX_OFFICE, tenant.cluster, neighbour.house),
        ],
    )
    await db.commit()
    assert answers(await ok(await client.get(url, headers=both.headers), 200)) == {
        here: True,
        there: True,
    }


# --- one customer whatever the concurrency ----------------------------------------------


async def test_payments_for_a_new_address_at_once_make_one_customer(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    buyer = {"name": "Tom", "email": "tom@example.test", "share_in_cluster": True}
    orders = [
        await shop_order(client, performance, f"STALLS/1/{n}", buyer | {"newsletter": n % 2 == 0})
        for n in range(1, 7)
    ]
    engine = create_engine(database, pool_size=len(orders))
    try:
        sessionmaker = create_sessionmaker(engine)
        events = [await stage_payment(sessionmaker, order) for order in orders]
        gateway = cast(StripeGateway, SucceededGateway())
        handled = await asyncio.gather(
            *(stripe_flow.process_event(sessionmaker, e, lambda: gateway) for e in events)
        )
    finally:
        await engine.dispose()
    assert handled == [True] * len(orders)
    with psycopg.connect(database) as conn:
        customers = conn.execute(
            "SELECT id FROM customer WHERE lower(email) = 'tom@example.test'"
        ).fetchall()
        linked = conn.execute(
            "SELECT DISTINCT customer_id FROM customer_order WHERE id = ANY(%s)",
            ([uuid.UUID(o["id"]) for o in orders],),
        ).fetchall()
        answers = conn.execute("SELECT count(*) FROM customer_newsletter").fetchone()
    assert len(customers) == 1
    assert linked == customers
    assert answers == (1,)


async def test_a_payment_waits_for_a_new_customer_being_stored_and_joins_it(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    """Another payment for the same new address, not committed yet: ours (a sale at the
    counter) waits for it at the unique index, then updates that customer (no duplicate,
    no conflict answer)."""
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    await open_till(client, tenant)
    hold = await counter_hold(client, tenant, performance, "STALLS/1/1")
    theirs = uuid.uuid4()
    with psycopg.connect(database) as other:
        other.execute(
            "INSERT INTO customer (id, created_at, updated_at, cluster_id, first_house_id, name,"
            " email, language, share_in_cluster) VALUES (%s, now(), now(), %s, %s,"
            " 'Eva', 'eva@example.test', 'nl', false)",
            (theirs, tenant.cluster.id, tenant.house.id),
        )
        ours = asyncio.create_task(
            client.post(
                "/box-office/orders",
                headers=tenant.staff[Role.BOX_OFFICE].headers,
                json={
                    "hold_id": hold["id"],
                    "payment": {"method": "cash"},
                    "customer": {
                        "name": "Eva Smet",
                        "email": "EVA@example.test",
                        "newsletter": True,
                    },
                },
            )
        )
        await asyncio.sleep(0.5)
        assert not ours.done()
        other.commit()
    order = await ok(await ours)
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT id, name FROM customer WHERE lower(email) = 'eva@example.test'"
        ).fetchall()
        linked = conn.execute(
            "SELECT customer_id FROM customer_order WHERE id = %s", (uuid.UUID(order["id"]),)
        ).fetchone()
        answers = conn.execute(
            "SELECT house_id, subscribed FROM customer_newsletter WHERE customer_id = %s",
            (theirs,),
        ).fetchall()
    assert rows == [(theirs, "Eva Smet")]
    assert linked == (theirs,)
    assert answers == [(tenant.house.id, True)]
