"""Random order lifecycles through the HTTP API, the ledger checked after every step.

Two houses of one cluster each put a performance on sale. Hypothesis draws steps: the
counter of house A sells places of A's and of B's performance (cash, card terminal, a
reservation paid later, by phone), buyers pay online through localstripe (house A asks a
fee per ticket online), tickets are cancelled one by one or all at once with their
money given back (cash, or the original way: Stripe), and tickets are exchanged for a
place of either house's performance, dearer or cheaper. After each step:

- per order, the ledger's payments and refunds add up to the succeeded payments minus
  the succeeded refunds of the payment records;
- per order, its revenue entries (sale, cancel, exchange, fee) add up to the prices of
  its valid tickets, plus its fees while one of them is valid (valid means sold: a
  reserved or unpaid ticket is not, and its order has booked no revenue);
- per performance, the quantities add up to its valid tickets;
- every entry's net and VAT add up to its gross;
- no entry changed: the entries before the step are the first entries after it;
- the daily-sales report of each house for today totals what the ledger holds.

And the ledger refuses UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import put_on_sale
from fixtures.stripe_app import on_localstripe, webhook_receiver
from fixtures.stripe_support import Deliveries, buyer_pays, deliver, run_worker
from fixtures.support import Tenant, app_runtime, make_tenant
from fixtures.world import ok
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.app import create_app
from ticketing.db.engine import SessionMaker
from ticketing.money.ledger import business_date
from ticketing.money.models import MONEY_KINDS, REVENUE_KINDS
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role

SPEC: dict[str, Any] = {
    "name": "Zaal",
    "price_zones": [
        {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
        {"code": "S", "name": "Staanplaats", "color": "#2ca02c"},
    ],
    "blocks": [{"code": "STALLS", "name": "Parterre", "rows": 4, "seats_per_row": 25, "zone": "A"}],
    "standing": [{"code": "FLOOR", "name": "Vloer", "zone": "S", "capacity": 500}],
}
PRICES = {"A": {"A": 3150, "S": 1999}, "B": {"A": 2475, "S": 1333}}
ONLINE_FEE = 175
LIVE = ("valid", "reserved", "pending")


@dataclass
class World:
    houses: dict[str, Tenant]
    performances: dict[str, dict[str, Any]]
    orders: list[dict[str, Any]] = field(default_factory=list)
    seats: dict[str, int] = field(default_factory=dict)

    def clerk(self, house: str) -> dict[str, str]:
        return self.houses[house].staff[Role.BOX_OFFICE].headers

    def house_key(self, house_id: str) -> str:
        return next(k for k, t in self.houses.items() if str(t.house.id) == house_id)

    def place(self, item: dict[str, Any]) -> tuple[str, ...]:
        """A ticket's or held item's order by what it is, not by its random id: what
        Hypothesis draws by index must be the same thing in a replay."""
        perf = next(k for k, p in self.performances.items() if p["id"] == item["performance_id"])
        what = (item.get("seat_key") or "", item.get("area_code") or "")
        return (perf, *what, item.get("tariff_code", ""), str(item.get("price_cents", "")))

    def next_seat(self, perf: str) -> str | None:
        n = self.seats.get(perf, 0)
        if n >= 100:
            return None
        self.seats[perf] = n + 1
        return f"STALLS/{n // 25 + 1}/{n % 25 + 1}"


@dataclass
class Online:
    """The app paid through localstripe, its settings and the webhooks it is sent."""

    client: httpx.AsyncClient
    settings: Settings
    deliveries: Deliveries


@pytest.fixture
async def online(
    settings: Settings, localstripe_url: str, sessionmaker: SessionMaker
) -> AsyncIterator[Online]:
    with (
        webhook_receiver(localstripe_url) as deliveries,
        on_localstripe(settings, localstripe_url) as configured,
        app_runtime(create_app(configured, sessionmaker=sessionmaker)) as app,
    ):
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
            yield Online(client, configured, deliveries)


async def make_world(client: httpx.AsyncClient, db: AsyncSession) -> World:
    """Two houses of a new cluster, a performance of each on sale, each clerk's till open."""
    a = await make_tenant(db)
    b = await make_tenant(db, cluster=a.cluster)
    await db.exec(  # type: ignore[call-overload]
        text("UPDATE house SET online_fee_cents = :fee WHERE id = :id"),
        params={"fee": ONLINE_FEE, "id": a.house.id},
    )
    await db.commit()
    houses = {"A": a, "B": b}
    performances = {k: await put_on_sale(client, houses[k], SPEC, PRICES[k]) for k in houses}
    for tenant in houses.values():
        await ok(
            await client.post(
                "/till/open",
                headers=tenant.staff[Role.BOX_OFFICE].headers,
                json={"house_id": str(tenant.house.id), "float_cents": 5000},
            )
        )
    return World(houses, performances)


# --- the steps ------------------------------------------------------------------------------


async def _hold(
    client: httpx.AsyncClient, world: World, seller: str, perf: str, seats: int, standing: int
) -> dict[str, Any] | None:
    chosen = [s for s in (world.next_seat(perf) for _ in range(seats)) if s]
    if not chosen and not standing:
        return None
    body: dict[str, Any] = {
        "house_id": str(world.houses[seller].house.id),
        "performance_id": world.performances[perf]["id"],
        "seats": chosen,
    }
    if standing:
        body["standing"] = [{"area": "FLOOR", "quantity": standing}]
    return await ok(await client.post("/box-office/holds", headers=world.clerk(seller), json=body))


async def counter_sale(client: httpx.AsyncClient, world: World, data: st.DataObject) -> None:
    perf = data.draw(st.sampled_from(["A", "B"]), label="performance")
    seats = data.draw(st.integers(0, 2), label="seats")
    standing = data.draw(st.integers(0 if seats else 1, 2), label="standing")
    hold = await _hold(client, world, "A", perf, seats, standing)
    if hold is None:
        return
    if data.draw(st.booleans(), label="both houses in the basket"):
        other = "B" if perf == "A" else "A"
        hold = await ok(
            await client.post(
                f"/box-office/holds/{hold['id']}/items",
                headers=world.clerk("A"),
                json={
                    "performance_id": world.performances[other]["id"],
                    "standing": [{"area": "FLOOR", "quantity": 1}],
                },
            )
        )
    lines = [
        {
            "item_id": item["id"],
            "tariff": data.draw(st.sampled_from(["BASE", "U26", "VRIJ"]), label="tariff"),
            "quantity": item["quantity"],
        }
        for item in sorted(hold["items"], key=world.place)
    ]
    body: dict[str, Any] = {"hold_id": hold["id"], "lines": lines}
    how = data.draw(st.sampled_from(["cash", "card_terminal", "reserve", "phone"]), label="how")
    if how == "reserve":
        body["reserve_until"] = (clock.now() + timedelta(hours=3)).isoformat()
    else:
        body["payment"] = {"method": "cash" if how == "phone" else how}
        body["by_phone"] = how == "phone"
    response = await client.post("/box-office/orders", headers=world.clerk("A"), json=body)
    if response.status_code == 422 and "VRIJ" in response.text:
        return  # a free ticket's own limits (per order): not what is tested here
    world.orders.append(await ok(response))


async def pay_reservation(client: httpx.AsyncClient, world: World, data: st.DataObject) -> None:
    reserved = [o for o in world.orders if o["status"] == "reserved"]
    if not reserved:
        return
    order = data.draw(st.sampled_from(reserved), label="reservation")
    method = data.draw(st.sampled_from(["cash", "card_terminal"]), label="method")
    paid = await ok(
        await client.post(
            f"/orders/{order['id']}/payments",
            headers=world.clerk(world.house_key(order["house_id"])),
            json={"method": method},
        ),
        200,
    )
    assert paid["status"] == "paid"


async def online_sale(
    client: httpx.AsyncClient,
    world: World,
    data: st.DataObject,
    settings: Settings,
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    perf = data.draw(st.sampled_from(["A", "B"]), label="performance")
    quantity = data.draw(st.integers(1, 3), label="quantity")
    hold = await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": world.performances[perf]["id"],
                "standing": [{"area": "FLOOR", "quantity": quantity}],
            },
        )
    )
    if data.draw(st.booleans(), label="both houses in the basket"):
        other = "B" if perf == "A" else "A"
        added = await client.post(
            f"/public/holds/{hold['id']}/items",
            json={
                "performance_id": world.performances[other]["id"],
                "standing": [{"area": "FLOOR", "quantity": 1}],
            },
        )
        assert added.status_code == 201, added.text
    order = await ok(
        await client.post(
            "/public/orders",
            json={"hold_id": hold["id"], "customer": {"name": "Lotte", "email": "l@example.test"}},
        )
    )
    world.orders.append(order)
    start = await ok(
        await client.post(
            f"/public/orders/{order['id']}/payment", params={"secret": order["secret"]}
        ),
        200,
    )
    assert (
        await asyncio.to_thread(buyer_pays, settings.stripe.api_base, start["payment_intent_id"])
        == "succeeded"
    )
    body, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    assert (await deliver(client, body, signature)).status_code == 200
    await run_worker(sessionmaker)


def _live(world: World, order: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((t for t in order["tickets"] if t["status"] in LIVE), key=world.place)


async def cancel(client: httpx.AsyncClient, world: World, data: st.DataObject) -> None:
    candidates = [o for o in world.orders if _live(world, o) and o["status"] != "pending"]
    if not candidates:
        return
    order = data.draw(st.sampled_from(candidates), label="order")
    live = _live(world, order)
    chosen = data.draw(
        st.one_of(
            st.none(), st.lists(st.sampled_from(live), min_size=1, unique_by=lambda t: t["id"])
        ),
        label="tickets",
    )
    body: dict[str, Any] = {
        "refund_method": data.draw(st.sampled_from(["original", "cash"]), label="refund_method")
    }
    if chosen is not None:
        body["ticket_ids"] = [t["id"] for t in chosen]
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=world.clerk(world.house_key(order["house_id"])),
            json=body,
        ),
        200,
    )


async def exchange(client: httpx.AsyncClient, world: World, data: st.DataObject) -> None:
    candidates = [
        o
        for o in world.orders
        if o["status"] in ("paid", "partly_refunded")
        and any(t["status"] == "valid" for t in o["tickets"])
    ]
    if not candidates:
        return
    order = data.draw(st.sampled_from(candidates), label="order")
    old = data.draw(
        st.sampled_from([t for t in _live(world, order) if t["status"] == "valid"]),
        label="ticket",
    )
    seller = world.house_key(order["house_id"])
    perf = data.draw(st.sampled_from(["A", "B"]), label="new performance")
    seat = data.draw(st.booleans(), label="seat")
    hold = await _hold(client, world, seller, perf, int(seat), 0 if seat else 1)
    if hold is None:
        return
    tariff = data.draw(st.sampled_from(["BASE", "U26"]), label="new tariff")
    await ok(
        await client.post(
            f"/orders/{order['id']}/exchange",
            headers=world.clerk(seller),
            json={
                "ticket_id": old["id"],
                "hold_id": hold["id"],
                "tariff": tariff,
                "payment": {"method": data.draw(st.sampled_from(["cash", "card_terminal"]))},
                "refund_method": data.draw(st.sampled_from(["original", "cash"])),
            },
        ),
        200,
    )


# --- the checks -----------------------------------------------------------------------------


async def _rows(session: AsyncSession, sql: str, **params: Any) -> list[dict[str, Any]]:
    result = await session.exec(text(sql), params=params)  # type: ignore[call-overload]
    return [dict(row) for row in result.mappings().all()]


async def check(
    client: httpx.AsyncClient,
    world: World,
    sessionmaker: SessionMaker,
    before: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    cluster_id = world.houses["A"].cluster.id
    async with sessionmaker() as session:
        entries = await _rows(
            session, "SELECT * FROM ledger_entry WHERE cluster_id = :c ORDER BY id", c=cluster_id
        )
        tickets = await _rows(
            session,
            "SELECT t.order_id, t.performance_id, t.price_cents, t.status, o.fees_cents,"
            " o.status AS order_status"
            " FROM ticket t JOIN customer_order o ON o.id = t.order_id"
            " WHERE o.cluster_id = :c",
            c=cluster_id,
        )
        money = await _rows(
            session,
            "SELECT order_id, sum(amount_cents) AS cents FROM ("
            "  SELECT order_id, amount_cents FROM payment"
            "   WHERE cluster_id = :c AND status = 'succeeded'"
            "  UNION ALL"
            "  SELECT order_id, -amount_cents FROM refund"
            "   WHERE cluster_id = :c AND status = 'succeeded') m GROUP BY order_id",
            c=cluster_id,
        )
    # Nothing changed: the entries before the step are the first entries now.
    assert entries[: len(before)] == before
    for entry in entries:
        assert entry["net_cents"] + entry["vat_cents"] == entry["gross_cents"], entry
        assert entry["business_date"] == business_date(entry["at"])

    def total(kinds: frozenset[str] | tuple[str, ...], key: str, by: str) -> dict[Any, int]:
        sums: dict[Any, int] = {}
        for entry in entries:
            if entry["kind"] in kinds and entry[by] is not None:
                sums[entry[by]] = sums.get(entry[by], 0) + entry[key]
        return sums

    # Per order: the ledger's money is what the payment records say went through.
    ledger_money = total(MONEY_KINDS, "gross_cents", "order_id")
    records = {m["order_id"]: int(m["cents"]) for m in money}
    for order_id in set(ledger_money) | set(records):
        assert ledger_money.get(order_id, 0) == records.get(order_id, 0), order_id

    # Per order: revenue is its valid tickets, and its fees while one of them is valid.
    revenue = total(REVENUE_KINDS, "gross_cents", "order_id")
    expected: dict[Any, int] = {}
    fees: dict[Any, int] = {}
    for ticket in tickets:
        if ticket["status"] == "valid":
            expected[ticket["order_id"]] = (
                expected.get(ticket["order_id"], 0) + ticket["price_cents"]
            )
            fees[ticket["order_id"]] = ticket["fees_cents"]
    for order_id, cents in fees.items():
        expected[order_id] += cents
    for order_id in set(revenue) | set(expected):
        assert revenue.get(order_id, 0) == expected.get(order_id, 0), order_id
    # And they balance: the money an order keeps is its revenue (its refunds went
    # through, the worker ran), unless it was paid too late and waits for its refund.
    waiting = {t["order_id"] for t in tickets if t["order_status"] == "refund_due"}
    for order_id in (set(revenue) | set(records)) - waiting:
        assert revenue.get(order_id, 0) == records.get(order_id, 0), order_id

    # Per performance: the quantities count its valid tickets.
    quantities = total(REVENUE_KINDS, "quantity", "performance_id")
    valid: dict[Any, int] = {}
    for ticket in tickets:
        if ticket["status"] == "valid":
            valid[ticket["performance_id"]] = valid.get(ticket["performance_id"], 0) + 1
    for performance_id in set(quantities) | set(valid):
        assert quantities.get(performance_id, 0) == valid.get(performance_id, 0)

    # Every report total is the ledger's sum (reports read the ledger only).
    today = business_date(clock.now()).isoformat()
    for tenant in world.houses.values():
        report = await ok(
            await client.get(
                f"/houses/{tenant.house.id}/reports/daily-sales",
                headers=tenant.staff[Role.FINANCE].headers,
                params={"from": today, "to": today},
            ),
            200,
        )
        mine = [
            e
            for e in entries
            if e["kind"] in REVENUE_KINDS
            and e["owner_house_id"] == tenant.house.id
            and e["business_date"].isoformat() == today
        ]
        assert report["totals"]["tickets"] == sum(e["quantity"] for e in mine)
        assert report["totals"]["gross_cents"] == sum(e["gross_cents"] for e in mine)
        assert report["totals"]["vat_cents"] == sum(e["vat_cents"] for e in mine)
        assert report["totals"]["net_cents"] == sum(e["net_cents"] for e in mine)
    return entries


async def refresh(client: httpx.AsyncClient, world: World) -> None:
    """The orders as the staff API shows them now, a page per house."""
    fresh: dict[str, dict[str, Any]] = {}
    for key, tenant in world.houses.items():
        page: Any = await ok(
            await client.get(
                "/orders",
                headers=world.clerk(key),
                params={"house_id": str(tenant.house.id), "limit": 200},
            ),
            200,
        )
        fresh.update({o["id"]: o for o in page})
    world.orders = [fresh[o["id"]] for o in world.orders]


STEPS = [
    "counter_sale",
    "counter_sale",
    "pay_reservation",
    "online",
    "cancel",
    "cancel",
    "exchange",
]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_lifecycles_keep_the_ledger_true(
    online: Online,
    db: AsyncSession,
    sessionmaker: SessionMaker,
    data: st.DataObject,
) -> None:
    """Each example in a world of its own (its data drawn from nothing outside it)."""
    client, stripe_settings, deliveries = online.client, online.settings, online.deliveries
    world = await make_world(client, db)
    entries = await check(client, world, sessionmaker, [])
    for _ in range(data.draw(st.integers(1, 5), label="steps")):
        step = data.draw(st.sampled_from(STEPS), label="step")
        if step == "counter_sale":
            await counter_sale(client, world, data)
        elif step == "pay_reservation":
            await pay_reservation(client, world, data)
        elif step == "online":
            await online_sale(client, world, data, stripe_settings, deliveries, sessionmaker)
        elif step == "cancel":
            await cancel(client, world, data)
        else:
            await exchange(client, world, data)
        await run_worker(sessionmaker)
        await refresh(client, world)
        entries = await check(client, world, sessionmaker, entries)


async def test_the_ledger_refuses_update_delete_and_truncate(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    """Whoever asks, the trigger refuses: each statement in a savepoint of its own."""
    world = await make_world(client, db)
    hold = await _hold(client, world, "A", "A", 1, 1)
    assert hold is not None
    await ok(
        await client.post(
            "/box-office/orders",
            headers=world.clerk("A"),
            json={"hold_id": hold["id"], "payment": {"method": "cash"}},
        )
    )
    cluster = {"c": world.houses["A"].cluster.id}
    count = "SELECT count(*) FROM ledger_entry WHERE cluster_id = :c"
    booked = (await _rows(db, count.replace("count(*)", "count(*) AS n"), **cluster))[0]["n"]
    assert booked == 5  # two sales, one payment, the two tills' floats
    for statement in (
        "UPDATE ledger_entry SET gross_cents = gross_cents + 1 WHERE cluster_id = :c",
        "DELETE FROM ledger_entry WHERE cluster_id = :c",
        "TRUNCATE ledger_entry",
    ):
        with pytest.raises(DBAPIError, match="never changed or deleted"):
            async with db.begin_nested():
                await db.exec(text(statement), params=cluster)  # type: ignore[call-overload]
    after = (await _rows(db, count.replace("count(*)", "count(*) AS n"), **cluster))[0]["n"]
    assert after == booked
