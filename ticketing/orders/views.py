"""Orders as the API shows them: to staff, and to the buyer behind the link."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.inventory.layouts import layout_index
from ticketing.money.vat import summary, vat_of
from ticketing.orders import repository as repo
from ticketing.orders.lifecycle import LIVE_TICKETS
from ticketing.orders.models import Order, Ticket
from ticketing.orders.schemas import (
    BuyerOrderOut,
    OrderOut,
    OrderPerformance,
    TicketOut,
    VatLine,
)

Shown = TypeVar("Shown", bound=OrderOut)


async def order_out(
    session: AsyncSession,
    order: Order,
    tickets: list[Ticket] | None = None,
    *,
    shape: type[Shown] = OrderOut,  # type: ignore[assignment]
    **extra: object,
) -> Shown:
    """The order as answered (in shape, with the extra fields it has beyond OrderOut);
    pass its tickets when they are at hand."""
    if tickets is None:
        tickets = await repo.tickets_of(session, [order.id])
    return shape(
        **{k: getattr(order, k) for k in OrderOut.model_fields if k not in ("tickets", "vat")},
        tickets=[ticket_out(t) for t in tickets],
        vat=vat_lines(order, tickets),
        **extra,
    )


def ticket_out(ticket: Ticket) -> TicketOut:
    fields = {k: getattr(ticket, k) for k in TicketOut.model_fields if k != "vat_cents"}
    return TicketOut(**fields, vat_cents=vat_of(ticket.price_cents, ticket.vat_rate_bp))


def vat_lines(order: Order, tickets: list[Ticket]) -> list[VatLine]:
    """The order's VAT per rate: its live tickets, and its fees while one of them is."""
    lines = [(t.price_cents, t.vat_rate_bp) for t in tickets if t.status in LIVE_TICKETS]
    if lines and order.fees_cents:
        lines.append((order.fees_cents, order.fees_vat_rate_bp))
    return [
        VatLine(rate_bp=rate, gross_cents=gross, vat_cents=vat, net_cents=gross - vat)
        for rate, gross, vat in summary(lines)
    ]


async def orders_out(session: AsyncSession, orders: list[Order]) -> list[OrderOut]:
    """A page of orders as answered, their tickets read in one query."""
    tickets: dict[uuid.UUID, list[Ticket]] = {order.id: [] for order in orders}
    for ticket in await repo.tickets_of(session, list(tickets)):
        tickets[ticket.order_id].append(ticket)
    return [await order_out(session, order, tickets[order.id]) for order in orders]


async def buyer_order_out(session: AsyncSession, order: Order) -> BuyerOrderOut:
    """The buyer's view of the order: the order, and its performances as a page shows
    them (title, date, place, and the names of sections and standing areas)."""
    tickets = await repo.tickets_of(session, [order.id])
    performances = []
    for performance, event, house, hall, venue in await repo.performances_of(
        session, sorted({t.performance_id for t in tickets})
    ):
        index = await layout_index(session, performance.layout_id)
        performances.append(
            OrderPerformance(
                id=performance.id,
                title=event.title,
                starts_at=performance.starts_at,
                house_name=house.name,
                venue_name=venue.name,
                city=venue.city,
                hall_name=hall.name,
                sections={s.code: s.name for s in index.doc.sections},
                areas={a.code: a.name for a in index.doc.standing_areas},
            )
        )
    return await order_out(session, order, tickets, shape=BuyerOrderOut, performances=performances)
