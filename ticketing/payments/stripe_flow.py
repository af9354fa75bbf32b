"""Online payments with Stripe: start a PaymentIntent for an order, take webhooks into the
inbox, and act on them in a worker after re-reading the PaymentIntent from Stripe.

The webhook payload is never trusted for state: only its id and the PaymentIntent id are
used; the truth is what Stripe answers when asked. Duplicate, late and out-of-order events
therefore change nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.core.errors import Conflict
from ticketing.db import raw
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.orders import repository as orders_repo
from ticketing.orders.checkout import record
from ticketing.orders.lifecycle import (
    has_live_tickets,
    lose_places,
    mark_paid,
    require_on_sale,
    sale_refusal,
    settle_status,
)
from ticketing.orders.models import Order, OrderStatus, PaymentMethod, TicketStatus
from ticketing.payments.gateway import Intent, StripeGateway
from ticketing.payments.models import InboundEvent, Payment, PaymentStatus, Refund, RefundStatus
from ticketing.tenancy.models import House

log = logging.getLogger(__name__)

PROVIDER = "stripe"
PROCESS_TASK = "podium.payments.process_event"
REFUND_TOPIC = "payments.refund"
MAX_ATTEMPTS = 10


def _pending(payments: list[Payment]) -> Payment | None:
    for payment in payments:
        if payment.method == PaymentMethod.ONLINE and payment.status == PaymentStatus.PENDING:
            return payment
    return None


async def pending_online_payment(session: AsyncSession, order: Order) -> Payment | None:
    """The order's online payment that waits for the buyer, if one was started."""
    return _pending(await orders_repo.payments_of(session, order.id))


async def start_payment(
    session: AsyncSession, gateway: StripeGateway, order: Order
) -> tuple[Payment, Intent]:
    """The PaymentIntent of a pending order: made once, then the same one is returned
    (the order row is locked by the caller, so two clicks cannot make two)."""
    if order.status != OrderStatus.PENDING:
        raise Conflict(f"This order is {order.status}; there is nothing to pay.")
    if order.pay_before is not None and order.pay_before <= clock.now():
        raise Conflict("The time to pay this order has passed; its places went back on sale.")
    # Before any money is asked for: the order's performances must still be on sale.
    await require_on_sale(session, order, order.channel, clock.now())
    payments = await orders_repo.payments_of(session, order.id)
    pending = _pending(payments)
    if pending is not None:
        assert pending.stripe_payment_intent_id is not None
        intent = await gateway.get_intent(
            pending.stripe_payment_intent_id, account=pending.stripe_account_id
        )
        if intent.status != "canceled":
            return pending, intent
        # Given up (a declined test card cancels its intent): a new one for the next try.
        pending.status = PaymentStatus.CANCELED
        session.add(pending)
        record(session, order, "payment_canceled", "buyer", payment_intent=intent.id)
    attempt = len(payments) + 1  # a fresh idempotency key for each PaymentIntent
    house = await session.get(House, order.house_id)
    assert house is not None
    due = order.total_cents - order.paid_cents
    intent = await gateway.create_intent(
        amount=due,
        order_id=str(order.id),
        order_code=order.code,
        account=house.stripe_account_id,
        attempt=attempt,
    )
    payment = Payment(
        house_id=order.house_id,
        cluster_id=order.cluster_id,
        order_id=order.id,
        method=PaymentMethod.ONLINE,
        status=PaymentStatus.PENDING,
        amount_cents=due,
        stripe_payment_intent_id=intent.id,
        stripe_account_id=house.stripe_account_id,
    )
    session.add(payment)
    record(session, order, "payment_started", "buyer", payment_intent=intent.id, amount_cents=due)
    await session.flush()
    return payment, intent


async def store_event(session: AsyncSession, event: dict[str, Any]) -> uuid.UUID | None:
    """Put the event in the inbox once; None when it was there already (a redelivery)."""
    result = await session.exec(
        pg_insert(InboundEvent)
        .values(
            id=uuid.uuid4(),
            provider=PROVIDER,
            event_id=event["id"],
            type=event["type"],
            payload=event,
            received_at=clock.now(),
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(col(InboundEvent.id))
    )
    found: uuid.UUID | None = result.scalars().first()
    return found


async def _refund_everything(
    session: AsyncSession, order: Order, payment: Payment, reason: str
) -> None:
    amount = order.paid_cents - order.refunded_cents
    if amount > 0:
        await queue_refund(session, order, payment, amount, [], reason, created_by_id=None)


async def _apply(session: AsyncSession, event: InboundEvent, gateway: StripeGateway) -> None:
    obj = event.payload.get("data", {}).get("object", {})
    if obj.get("object") != "payment_intent" or not isinstance(obj.get("id"), str):
        return  # not an event we act on
    stmt = select(Payment).where(Payment.stripe_payment_intent_id == obj["id"]).with_for_update()
    payment = (await session.exec(stmt)).first()
    if payment is None:
        return  # not one of ours
    intent = await gateway.get_intent(obj["id"], account=payment.stripe_account_id)
    order = await orders_repo.get_order_for_update(session, payment.order_id)
    assert order is not None
    if intent.status == "succeeded" and payment.status != PaymentStatus.SUCCEEDED:
        payment.status = PaymentStatus.SUCCEEDED
        payment.amount_cents = intent.amount_received or payment.amount_cents
        order.paid_cents += payment.amount_cents
        session.add(payment)
        record(
            session, order, "payment", "stripe", method="online", amount_cents=payment.amount_cents
        )
        # The window as it was when the buyer started paying; the status as it is now.
        refusal = (
            await sale_refusal(session, order, order.channel, payment.created_at)
            if order.status == OrderStatus.PENDING
            else None
        )
        if refusal is not None:
            # Paid for a performance cancelled (or taken off sale) meanwhile: nothing to
            # sell, the places still held go back and the money goes back.
            tickets = await orders_repo.tickets_of(session, [order.id])
            await lose_places(
                session,
                order,
                [t for t in tickets if t.status == TicketStatus.PENDING],
                "stripe",
                "sale_closed",
                reason=refusal.detail,
            )
            await _refund_everything(
                session, order, payment, "Paid after the performance went off sale."
            )
        elif order.status == OrderStatus.PENDING:
            if not await mark_paid(session, order, actor="stripe"):
                await _refund_everything(
                    session, order, payment, "Paid after the places were sold again."
                )
        else:
            # Paid after the order expired or was cancelled: nothing to sell, money goes back.
            record(session, order, "paid_too_late", "stripe", status_was=order.status)
            order.status = OrderStatus.REFUND_DUE
            order.needs_attention = True
            await _refund_everything(session, order, payment, "Paid after the order had ended.")
        session.add(order)
    elif intent.status == "canceled" and payment.status == PaymentStatus.PENDING:
        payment.status = PaymentStatus.CANCELED
        session.add(payment)
        record(session, order, "payment_canceled", "stripe", payment_intent=intent.id)
    elif (
        event.type == "payment_intent.payment_failed" and intent.status == "requires_payment_method"
    ):
        # The buyer may try another card while the basket lasts; the places go when it ends.
        record(session, order, "payment_failed", "stripe", payment_intent=intent.id)
    await session.flush()


GatewayFactory = Callable[[], StripeGateway]


async def process_event(
    sessionmaker: SessionMaker, event_id: uuid.UUID, gateway: GatewayFactory
) -> bool:
    async with unit_of_work(sessionmaker) as session:
        stmt = (
            select(InboundEvent)
            .where(InboundEvent.id == event_id, col(InboundEvent.processed_at).is_(None))
            .with_for_update(skip_locked=True)
        )
        event = (await session.exec(stmt)).first()
        if event is None:
            return False
        event.attempts += 1
        try:
            async with raw.savepoint(session):
                await _apply(session, event, gateway())
            event.processed_at = clock.now()
            event.last_error = None
        except Exception as exc:
            log.warning("stripe event %s failed: %s", event.event_id, exc)
            event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        session.add(event)
        return event.processed_at is not None


async def unprocessed_events(sessionmaker: SessionMaker, limit: int = 100) -> list[uuid.UUID]:
    async with sessionmaker() as session:
        stmt = (
            select(InboundEvent.id)
            .where(
                col(InboundEvent.processed_at).is_(None), col(InboundEvent.attempts) < MAX_ATTEMPTS
            )
            .order_by(col(InboundEvent.received_at))
            .limit(limit)
        )
        return list((await session.exec(stmt)).all())


# --- refunds ---------------------------------------------------------------------------------


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


_gateway_factory: GatewayFactory | None = None


def set_gateway_factory(factory: GatewayFactory | None) -> None:
    """Where workers get their Stripe gateway (tests point it at localstripe)."""
    global _gateway_factory
    _gateway_factory = factory


def worker_gateway() -> StripeGateway:
    if _gateway_factory is not None:
        return _gateway_factory()
    from ticketing.settings import get_settings

    return StripeGateway(get_settings().stripe)


@outbox.handler(REFUND_TOPIC)
async def carry_out_refund(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    refund = await session.get(
        Refund, uuid.UUID(message.payload["refund_id"]), with_for_update=True
    )
    if refund is None or refund.status != RefundStatus.PENDING:
        return
    payment = await session.get(Payment, refund.payment_id) if refund.payment_id else None
    if payment is None or payment.stripe_payment_intent_id is None:
        raise RuntimeError("The refund has no Stripe payment to go back to.")
    # Our own bound, whatever Stripe would allow: never more than this payment brought in.
    stmt = select(Refund).where(
        Refund.payment_id == payment.id,
        Refund.status == RefundStatus.SUCCEEDED,
    )
    refunded = sum(r.amount_cents for r in (await session.exec(stmt)).all())
    if refunded + refund.amount_cents > payment.amount_cents:
        refund.status = RefundStatus.FAILED
        refund.last_error = "Refusing to refund more than the payment brought in."
        session.add(refund)
        order = await session.get(Order, refund.order_id)
        if order is not None:
            order.needs_attention = True
            session.add(order)
        return
    result = await worker_gateway().refund(
        payment.stripe_payment_intent_id,
        amount=refund.amount_cents,
        account=payment.stripe_account_id,
        idempotency_key=f"refund-{refund.id}",
    )
    refund.status = (
        RefundStatus.SUCCEEDED if result.status in ("succeeded", "pending") else RefundStatus.FAILED
    )
    refund.stripe_refund_id = result.id
    session.add(refund)
    order = await session.get(Order, refund.order_id)
    if order is not None:
        settle_status(order, await has_live_tickets(session, order))
        record(
            session,
            order,
            "refunded",
            "stripe",
            amount_cents=refund.amount_cents,
            stripe_refund=result.id,
        )
        session.add(order)
