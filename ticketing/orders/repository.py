from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ticketing import clock
from ticketing.db import raw
from ticketing.db.search import contains
from ticketing.events.models import Event, Performance
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.models import Allocation, AllocationStatus, Hold
from ticketing.inventory.repository import (
    SALE_TARGET_COLUMNS,
    HeldPlace,
    SaleTarget,
    held_place,
    sale_target_of,
)
from ticketing.orders.models import Order, OrderEvent, OrderStatus, Payment, Ticket
from ticketing.tenancy.models import House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope, scope_param
from ticketing.venues.models import Hall, Venue


@dataclass(frozen=True)
class PriceTariff:
    id: uuid.UUID
    code: str
    rule: str
    value: int
    max_per_order: int | None
    staff_only: bool
    requires_check: bool
    vat_rate_bp: int = 600


@dataclass(frozen=True)
class PerformancePricing:
    """A performance's zone prices and its event's tariffs by code, and what the sale
    rules ask of it (read with them: checkout checks them again)."""

    id: uuid.UUID
    sale: SaleTarget
    zone_prices: dict[str, int]
    tariffs: dict[str, PriceTariff]
    # The performance's house books its tickets without VAT.
    vat_exempt: bool = False

    @property
    def starts_at(self) -> datetime:
        return self.sale.starts_at


@dataclass(frozen=True)
class Pricing:
    performances: dict[uuid.UUID, PerformancePricing]
    # Of the selling house.
    order_code_prefix: str
    online_fee_cents: int
    # VAT included in the selling house's fees (0 when it is exempt).
    fee_vat_rate_bp: int = 0


# PriceTariff's fields are columns of tariff (tests/db/test_raw.py checks it).
TARIFF_FIELDS = tuple(f.name for f in fields(PriceTariff))
TARIFF_OBJECT = ", ".join(f"'{name}', t.{name}" for name in TARIFF_FIELDS)


def _tariff(found: dict[str, Any]) -> PriceTariff:
    return PriceTariff(**{**found, "id": uuid.UUID(found["id"])})


# The basket's places, each with its performance's pricing and sale rules, and the
# selling house: what checkout needs, in one round trip. A performance's prices and
# tariffs come with its first place only.
BASKET = f"""
    WITH place AS MATERIALIZED (
        SELECT {inventory_repo.PLACE_COLUMNS} FROM allocation WHERE hold_id = $1
    ), ranked AS (
        SELECT place.*, row_number() OVER (PARTITION BY performance_id) = 1 AS is_first
        FROM place
    )
    SELECT {raw.select_list(inventory_repo.PLACE_FIELDS, "ranked")},
           CASE WHEN is_first THEN
               (SELECT coalesce(jsonb_object_agg(pp.zone_code, pp.amount_cents), '{{}}')
                  FROM performance_price pp WHERE pp.performance_id = p.id) END AS zone_prices,
           CASE WHEN is_first THEN
               (SELECT coalesce(jsonb_agg(jsonb_build_object({TARIFF_OBJECT})), '[]')
                  FROM tariff t WHERE t.event_id = p.event_id) END AS tariffs,
           (SELECT ph.vat_exempt FROM house ph WHERE ph.id = p.house_id) AS vat_exempt,
           h.order_code_prefix, h.online_fee_cents,
           CASE WHEN h.vat_exempt THEN 0 ELSE h.fee_vat_rate_bp END AS fee_vat_rate_bp,
           {SALE_TARGET_COLUMNS}
    FROM ranked JOIN performance p ON p.id = ranked.performance_id
    JOIN event e ON e.id = p.event_id
    CROSS JOIN house h
    WHERE h.id = $2
    ORDER BY ranked.performance_id, ranked.seat_key, ranked.area_code
"""


async def basket(
    session: AsyncSession, hold_id: uuid.UUID, house_id: uuid.UUID
) -> tuple[list[HeldPlace], Pricing | None]:
    """The places of a basket and their pricing when sold by this house (None when the
    basket is empty)."""
    connection = await raw.connection(session)
    rows = await connection.fetch(BASKET, hold_id, house_id)
    if not rows:
        return [], None
    items = []
    performances = {}
    for row in rows:
        item = held_place(row)
        items.append(item)
        sale = sale_target_of(row)
        if row["zone_prices"] is not None and sale is not None:
            pid = item.performance_id
            by_code = {t["code"]: _tariff(t) for t in row["tariffs"]}
            performances[pid] = PerformancePricing(
                pid, sale, row["zone_prices"], by_code, row["vat_exempt"]
            )
    first = rows[0]
    return items, Pricing(
        performances,
        first["order_code_prefix"],
        first["online_fee_cents"],
        first["fee_vat_rate_bp"],
    )


# The performances of an unpaid order's tickets, for the sale rules at payment.
ORDER_SALE_TARGETS = f"""
    SELECT {SALE_TARGET_COLUMNS}
    FROM performance p JOIN event e ON e.id = p.event_id
    WHERE p.id IN (SELECT performance_id FROM ticket WHERE order_id = $1 AND status = 'pending')
    ORDER BY p.starts_at
"""


async def sale_targets_of(session: AsyncSession, order_id: uuid.UUID) -> list[SaleTarget]:
    connection = await raw.connection(session)
    rows = await connection.fetch(ORDER_SALE_TARGETS, order_id)
    return [target for target in map(sale_target_of, rows) if target is not None]


ORDER_COLUMNS = raw.columns(Order)
_ORDER_CONFLICT = "ON CONFLICT (house_id, code) DO NOTHING RETURNING id"
INSERT_ORDER = raw.insert_sql(Order, ORDER_COLUMNS, _ORDER_CONFLICT)


async def insert_order(session: AsyncSession, order: Order) -> bool:
    """Store a new order; False when its code is taken in its house already."""
    connection = await raw.connection(session)
    row = await connection.fetchrow(INSERT_ORDER, *raw.values(order, ORDER_COLUMNS))
    return row is not None


TICKET_COLUMNS = raw.columns(Ticket)
# Every column an array of the tickets' values, in one statement.
INSERT_TICKETS = (
    f"INSERT INTO ticket ({raw.select_list(TICKET_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(raw.array_types(Ticket, TICKET_COLUMNS)))
    + ")"
)


def insert_tickets(session: AsyncSession, tickets: list[Ticket], now: datetime) -> None:
    """Store new tickets (created now) in one statement. Deferred: sent with the request's
    next plain statement or its commit."""
    stamped = {"created_at", "updated_at"}
    raw.defer(
        session,
        INSERT_TICKETS,
        *(
            [now] * len(tickets) if c in stamped else [getattr(t, c) for t in tickets]
            for c in TICKET_COLUMNS
        ),
    )


async def set_tickets_status(session: AsyncSession, tickets: list[Ticket], status: str) -> None:
    connection = await raw.connection(session)
    now = clock.now()
    await connection.execute(
        "UPDATE ticket SET status = $2, updated_at = $3 WHERE id = ANY($1::uuid[])",
        [t.id for t in tickets],
        status,
        now,
    )
    for ticket in tickets:
        raw.mirror(ticket, status=status, updated_at=now)


async def save_order(session: AsyncSession, order: Order, **values: Any) -> None:
    """Change these columns of an order (and its object) in one statement."""
    values["updated_at"] = clock.now()
    names = list(values)
    connection = await raw.connection(session)
    await connection.execute(
        f"UPDATE customer_order SET {', '.join(f'{n} = ${i + 2}' for i, n in enumerate(names))} "
        "WHERE id = $1",
        order.id,
        *values.values(),
    )
    raw.mirror(order, **values)


async def tickets_of(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> list[Ticket]:
    if not order_ids:
        return []
    await raw.send_deferred(session)
    stmt = (
        select(Ticket)
        .where(col(Ticket.order_id).in_(order_ids))
        .order_by(
            col(Ticket.performance_id), col(Ticket.seat_key), col(Ticket.area_code), col(Ticket.id)
        )
    )
    return list((await session.exec(stmt)).all())


async def history(session: AsyncSession, order_id: uuid.UUID) -> list[OrderEvent]:
    await raw.send_deferred(session)
    stmt = (
        select(OrderEvent)
        .where(OrderEvent.order_id == order_id)
        .order_by(col(OrderEvent.at), col(OrderEvent.id))
    )
    return list((await session.exec(stmt)).all())


async def get_order_for_update(session: AsyncSession, order_id: uuid.UUID) -> Order | None:
    stmt = select(Order).where(Order.id == order_id).with_for_update()
    return (await session.exec(stmt)).first()


async def get_staff_order(
    session: AsyncSession, order_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Order | None:
    stmt = scope(select(Order).where(Order.id == order_id), Order, principal)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    house_id: uuid.UUID | None,
    status: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> list[Order]:
    stmt = select(Order).order_by(col(Order.created_at).desc())
    if house_id is not None:
        stmt = stmt.where(Order.house_id == house_id)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if q:
        stmt = stmt.where(
            contains(col(Order.code), q)
            | contains(col(Order.customer_name), q)
            | contains(col(Order.customer_email), q)
        )
    stmt = scope(stmt, Order, principal).limit(limit).offset(offset)
    return list((await session.exec(stmt)).all())


SELL = (
    "UPDATE allocation SET status = 'sold', expires_at = NULL, updated_at = $2"
    " WHERE id = ANY($1::uuid[]) AND status = 'held' RETURNING id"
)


async def sell_allocations(
    session: AsyncSession, allocation_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Turn held places into sold ones; returns the ids that were still there to sell."""
    if not allocation_ids:
        return set()
    connection = await raw.connection(session)
    rows = await connection.fetch(SELL, allocation_ids, clock.now())
    return {r["id"] for r in rows}


SELL_AND_INSERT_ORDER = f"""
    WITH sold AS ({SELL}),
    new_order AS ({raw.insert_sql(Order, ORDER_COLUMNS, _ORDER_CONFLICT, first=3)})
    SELECT array(SELECT id FROM sold) AS sold, EXISTS (SELECT FROM new_order) AS stored
"""


async def sell_and_insert_order(
    session: AsyncSession, allocation_ids: list[uuid.UUID], order: Order
) -> tuple[set[uuid.UUID], bool]:
    """sell_allocations and insert_order in one round trip: the ids still there to sell,
    and whether the order's code was free."""
    connection = await raw.connection(session)
    row = await connection.fetchrow(
        SELL_AND_INSERT_ORDER, allocation_ids, clock.now(), *raw.values(order, ORDER_COLUMNS)
    )
    assert row is not None
    return set(row["sold"]), row["stored"]


async def extend_allocations(
    session: AsyncSession, allocation_ids: list[uuid.UUID], until: datetime
) -> int:
    result = await session.exec(
        update(Allocation)
        .where(
            col(Allocation.id).in_(allocation_ids), col(Allocation.status) == AllocationStatus.HELD
        )
        .values(expires_at=until)
    )
    return int(result.rowcount or 0)


LOCK_BASKET_AND_TILL = f"""
    WITH basket AS MATERIALIZED ({inventory_repo.GET_HOLD} FOR UPDATE)
    SELECT basket.*,
           (SELECT t.id FROM till_session t
             WHERE t.house_id = basket.house_id AND t.clerk_id = $3 AND t.closed_at IS NULL
               FOR UPDATE) AS till_id
    FROM basket
"""


async def lock_basket_and_till(
    session: AsyncSession, hold_id: uuid.UUID, principal: Principal, clerk_id: uuid.UUID
) -> tuple[Hold | None, uuid.UUID | None]:
    """A basket the principal may see and the clerk's open till in its house, both locked
    (basket first, as everywhere), in one round trip."""
    connection = await raw.connection(session)
    row = await connection.fetchrow(LOCK_BASKET_AND_TILL, hold_id, scope_param(principal), clerk_id)
    if row is None:
        return None, None
    return await inventory_repo.attach_hold(session, row), row["till_id"]


async def open_till(
    session: AsyncSession, house_id: uuid.UUID, clerk_id: uuid.UUID, *, lock: bool
) -> uuid.UUID | None:
    """The clerk's open till in the house, if there is one; with lock, locked so no
    payment slips in while it is being closed."""
    connection = await raw.connection(session)
    till_id: uuid.UUID | None = await connection.fetchval(
        "SELECT id FROM till_session WHERE house_id = $1 AND clerk_id = $2"
        " AND closed_at IS NULL" + (" FOR UPDATE" if lock else ""),
        house_id,
        clerk_id,
    )
    return till_id


PAYMENT_COLUMNS = raw.columns(Payment)
INSERT_PAYMENT = raw.insert_sql(Payment, PAYMENT_COLUMNS)


def insert_payment(session: AsyncSession, payment: Payment) -> None:
    """Deferred: sent with the request's next plain statement or its commit."""
    raw.defer(session, INSERT_PAYMENT, *raw.values(payment, PAYMENT_COLUMNS))


EVENT_COLUMNS = raw.columns(OrderEvent)
INSERT_EVENT = raw.insert_sql(OrderEvent, EVENT_COLUMNS)


def insert_event(
    session: AsyncSession,
    order_id: uuid.UUID,
    at: datetime,
    kind: str,
    actor: str | None,
    data: dict[str, Any],
) -> None:
    """Add to the order's history. Deferred: sent with the request's next plain statement
    or its commit."""
    event = raw.build(OrderEvent, order_id=order_id, at=at, kind=kind, actor=actor, data=data)
    raw.defer(session, INSERT_EVENT, *raw.values(event, EVENT_COLUMNS))


async def payments_of(session: AsyncSession, order_id: uuid.UUID) -> list[Payment]:
    await raw.send_deferred(session)
    stmt = select(Payment).where(Payment.order_id == order_id).order_by(col(Payment.created_at))
    return list((await session.exec(stmt)).all())


async def due_orders(session: AsyncSession, now: datetime, limit: int = 500) -> list[uuid.UUID]:
    stmt = (
        select(Order.id)
        .where(
            col(Order.status).in_([OrderStatus.PENDING, OrderStatus.RESERVED]),
            col(Order.pay_before) <= now,
        )
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())


async def performances_of(
    session: AsyncSession, performance_ids: Sequence[uuid.UUID]
) -> list[tuple[Performance, Event, House, Hall, Venue]]:
    """The performances of an order's tickets with what a buyer's page shows of them
    (read for the buyer's own order, found by its id and secret)."""
    # sqlmodel types select() for at most four entities; at run time it takes any number.
    select_five = cast("Callable[..., Select[Performance, Event, House, Hall, Venue]]", select)
    stmt = (
        select_five(Performance, Event, House, Hall, Venue)
        .join(Event, col(Event.id) == Performance.event_id)
        .join(House, col(House.id) == Performance.house_id)
        .join(Hall, col(Hall.id) == Performance.hall_id)
        .join(Venue, col(Venue.id) == Hall.venue_id)
        .where(col(Performance.id).in_(list(performance_ids)))
        .order_by(col(Performance.starts_at))
    )
    return [(p, e, h, hall, v) for p, e, h, hall, v in (await session.exec(stmt)).all()]


PERFORMANCE_DAYS = """
    SELECT id, (starts_at AT TIME ZONE 'Europe/Brussels')::date AS day
    FROM performance WHERE id = ANY($1::uuid[])
"""


async def performance_days(
    session: AsyncSession, performance_ids: list[uuid.UUID]
) -> dict[uuid.UUID, date]:
    """The day in Europe/Brussels of each performance (reports by performance date)."""
    if not performance_ids:
        return {}
    connection = await raw.connection(session)
    rows = await connection.fetch(PERFORMANCE_DAYS, performance_ids)
    return {row["id"]: row["day"] for row in rows}
