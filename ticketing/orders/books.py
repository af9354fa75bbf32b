"""What an order's changes book in the ledger (ticketing/money): a sale per ticket and
the fees when it is paid, their reversal when tickets go back or are exchanged, the
money taken and given back, and the till's float and count. Every entry is written in
the transaction of the change."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.inventory.models import Channel
from ticketing.money import ledger
from ticketing.money.models import EntryKind, LedgerEntry, SalesChannel
from ticketing.orders import repository as repo
from ticketing.orders.models import Order, Payment, PaymentStatus, Refund, Ticket, TillSession


def channel_of(order: Order) -> str:
    """The order's channel in the reports: online, the counter, or the phone."""
    if order.channel == Channel.ONLINE:
        return SalesChannel.ONLINE
    return SalesChannel.PHONE if order.by_phone else SalesChannel.COUNTER


async def paid_method(session: AsyncSession, order: Order) -> str | None:
    """How the order was paid: its first payment that went through (None: free)."""
    for payment in await repo.payments_of(session, order.id):
        if payment.status == PaymentStatus.SUCCEEDED:
            return payment.method
    return None


def _ticket_entries(
    order: Order,
    tickets: Iterable[Ticket],
    kind: str,
    sign: int,
    days: dict[uuid.UUID, date],
    method: str | None,
    clerk_id: uuid.UUID | None,
    till_id: uuid.UUID | None,
) -> list[LedgerEntry]:
    channel = channel_of(order)
    return [
        ledger.entry(
            kind,
            cluster_id=order.cluster_id,
            owner_house_id=ticket.house_id,
            seller_house_id=order.house_id,
            # Paid on the platform's account: Stripe transfers each house its share.
            holder_house_id=ticket.house_id if order.split_by_transfers else order.house_id,
            channel=channel,
            gross_cents=sign * ticket.price_cents,
            vat_rate_bp=ticket.vat_rate_bp,
            order_id=order.id,
            ticket_id=ticket.id,
            performance_id=ticket.performance_id,
            performance_date=days.get(ticket.performance_id),
            tariff_id=ticket.tariff_id,
            tariff_code=ticket.tariff_code,
            payment_method=method,
            till_session_id=till_id,
            clerk_id=clerk_id,
            quantity=sign,
        )
        for ticket in tickets
    ]


def _fee_entry(
    order: Order,
    gross: int,
    method: str | None,
    clerk_id: uuid.UUID | None,
    till_id: uuid.UUID | None,
) -> LedgerEntry:
    return ledger.entry(
        EntryKind.FEE,
        cluster_id=order.cluster_id,
        owner_house_id=order.house_id,
        seller_house_id=order.house_id,
        channel=channel_of(order),
        gross_cents=gross,
        vat_rate_bp=order.fees_vat_rate_bp,
        order_id=order.id,
        payment_method=method,
        till_session_id=till_id,
        clerk_id=clerk_id,
    )


async def _days(
    session: AsyncSession, tickets: list[Ticket], days: dict[uuid.UUID, date] | None
) -> dict[uuid.UUID, date]:
    if days is not None:
        return days
    return await repo.performance_days(session, sorted({t.performance_id for t in tickets}))


async def book_sale(
    session: AsyncSession,
    order: Order,
    tickets: list[Ticket],
    *,
    method: str | None,
    clerk_id: uuid.UUID | None = None,
    till_id: uuid.UUID | None = None,
    with_fees: bool = True,
    kind: str = EntryKind.SALE,
    days: dict[uuid.UUID, date] | None = None,
) -> None:
    """Tickets sold (and, with the order's first sale, its fees)."""
    entries = _ticket_entries(
        order, tickets, kind, 1, await _days(session, tickets, days), method, clerk_id, till_id
    )
    if with_fees and order.fees_cents:
        entries.append(_fee_entry(order, order.fees_cents, method, clerk_id, till_id))
    ledger.book(session, entries)


async def book_reversal(
    session: AsyncSession,
    order: Order,
    tickets: list[Ticket],
    *,
    fees_back: bool,
    clerk_id: uuid.UUID | None,
    kind: str = EntryKind.CANCEL,
) -> None:
    """Sold tickets back (cancelled, refunded or exchanged): each sale reversed, and the
    fees with the order's last ticket."""
    method = await paid_method(session, order)
    entries = _ticket_entries(
        order, tickets, kind, -1, await _days(session, tickets, None), method, clerk_id, None
    )
    if fees_back and order.fees_cents:
        entries.append(_fee_entry(order, -order.fees_cents, method, clerk_id, None))
    ledger.book(session, entries)


def book_payment(session: AsyncSession, order: Order, payment: Payment) -> None:
    """Money received, by the house whose order it is."""
    ledger.book(session, [_money(EntryKind.PAYMENT, order, payment, payment.amount_cents)])


def book_refund(session: AsyncSession, order: Order, refund: Refund) -> None:
    """Money given back (once it went: at the counter now, online when Stripe did it)."""
    ledger.book(session, [_money(EntryKind.REFUND, order, refund, -refund.amount_cents)])


def _money(kind: str, order: Order, row: Payment | Refund, gross: int) -> LedgerEntry:
    is_payment = isinstance(row, Payment)
    return ledger.entry(
        kind,
        cluster_id=order.cluster_id,
        owner_house_id=order.house_id,
        seller_house_id=order.house_id,
        channel=channel_of(order),
        gross_cents=gross,
        order_id=order.id,
        payment_method=row.method,
        till_session_id=row.till_session_id,
        clerk_id=row.created_by_id,
        payment_id=row.id if is_payment else row.payment_id,  # type: ignore[union-attr]
        refund_id=None if is_payment else row.id,
        # A terminal's slip number, or Stripe's refund id.
        reference=row.reference if is_payment else row.stripe_refund_id,  # type: ignore[union-attr]
    )


def book_till(session: AsyncSession, till: TillSession, kind: str, amount: int) -> None:
    """The till's float at opening, or the difference of its count at closing (cash)."""
    if amount == 0 and kind == EntryKind.TILL_DIFFERENCE:
        return
    ledger.book(
        session,
        [
            ledger.entry(
                kind,
                cluster_id=till.cluster_id,
                owner_house_id=till.house_id,
                seller_house_id=till.house_id,
                channel=SalesChannel.COUNTER,
                gross_cents=amount,
                payment_method="cash",
                till_session_id=till.id,
                clerk_id=till.clerk_id,
                at=till.closed_at if kind == EntryKind.TILL_DIFFERENCE else till.opened_at,
            )
        ],
    )
