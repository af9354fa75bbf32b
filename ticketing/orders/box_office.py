"""The counter: sell now (cash, card terminal, invoice) or reserve until a deadline, pay a
reservation, refund, and the clerk's till from float to count."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from ticketing.db import raw
from ticketing.inventory import holds
from ticketing.inventory.models import Channel, Hold
from ticketing.money import repository as money_repo
from ticketing.money.models import EntryKind
from ticketing.orders import repository as repo
from ticketing.orders.books import book_payment, book_refund, book_sale, book_till
from ticketing.orders.checkout import CheckedOut, checkout, record
from ticketing.orders.lifecycle import (
    announce_paid,
    cancel_tickets,
    has_live_tickets,
    mark_paid,
    require_on_sale,
    select_tickets,
    settle_status,
)
from ticketing.orders.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    TillSession,
)
from ticketing.orders.refunds import queue_refund
from ticketing.orders.schemas import BoxOfficeOrderIn, CancelIn, PaymentIn, TillCloseIn, TillOpenIn
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE, SELLERS
from ticketing.tenancy.scoping import authorize, get_house, get_scoped

NO_TILL = "Open your till first (POST /till/open), then take the payment."


def actor(principal: Principal) -> str:
    return principal.email or f"api-token:{principal.api_token_id}"


async def clerk_till(session: AsyncSession, principal: Principal, house_id: uuid.UUID) -> uuid.UUID:
    """The id of the clerk's open till in this house (locked until the transaction ends)."""
    if principal.user_id is None:
        raise Forbidden("A till belongs to a person: log in as a clerk to take payments.")
    till_id = await repo.open_till(session, house_id, principal.user_id, lock=True)
    if till_id is None:
        raise Conflict(NO_TILL)
    return till_id


async def _counter_payment(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    payment: PaymentIn,
    amount: int,
    till_id: uuid.UUID,
) -> None:
    now = clock.now()
    taken = raw.build(
        Payment,
        id=uuid.uuid4(),
        created_at=now,
        updated_at=now,
        house_id=order.house_id,
        cluster_id=order.cluster_id,
        order_id=order.id,
        method=payment.method,
        status=PaymentStatus.SUCCEEDED,
        amount_cents=amount,
        till_session_id=till_id,
        reference=payment.reference,
        created_by_id=principal.user_id,
    )
    repo.insert_payment(session, taken)
    book_payment(session, order, taken)
    record(session, order, "payment", actor(principal), method=payment.method, amount_cents=amount)


async def take_counter_payment(
    session: AsyncSession, principal: Principal, order: Order, payment: PaymentIn, amount: int
) -> uuid.UUID:
    """Money taken at the counter goes into the clerk's open till (its id is returned)."""
    till_id = await clerk_till(session, principal, order.house_id)
    await _counter_payment(session, principal, order, payment, amount, till_id)
    await repo.save_order(session, order, paid_cents=order.paid_cents + amount)
    return till_id


async def _take_payment(
    session: AsyncSession, principal: Principal, order: Order, payment: PaymentIn
) -> None:
    due = order.total_cents - order.paid_cents
    till_id = None
    if due > 0:
        till_id = await take_counter_payment(session, principal, order, payment, due)
    paid = await mark_paid(
        session,
        order,
        actor=actor(principal),
        method=payment.method if due > 0 else None,
        clerk_id=principal.user_id,
        till_id=till_id,
    )
    if not paid:
        raise Conflict("Some places of this order are no longer available.")


async def _basket_and_till(
    session: AsyncSession, principal: Principal, hold_id: uuid.UUID
) -> tuple[Hold, uuid.UUID]:
    """The basket and the clerk's open till, both locked (one round trip for a clerk)."""
    if principal.user_id is None:
        hold = await holds.box_office_hold(session, principal, hold_id, lock=True)
        return hold, await clerk_till(session, principal, hold.house_id)
    found, till_id = await repo.lock_basket_and_till(session, hold_id, principal, principal.user_id)
    hold = holds.staff_basket(principal, found)
    if till_id is None:
        raise Conflict(NO_TILL)
    return hold, till_id


def check_reserve_until(now: datetime, until: datetime, first_start: datetime) -> None:
    """A reservation's deadline lies after now and no later than its first performance's
    start."""
    if not now < until <= first_start:
        raise InvalidInput.field(
            "reserve_until", "The deadline must lie between now and the start of the performance."
        )


def check_reservation_payable(order: Order, now: datetime) -> None:
    """Only a reservation is paid at the counter, and only before its deadline."""
    if order.status != OrderStatus.RESERVED:
        raise Conflict(f"This order is {order.status}; only a reservation can be paid here.")
    if order.pay_before is not None and order.pay_before <= now:
        raise Conflict("The reservation has expired; its places went back on sale.")


async def sell(session: AsyncSession, principal: Principal, data: BoxOfficeOrderIn) -> CheckedOut:
    """Sell or reserve a box-office basket. The basket is locked first and its places
    read after, so a change made while we waited for the lock is seen."""
    who = actor(principal)
    if data.payment is not None:
        # Before anything is written: a clerk without an open till cannot sell.
        hold, till_id = await _basket_and_till(session, principal, data.hold_id)
    else:
        hold = await holds.box_office_hold(session, principal, data.hold_id, lock=True)
    done = await checkout(
        session,
        hold,
        data,
        channel=Channel.BOX_OFFICE,
        actor=who,
        created_by_id=principal.user_id,
        seller=principal,
        paid=data.payment is not None,
        by_phone=data.by_phone,
    )
    if data.payment is not None:
        if done.order.paid_cents:
            await _counter_payment(
                session, principal, done.order, data.payment, done.order.paid_cents, till_id
            )
        await book_sale(
            session,
            done.order,
            done.tickets,
            method=data.payment.method if done.order.paid_cents else None,
            clerk_id=principal.user_id,
            till_id=till_id,
            days=done.days,
        )
        await announce_paid(session, done.order, who)
        return done
    assert data.reserve_until is not None
    check_reserve_until(clock.now(), data.reserve_until, done.first_start)
    await repo.extend_allocations(
        session,
        sorted({t.allocation_id for t in done.tickets if t.allocation_id}),
        data.reserve_until,
    )
    await repo.save_order(
        session, done.order, status=OrderStatus.RESERVED, pay_before=data.reserve_until
    )
    record(session, done.order, "reserved", who, until=data.reserve_until.isoformat())
    return done


async def staff_order(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, *, lock: bool = False
) -> Order:
    order = await repo.get_staff_order(session, order_id, principal, lock=lock)
    if order is None:
        raise NotFound("Order not found.")
    return order


async def pay_reservation(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, payment: PaymentIn
) -> Order:
    order = await staff_order(session, principal, order_id, lock=True)
    authorize(principal, order.house_id, SELLERS)
    check_reservation_payable(order, clock.now())
    # Paying sells the places: only while the counter may still sell them.
    await require_on_sale(session, order, Channel.BOX_OFFICE, clock.now())
    await _take_payment(session, principal, order, payment)
    return order


async def cancel(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, data: CancelIn
) -> Order:
    order = await staff_order(session, principal, order_id, lock=True)
    authorize(principal, order.house_id, SELLERS)
    tickets = select_tickets(await repo.tickets_of(session, [order.id]), data.ticket_ids)
    owed = await cancel_tickets(
        session,
        order,
        tickets,
        actor=actor(principal),
        reason=data.reason,
        clerk_id=principal.user_id,
    )
    if owed:
        await refund(
            session,
            principal,
            order,
            owed,
            data.refund_method,
            [t.id for t in tickets],
            data.reason,
        )
    return order


async def refund(
    session: AsyncSession,
    principal: Principal,
    order: Order,
    amount: int,
    method: str,
    ticket_ids: list[uuid.UUID],
    reason: str | None,
) -> None:
    """Money back, never more than what was paid and not yet refunded."""
    amount = min(amount, order.paid_cents - order.refunded_cents)
    if amount <= 0:
        return
    payments = [
        p for p in await repo.payments_of(session, order.id) if p.status == PaymentStatus.SUCCEEDED
    ]
    if method == "original":
        if not payments:
            raise Conflict("This order has no payment to refund.")
        method = payments[-1].method
    if method == PaymentMethod.ONLINE:
        online = [p for p in payments if p.method == PaymentMethod.ONLINE]
        if not online:
            raise Conflict("This order was not paid online.")
        await queue_refund(
            session, order, online[-1], amount, ticket_ids, reason, created_by_id=principal.user_id
        )
        return
    if order.split_by_transfers:
        # Each house got its share by a Stripe transfer: money given back at the counter
        # would take none of it back. Back to the card, which reverses the transfers.
        raise InvalidInput.field(
            "refund_method",
            "This order was paid online and split between the houses: refund it to the card.",
        )
    till_id = await clerk_till(session, principal, order.house_id)
    given = Refund(
        house_id=order.house_id,
        cluster_id=order.cluster_id,
        order_id=order.id,
        payment_id=payments[-1].id if payments else None,
        method=method,
        status=RefundStatus.SUCCEEDED,
        amount_cents=amount,
        reason=reason,
        ticket_ids=[str(t) for t in ticket_ids],
        till_session_id=till_id,
        created_by_id=principal.user_id,
    )
    session.add(given)
    book_refund(session, order, given)
    order.refunded_cents += amount
    settle_status(order, await has_live_tickets(session, order))
    session.add(order)
    record(session, order, "refund", actor(principal), method=method, amount_cents=amount)
    await session.flush()


# --- till ----------------------------------------------------------------------------------


async def open_till(session: AsyncSession, principal: Principal, data: TillOpenIn) -> TillSession:
    house = await get_house(session, data.house_id, principal)
    authorize(principal, house.id, SELLERS)
    if principal.user_id is None:
        raise Forbidden("A till belongs to a person: log in as a clerk to open one.")
    till = TillSession(
        house_id=house.id,
        cluster_id=house.cluster_id,
        clerk_id=principal.user_id,
        float_cents=data.float_cents,
        # The service's clock, as the close and the ledger's float entry read it.
        opened_at=clock.now(),
    )
    try:
        async with raw.savepoint(session):
            session.add(till)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "You already have an open till in this house: close it first.",
            errors=[FieldError("house_id", "A till is open already.")],
        ) from exc
    book_till(session, till, EntryKind.TILL_FLOAT, till.float_cents)
    return till


async def till_report(session: AsyncSession, till: TillSession) -> dict[str, Any]:
    """What the till took and gave back per method, read from its ledger entries (the
    payments and refunds booked with the till's session), the float and the cash the
    drawer should hold; once counted, the count and its difference."""
    taken: dict[str, int] = defaultdict(int)
    given_back: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    float_cents = 0
    for row in await money_repo.till_totals(session, till.id):
        method, gross = row["payment_method"], int(row["gross_cents"])
        if row["kind"] == EntryKind.PAYMENT:
            taken[method] += gross
            counts[method] += int(row["entries"])
        elif row["kind"] == EntryKind.REFUND:
            given_back[method] -= gross  # a refund's entry is negative
        elif row["kind"] == EntryKind.TILL_FLOAT:
            float_cents += gross
    methods = sorted(set(taken) | set(given_back))
    expected_cash = float_cents + taken["cash"] - given_back["cash"]
    report: dict[str, Any] = {
        "float_cents": float_cents,
        "by_method": {
            m: {
                "payments": counts[m],
                "taken_cents": taken[m],
                "refunded_cents": given_back[m],
                "net_cents": taken[m] - given_back[m],
            }
            for m in methods
        },
        "expected_cash_cents": expected_cash,
    }
    if till.counted_cash_cents is not None:
        report["counted_cash_cents"] = till.counted_cash_cents
        report["difference_cents"] = till.counted_cash_cents - expected_cash
    return report


async def get_till(
    session: AsyncSession, principal: Principal, till_id: uuid.UUID, *, lock: bool = False
) -> TillSession:
    till = await get_scoped(session, TillSession, till_id, principal, what="Till", lock=lock)
    if till.clerk_id != principal.user_id:
        authorize(principal, till.house_id, MANAGE)
    return till


async def my_open_till(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> TillSession:
    """The clerk's open till in this house (the box office page asks for it on start)."""
    house = await get_house(session, house_id, principal)
    authorize(principal, house.id, SELLERS)
    if principal.user_id is None:
        raise Forbidden("A till belongs to a person: log in as a clerk.")
    till_id = await repo.open_till(session, house.id, principal.user_id, lock=False)
    if till_id is None:
        raise NotFound("You have no open till in this house.")
    return await get_till(session, principal, till_id)


async def close_till(
    session: AsyncSession, principal: Principal, till_id: uuid.UUID, data: TillCloseIn
) -> TillSession:
    # Locked as every payment at the counter locks it: a payment being taken right now is
    # in the report (we wait for it), and none is taken on this till after it.
    till = await get_till(session, principal, till_id, lock=True)
    if till.closed_at is not None:
        raise Conflict("This till is closed already.")
    till.counted_cash_cents = data.counted_cash_cents
    till.closed_at = clock.now()
    till.report = await till_report(session, till)
    book_till(session, till, EntryKind.TILL_DIFFERENCE, till.report["difference_cents"])
    session.add(till)
    await session.flush()
    return till
