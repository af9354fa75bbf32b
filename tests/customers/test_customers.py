"""The cluster's customers: kept by checkout with the consent given, found at the box
office of the cluster's houses only as the consent allows, one per e-mail address even
when two checkouts of a new address run at once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
import psycopg
from inventory_setup import MIXED_SPEC, put_on_sale
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from support import Tenant, assert_problem, make_tenant, make_user
from world import ok

from ticketing.core import clock
from ticketing.customers.models import Customer
from ticketing.orders.models import Order, OrderEvent
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


async def open_till(client: httpx.AsyncClient, tenant: Tenant) -> None:
    await ok(
        await client.post(
            "/till/open",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(tenant.house.id), "float_cents": 0},
        )
    )


async def counter_sale(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    seat: str,
    customer: dict[str, Any] | None,
) -> dict[str, Any]:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": [seat],
            },
        )
    )
    body: dict[str, Any] = {"hold_id": hold["id"], "payment": {"method": "cash"}}
    if customer is not None:
        body["customer"] = customer
    return await ok(await client.post("/box-office/orders", headers=clerk, json=body))


async def customers_of(db: AsyncSession, tenant: Tenant) -> list[Customer]:
    stmt = select(Customer).where(Customer.cluster_id == tenant.cluster.id)
    return list((await db.exec(stmt.execution_options(populate_existing=True))).all())


async def order_row(db: AsyncSession, order_id: str) -> Order:
    order = await db.get(Order, uuid.UUID(order_id), populate_existing=True)
    assert order is not None
    return order


# --- checkout keeps the customer -----------------------------------------------------------


async def test_online_checkout_keeps_the_buyer_with_the_consent_given(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    before = clock.now()
    order = await shop_order(
        client,
        performance,
        "STALLS/1/1",
        {
            "name": "An Janssens",
            "email": "An.Janssens@Example.test",
            "phone": "+32 475 12 34 56",
            "language": "fr",
            "share_in_cluster": True,
            "newsletter": True,
        },
    )
    [customer] = await customers_of(db, tenant)
    assert customer.email == "an.janssens@example.test"
    assert (customer.name, customer.phone, customer.language) == (
        "An Janssens",
        "+32 475 12 34 56",
        "fr",
    )
    assert customer.first_house_id == tenant.house.id
    assert customer.share_in_cluster
    assert customer.newsletter
    assert customer.share_in_cluster_at is not None
    assert customer.share_in_cluster_at >= before
    assert customer.newsletter_at == customer.share_in_cluster_at
    assert customer.created_at.tzinfo is not None
    assert (await order_row(db, order["id"])).customer_id == customer.id
    # The order's history says what was chosen with it.
    created = (
        await db.exec(
            select(OrderEvent).where(
                OrderEvent.order_id == uuid.UUID(order["id"]), OrderEvent.kind == "created"
            )
        )
    ).one()
    assert created.data["share_in_cluster"] is True
    assert created.data["newsletter"] is True


async def test_consent_is_optional_and_a_buyer_without_e_mail_is_no_customer(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
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
    [customer] = await customers_of(db, tenant)
    # Online, both questions were asked: two answers "no", dated.
    assert not customer.share_in_cluster
    assert not customer.newsletter
    assert customer.share_in_cluster_at is not None
    assert customer.newsletter_at is not None
    assert (await order_row(db, order["id"])).customer_id == customer.id


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
    [customer] = await customers_of(db, tenant)
    assert customer.newsletter
    assert customer.newsletter_at is not None
    # Not asked at the counter: no choice recorded.
    assert not customer.share_in_cluster
    assert customer.share_in_cluster_at is None
    assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_one_customer_per_address_with_the_latest_details(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], db: AsyncSession
) -> None:
    first = await shop_order(
        client,
        performance,
        "STALLS/1/1",
        {
            "name": "Lien Maes",
            "email": "lien@example.test",
            "phone": "0475 11 22 33",
            "share_in_cluster": True,
            "newsletter": True,
        },
    )
    [customer] = await customers_of(db, tenant)
    said_yes_at = customer.share_in_cluster_at
    # At the counter, unticked boxes mean "not asked": the online yes stays.
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
    assert customer.newsletter
    assert customer.share_in_cluster_at == said_yes_at
    assert customer.phone == "0475 11 22 33"  # no phone given: the known one stays
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
            "newsletter": True,
        },
    )
    [customer] = await customers_of(db, tenant)
    assert customer.name == "Lien Maes-Claes"
    assert (customer.phone, customer.language) == ("+32 475 99 88 77", "en")
    assert not customer.share_in_cluster
    assert customer.share_in_cluster_at is not None
    assert said_yes_at is not None
    assert customer.share_in_cluster_at > said_yes_at
    assert customer.newsletter
    assert customer.first_house_id == tenant.house.id
    for order in (first, counter, second):
        assert (await order_row(db, order["id"])).customer_id == customer.id


async def test_another_house_of_the_cluster_shares_the_customer_record(
    client: httpx.AsyncClient, tenant: Tenant, db: AsyncSession
) -> None:
    """A buyer at a second house of the cluster is the same customer (first house kept);
    in another cluster the same address is another customer."""
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    stranger = await make_tenant(db)
    here = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    there = await put_on_sale(client, neighbour, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    elsewhere = await put_on_sale(client, stranger, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    buyer = {"name": "Sara", "email": "sara@example.test"}
    await shop_order(client, here, "STALLS/1/1", buyer)
    await shop_order(client, there, "STALLS/1/1", buyer)
    await shop_order(client, elsewhere, "STALLS/1/1", buyer)
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
    assert_problem(await client.patch(f"/customers/{row.id}", headers=clerk, json={}), 400)
    assert_problem(
        await client.patch(f"/customers/{row.id}", headers=clerk, json={"email": "x@y.be"}), 400
    )
    subscribed = await ok(
        await client.patch(f"/customers/{row.id}", headers=clerk, json={"newsletter": True}), 200
    )
    assert subscribed["newsletter"] is True
    assert subscribed["newsletter_at"] is not None
    assert subscribed["share_in_cluster"] is True
    withdrawn = await ok(
        await client.patch(f"/customers/{row.id}", headers=clerk, json={"share_in_cluster": False}),
        200,
    )
    assert withdrawn["share_in_cluster"] is False
    assert said_at is not None
    assert datetime.fromisoformat(withdrawn["share_in_cluster_at"]) > said_at
    # Withdrawn: the other houses no longer find the customer; the first house still does.
    assert await find(client, clerk, "nora") == []
    assert_problem(await client.get(f"/customers/{row.id}", headers=clerk), 404)
    assert await find(client, tenant.staff[Role.BOX_OFFICE].headers, "nora") == [
        "nora@example.test"
    ]


# --- one customer whatever the concurrency ----------------------------------------------


async def test_checkouts_of_a_new_address_at_once_make_one_customer(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    holds = [
        await ok(
            await client.post(
                "/public/holds",
                json={"performance_id": performance["id"], "seats": [f"STALLS/1/{n}"]},
            )
        )
        for n in range(1, 7)
    ]
    buyer = {"name": "Tom", "email": "tom@example.test", "share_in_cluster": True}
    answers = await asyncio.gather(
        *(
            client.post("/public/orders", json={"hold_id": h["id"], "customer": buyer})
            for h in holds
        )
    )
    assert [a.status_code for a in answers] == [201] * len(holds), [a.text for a in answers]
    with psycopg.connect(database) as conn:
        customers = conn.execute(
            "SELECT id FROM customer WHERE lower(email) = 'tom@example.test'"
        ).fetchall()
        linked = conn.execute(
            "SELECT DISTINCT customer_id FROM customer_order WHERE id = ANY(%s)",
            ([uuid.UUID(a.json()["id"]) for a in answers],),
        ).fetchall()
    assert len(customers) == 1
    assert linked == customers


async def test_a_checkout_waits_for_a_new_customer_being_stored_and_joins_it(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    """Another checkout of the same new address, not committed yet: ours waits for it at
    the unique index, then updates that customer (no duplicate, no conflict answer)."""
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    hold = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/1/1"]}
        )
    )
    theirs = uuid.uuid4()
    with psycopg.connect(database) as other:
        other.execute(
            "INSERT INTO customer (id, created_at, updated_at, cluster_id, first_house_id, name,"
            " email, language, share_in_cluster, newsletter) VALUES (%s, now(), now(), %s, %s,"
            " 'Eva', 'eva@example.test', 'nl', false, false)",
            (theirs, tenant.cluster.id, tenant.house.id),
        )
        ours = asyncio.create_task(
            client.post(
                "/public/orders",
                json={
                    "hold_id": hold["id"],
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
            "SELECT id, name, newsletter FROM customer WHERE lower(email) = 'eva@example.test'"
        ).fetchall()
        linked = conn.execute(
            "SELECT customer_id FROM customer_order WHERE id = %s", (uuid.UUID(order["id"]),)
        ).fetchone()
    assert rows == [(theirs, "Eva Smet", True)]
    assert linked == (theirs,)
