"""What happens to an order after checkout: paid, expired, cancelled (in whole or per
ticket) with refunds never above what was paid."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, FieldError, InvalidInput, NotFound
from ticketing.core.security import sha256_hex
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.service import SaleClosed, check_sellable
from ticketing.orders import repository as repo
from ticketing.orders.books import book_reversal, book_sale
from ticketing.orders.buyers import remember_buyer
from ticketing.orders.checkout import record
from ticketing.orders.models import Order, OrderStatus, Ticket, TicketStatus
from ticketing.orders.signals import TicketsValid, tickets_valid

OPEN = (OrderStatus.PENDING, OrderStatus.RESERVED)
LIVE_TICKETS = (TicketStatus.PENDING, TicketStatus.VALID)


async def buyers_order(
    session: AsyncSession, order_id: uuid.UUID, secret: str, *, lock: bool = False
) -> Order:
    """The order behind a buyer's link: its id and its secret (no login). Locked when
    asked (paying: two clicks on "pay" queue on its row)."""
    if lock:
        order = await repo.get_order_for_update(session, order_id)
    else:
        order = await session.get(Order, order_id)
    if order is None or not secrets.compare_digest(order.secret_hash, sha256_hex(secret)):
        raise NotFound("Order not found.")
    return order


async def release_tickets(session: AsyncSession, tickets: list[Ticket]) -> None:
    """Give the places of these tickets back: a seat's allocation goes; a standing
    allocation shrinks by the number of tickets (and goes at zero)."""
    per_allocation = Counter(t.allocation_id for t in tickets if t.allocation_id is not None)
    for allocation_id, count in per_allocation.items():
        await inventory_repo.give_back(session, allocation_id, count)
    for ticket in tickets:
        ticket.allocation_id = None
        session.add(ticket)
    await session.flush()


async def mark_paid(
    session: AsyncSession,
    order: Order,
    *,
    actor: str | None,
    tickets: list[Ticket] | None = None,
    method: str | None = None,
    clerk_id: uuid.UUID | None = None,
    till_id: uuid.UUID | None = None,
    days: dict[uuid.UUID, date] | None = None,
) -> bool:
    """Sell the order's places, keep its buyer as the cluster's customer and queue the
    tickets. False when some places were lost (the basket expired and someone else
    bought them): then no ticket is valid, the places still held go back on sale and the
    order waits for its refund (and its buyer is no customer by it). The sale is booked
    in the ledger (method: how it was paid; None for a free order)."""
    if tickets is None:
        tickets = await repo.tickets_of(session, [order.id])
    tickets = [t for t in tickets if t.status == TicketStatus.PENDING]
    wanted = sorted({t.allocation_id for t in tickets if t.allocation_id is not None})
    missing = any(t.allocation_id is None for t in tickets)
    sold = await repo.sell_allocations(session, wanted)
    if missing or sold != set(wanted):
        lost = len(set(wanted) - sold) + int(missing)
        await lose_places(session, order, tickets, actor, "places_lost", lost=lost)
        return False
    await repo.set_tickets_status(session, tickets, TicketStatus.VALID)
    await book_sale(
        session, order, tickets, method=method, clerk_id=clerk_id, till_id=till_id, days=days
    )
    await repo.save_order(session, order, status=OrderStatus.PAID, pay_before=None)
    await remember_buyer(session, order)
    await announce_paid(session, order, actor)
    return True


async def lose_places(
    session: AsyncSession,
    order: Order,
    tickets: list[Ticket],
    actor: str | None,
    kind: str,
    **data: object,
) -> None:
    """An unpaid order that can no longer be sold (why: kind and data, in its history):
    no ticket is valid, the places still held go back on sale and the order waits for
    the refund of what was paid."""
    await release_tickets(session, tickets)
    for ticket in tickets:
        ticket.status = TicketStatus.CANCELLED
    order.status = OrderStatus.REFUND_DUE
    order.needs_attention = True
    order.pay_before = None
    session.add(order)
    record(session, order, kind, actor, **data)
    await session.flush()


async def sale_refusal(
    session: AsyncSession, order: Order, channel: str, at: datetime
) -> SaleClosed | None:
    """Why the unpaid tickets of this order cannot be sold now (None: they can), by the
    sale rules that held when the places were taken: its performances still on sale,
    their sales window for channel open at the moment at."""
    for target in await repo.sale_targets_of(session, order.id):
        try:
            check_sellable(target, channel, at, held=True)
        except SaleClosed as refusal:
            return refusal
    return None


async def require_on_sale(session: AsyncSession, order: Order, channel: str, at: datetime) -> None:
    refusal = await sale_refusal(session, order, channel, at)
    if refusal is not None:
        raise refusal


async def announce_paid(session: AsyncSession, order: Order, actor: str | None) -> None:
    """An order just became paid: its history says so and its tickets are queued."""
    record(session, order, "paid", actor, paid_cents=order.paid_cents)
    await tickets_valid.send(session, TicketsValid(order))


def is_due(order: Order, now: datetime) -> bool:
    """An unpaid order (pending or reserved) whose time to pay is up at the moment now."""
    return order.status in OPEN and order.pay_before is not None and order.pay_before <= now


async def expire(session: AsyncSession, order: Order) -> bool:
    """An unpaid order whose time is up: its places go back on sale."""
    if not is_due(order, clock.now()):
        return False
    tickets = await repo.tickets_of(session, [order.id])
    await release_tickets(session, [t for t in tickets if t.status == TicketStatus.PENDING])
    for ticket in tickets:
        ticket.status = TicketStatus.CANCELLED
        session.add(ticket)
    order.status = OrderStatus.EXPIRED
    session.add(order)
    record(session, order, "expired", "system")
    await session.flush()
    return True


async def expire_due(session: AsyncSession) -> int:
    expired = 0
    for order_id in await repo.due_orders(session, clock.now()):
        order = await repo.get_order_for_update(session, order_id)
        if order is not None and await expire(session, order):
            expired += 1
    return expired


def select_tickets(tickets: list[Ticket], ticket_ids: list[uuid.UUID] | None) -> list[Ticket]:
    if ticket_ids is None:
        live = [t for t in tickets if t.status in LIVE_TICKETS]
        if not live:
            raise Conflict("There is nothing left to cancel in this order.")
        return live
    by_id = {t.id: t for t in tickets}
    errors = []
    chosen = []
    for i, ticket_id in enumerate(ticket_ids):
        ticket = by_id.get(ticket_id)
        if ticket is None:
            errors.append(FieldError(f"ticket_ids[{i}]", "This ticket is not in the order."))
        elif ticket.status not in LIVE_TICKETS:
            errors.append(
                FieldError(f"ticket_ids[{i}]", f"This ticket is {ticket.status} already.")
            )
        else:
            chosen.append(ticket)
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    if not chosen:
        raise Conflict("There is nothing left to cancel in this order.")
    return chosen


async def cancel_tickets(
    session: AsyncSession,
    order: Order,
    tickets: list[Ticket],
    *,
    actor: str | None,
    reason: str | None,
    clerk_id: uuid.UUID | None = None,
) -> int:
    """Cancel tickets and give their places back; returns the amount owed back (cents),
    which the caller refunds. The order's fees go back only when the whole order goes.
    The sold ones (valid) are reversed in the ledger, the fees with the last ticket."""
    all_tickets = await repo.tickets_of(session, [order.id])
    live_after = any(t.status in LIVE_TICKETS and t not in tickets for t in all_tickets)
    statuses, owed, cancelled = cancellation(order, tickets, live_after=live_after)
    sold = [t for t in tickets if t.status == TicketStatus.VALID]
    if sold:
        await book_reversal(
            session, order, sold, fees_back=not live_after and _paid(order), clerk_id=clerk_id
        )
    await release_tickets(session, tickets)
    for ticket, status in zip(tickets, statuses, strict=True):
        ticket.status = status
        session.add(ticket)
    if cancelled:
        order.status = OrderStatus.CANCELLED
        order.pay_before = None
    session.add(order)
    record(
        session,
        order,
        "tickets_cancelled",
        actor,
        tickets=[str(t.id) for t in tickets],
        reason=reason,
        owed_cents=owed,
    )
    await session.flush()
    return owed


def cancellation(
    order: Order, tickets: list[Ticket], *, live_after: bool
) -> tuple[list[str], int, bool]:
    """What cancelling these tickets of the order does (live_after: some other ticket of
    it stays live): each ticket's new status, the amount owed back (cents, never more than
    was paid and not refunded yet) and whether the order itself ends cancelled. A paid
    ticket is refunded, a free or unpaid one cancelled; the fees go back only with the
    last ticket."""
    paid = order.status in (OrderStatus.PAID, OrderStatus.PARTLY_REFUNDED)
    statuses: list[str] = [
        TicketStatus.REFUNDED if paid and ticket.price_cents else TicketStatus.CANCELLED
        for ticket in tickets
    ]
    owed = sum(t.price_cents for t in tickets) if paid else 0
    if paid and not live_after:
        owed += order.fees_cents
    owed = min(owed, order.paid_cents - order.refunded_cents)
    return statuses, owed, not live_after and (not paid or owed == 0)


def _paid(order: Order) -> bool:
    return order.status in (OrderStatus.PAID, OrderStatus.PARTLY_REFUNDED)


def settle_status(order: Order, has_live_tickets: bool) -> None:
    """The order's status after money went back."""
    if order.status in (OrderStatus.PAID, OrderStatus.PARTLY_REFUNDED, OrderStatus.REFUND_DUE):
        if order.refunded_cents >= order.paid_cents:
            order.status = OrderStatus.REFUNDED
            order.needs_attention = False
        elif order.refunded_cents > 0 and has_live_tickets:
            order.status = OrderStatus.PARTLY_REFUNDED


async def has_live_tickets(session: AsyncSession, order: Order) -> bool:
    return any(t.status in LIVE_TICKETS for t in await repo.tickets_of(session, [order.id]))
