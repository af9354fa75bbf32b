"""Exchanging a ticket for another place: the old place goes back on sale, the new one is
sold in the same order, and the difference is paid at the counter or refunded."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, InvalidInput
from ticketing.inventory import holds
from ticketing.inventory.models import Channel, HoldStatus
from ticketing.inventory.service import check_sellable, require_open
from ticketing.money.models import EntryKind
from ticketing.orders import repository as repo
from ticketing.orders.books import book_reversal, book_sale, paid_method
from ticketing.orders.box_office import actor, refund, staff_order, take_counter_payment
from ticketing.orders.checkout import price_lines, record, ticket_for
from ticketing.orders.lifecycle import release_tickets
from ticketing.orders.models import Order, OrderStatus, TicketStatus
from ticketing.orders.schemas import ExchangeIn, LineIn
from ticketing.orders.signals import TicketsValid, tickets_valid
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import SELLERS
from ticketing.tenancy.scoping import authorize


async def exchange(
    session: AsyncSession, principal: Principal, order_id: uuid.UUID, data: ExchangeIn
) -> Order:
    order = await staff_order(session, principal, order_id, lock=True)
    authorize(principal, order.house_id, SELLERS)
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTLY_REFUNDED):
        raise Conflict(f"This order is {order.status}; only paid tickets can be exchanged.")
    if order.split_by_transfers:
        # Its houses were paid by Stripe transfers; an exchange would move money between
        # them that no transfer carries.
        raise Conflict(
            "This order was paid online and split between the houses: cancel the ticket "
            "(refunded to the card) and sell the new place in a new order."
        )
    old = next(
        (t for t in await repo.tickets_of(session, [order.id]) if t.id == data.ticket_id), None
    )
    if old is None or old.status != TicketStatus.VALID:
        raise InvalidInput.field("ticket_id", "This ticket is not a valid ticket of the order.")
    hold = await holds.box_office_hold(session, principal, data.hold_id, lock=True)
    await require_open(session, hold)
    items, pricing = await repo.basket(session, hold.id, order.house_id)
    if pricing is None or len(items) != 1 or items[0].quantity != 1:
        raise InvalidInput.field("hold_id", "Hold exactly one place to exchange a ticket for.")
    # The new place is sold at the counter now: under the sale rules of this moment.
    check_sellable(
        pricing.performances[items[0].performance_id].sale,
        Channel.BOX_OFFICE,
        clock.now(),
        held=True,
    )
    [line] = price_lines(
        items,
        [LineIn(item_id=items[0].id, tariff=data.tariff or old.tariff_code)],
        Channel.BOX_OFFICE,
        pricing,
        principal,
        hold.house_id,
    )
    difference = line.price_cents - old.price_cents
    if difference > 0 and data.payment is None:
        raise InvalidInput.field(
            "payment", f"The new place costs {difference / 100:.2f} euro more: take a payment."
        )
    sold = await repo.sell_allocations(session, [line.item.id])
    if sold != {line.item.id}:
        raise Conflict("The new place is no longer held; hold it again.")
    await book_reversal(
        session, order, [old], fees_back=False, clerk_id=principal.user_id, kind=EntryKind.EXCHANGE
    )
    await release_tickets(session, [old])
    old.status = TicketStatus.EXCHANGED
    session.add(old)
    new = ticket_for(line, order.id, TicketStatus.VALID)
    session.add(new)
    hold.status = HoldStatus.ORDERED
    session.add(hold)
    order.tickets_cents += difference
    order.total_cents += difference
    await session.flush()
    record(
        session,
        order,
        "exchanged",
        actor(principal),
        old_ticket=str(old.id),
        new_ticket=str(new.id),
        old_place=old.seat_key or old.area_code,
        new_place=new.seat_key or new.area_code,
        difference_cents=difference,
    )
    till_id = None
    if difference > 0:
        assert data.payment is not None
        till_id = await take_counter_payment(session, principal, order, data.payment, difference)
    # The new ticket, sold by the payment of its difference (else as the order was paid).
    await book_sale(
        session,
        order,
        [new],
        method=data.payment.method
        if data.payment is not None and difference > 0
        else await paid_method(session, order),
        clerk_id=principal.user_id,
        till_id=till_id,
        with_fees=False,
        kind=EntryKind.EXCHANGE,
    )
    session.add(order)
    await session.flush()
    if difference < 0:
        await refund(
            session, principal, order, -difference, data.refund_method, [old.id], "exchange"
        )
    await tickets_valid.send(session, TicketsValid(order))
    return order
