"""Booking an online refund: the order's books change now, in the caller's transaction,
and Stripe is asked after commit through the outbox (`payments.refund`, carried out by
ticketing/payments/stripe_flow.py, the Stripe integration above this package)."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import outbox
from ticketing.orders.checkout import record
from ticketing.orders.models import Order, Payment, PaymentMethod, Refund, RefundStatus

REFUND_TOPIC = "payments.refund"


async def queue_refund(
    session: AsyncSession,
    order: Order,
    payment: Payment,
    amount: int,
    ticket_ids: list[uuid.UUID],
    reason: str | None,
    *,
    created_by_id: uuid.UUID | None,
) -> Refund:
    """Book the refund now (so the order can never be refunded twice over) and let a
    worker ask Stripe for it after commit."""
    refund = Refund(
        house_id=order.house_id,
        cluster_id=order.cluster_id,
        order_id=order.id,
        payment_id=payment.id,
        method=PaymentMethod.ONLINE,
        status=RefundStatus.PENDING,
        amount_cents=amount,
        reason=reason,
        ticket_ids=[str(t) for t in ticket_ids],
        created_by_id=created_by_id,
    )
    session.add(refund)
    order.refunded_cents += amount
    session.add(order)
    await session.flush()
    record(session, order, "refund_queued", "system", amount_cents=amount, refund_id=str(refund.id))
    outbox.put(session, REFUND_TOPIC, {"refund_id": str(refund.id)}, house_id=order.house_id)
    return refund
