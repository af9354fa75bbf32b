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
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.core.errors import Conflict
from ticketing.core.runtime import Part, current
from ticketing.db import raw
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.orders import repository as orders_repo
from ticketing.orders.books import book_payment, book_refund
from ticketing.orders.checkout import record
from ticketing.orders.lifecycle import (
    buyers_order,
    has_live_tickets,
    lose_places,
    mark_paid,
    require_on_sale,
    sale_refusal,
    settle_status,
)
from ticketing.orders.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
    TicketStatus,
)
from ticketing.orders.refunds import REFUND_TOPIC, queue_refund
from ticketing.payments import repository, transfers
from ticketing.payments.gateway import Intent, StripeGateway
from ticketing.payments.models import InboundEvent
from ticketing.settings import Settings

log = logging.getLogger(__name__)

PROVIDER = "stripe"
PROCESS_TASK = "podium.payments.process_event"
MAX_ATTEMPTS = 10

GatewayFactory = Callable[[], StripeGateway]


def _pending(payments: list[Payment]) -> Payment | None:
    for payment in payments:
        if payment.method == PaymentMethod.ONLINE and payment.status == PaymentStatus.PENDING:
            return payment
    return None


async def pending_online_payment(session: AsyncSession, order: Order) -> Payment | None:
    """The order's online payment that waits for the buyer, if one was started."""
    return _pending(await orders_repo.payments_of(session, order.id))


def check_payable_online(order: Order, now: datetime) -> None:
    """Only a pending order is paid online, and only before its time to pay is up."""
    if order.status != OrderStatus.PENDING:
        raise Conflict(f"This order is {order.status}; there is nothing to pay.")
    if order.pay_before is not None and order.pay_before <= now:
        raise Conflict("The time to pay this order has passed; its places went back on sale.")


async def start_buyers_payment(
    session: AsyncSession, gateway: GatewayFactory, order_id: uuid.UUID, secret: str
) -> tuple[Payment, Intent]:
    """The shop's "pay" button: the order's PaymentIntent, made once. The gateway is made
    once the order is known (an unknown order is a 404 even with payments off)."""
    order = await buyers_order(session, order_id, secret, lock=True)
    return await start_payment(session, gateway(), order)


async def pay_with_test_card(
    session: AsyncSession, gateway: GatewayFactory, order_id: uuid.UUID, secret: str, card: str
) -> Intent:
    """Test mode: confirm the started PaymentIntent with one of Stripe's test cards."""
    order = await buyers_order(session, order_id, secret, lock=True)
    payment = await pending_online_payment(session, order)
    if payment is None or payment.stripe_payment_intent_id is None:
        raise Conflict("Start the payment first (POST .../payment); nothing waits to be paid.")
    return await gateway().confirm_with_test_card(
        payment.stripe_payment_intent_id, card_number=card, account=payment.stripe_account_id
    )


async def start_payment(
    session: AsyncSession, gateway: StripeGateway, order: Order
) -> tuple[Payment, Intent]:
    """The PaymentIntent of a pending order: made once, then the same one is returned
    (the order row is locked by the caller, so two clicks cannot make two)."""
    check_payable_online(order, clock.now())
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
    house = await repository.payee_house(session, order.house_id)
    assert house is not None
    due = order.total_cents - order.paid_cents
    # Connect "separate charges and transfers": paid on the platform's account, then
    # each house gets its share (payments/transfers.py). Set before the payment can
    # succeed, so the sale is booked as held by each owner house.
    split = await repository.transfers_enabled(session, order.cluster_id)
    if split and not order.split_by_transfers:
        order.split_by_transfers = True
        session.add(order)
    account = None if order.split_by_transfers else house.stripe_account_id
    intent = await gateway.create_intent(
        amount=due,
        order_id=str(order.id),
        order_code=order.code,
        account=account,
        attempt=attempt,
        transfer_group=order.code if order.split_by_transfers else None,
    )
    payment = Payment(
        house_id=order.house_id,
        cluster_id=order.cluster_id,
        order_id=order.id,
        method=PaymentMethod.ONLINE,
        status=PaymentStatus.PENDING,
        amount_cents=due,
        stripe_payment_intent_id=intent.id,
        stripe_account_id=account,
    )
    session.add(payment)
    record(session, order, "payment_started", "buyer", payment_intent=intent.id, amount_cents=due)
    await session.flush()
    return payment, intent


async def store_event(session: AsyncSession, event: dict[str, Any]) -> uuid.UUID | None:
    """Put the event in the inbox once; None when it was there already (a redelivery)."""
    return await repository.insert_event(session, PROVIDER, event)


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
    payment = await repository.payment_by_intent_for_update(session, obj["id"])
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
        book_payment(session, order, payment)
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
            if not await mark_paid(session, order, actor="stripe", method=PaymentMethod.ONLINE):
                await _refund_everything(
                    session, order, payment, "Paid after the places were sold again."
                )
            elif order.split_by_transfers and payment.stripe_account_id is None:
                # Paid on the platform's account (not an attempt made on the house's own
                # account before the cluster turned transfers on): split it.
                await transfers.plan(session, order, payment, intent.latest_charge)
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


async def process_event(
    sessionmaker: SessionMaker, event_id: uuid.UUID, gateway: GatewayFactory
) -> bool:
    async with unit_of_work(sessionmaker) as session:
        event = await repository.unprocessed_event_for_update(session, event_id)
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
        return await repository.unprocessed_event_ids(
            session, max_attempts=MAX_ATTEMPTS, limit=limit
        )


# --- refunds ---------------------------------------------------------------------------------


def _settings_gateway(settings: Settings) -> GatewayFactory:
    return lambda: StripeGateway(settings.stripe)


# How the current runtime (ticketing.core.runtime) reaches Stripe: made from the settings;
# tests point it at localstripe.
GATEWAY = Part("payments.gateway", _settings_gateway)


def gateway_factory() -> GatewayFactory:
    return current().get(GATEWAY)


def set_gateway_factory(factory: GatewayFactory | None) -> None:
    """Where the current runtime gets its Stripe gateway (None: from its settings)."""
    current().put(GATEWAY, factory)


def worker_gateway() -> StripeGateway:
    return gateway_factory()()


@outbox.handler(REFUND_TOPIC)
async def carry_out_refund(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    refund = await repository.get_refund_for_update(
        session, uuid.UUID(message.payload["refund_id"])
    )
    if refund is None or refund.status != RefundStatus.PENDING:
        return
    payment = (
        await repository.get_payment(session, refund.payment_id) if refund.payment_id else None
    )
    if payment is None or payment.stripe_payment_intent_id is None:
        raise RuntimeError("The refund has no Stripe payment to go back to.")
    # Our own bound, whatever Stripe would allow: never more than this payment brought in.
    refunded = await repository.succeeded_refunds(session, payment.id)
    if refunded + refund.amount_cents > payment.amount_cents:
        refund.status = RefundStatus.FAILED
        refund.last_error = "Refusing to refund more than the payment brought in."
        session.add(refund)
        order = await repository.get_order(session, refund.order_id)
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
    order = await repository.get_order(session, refund.order_id)
    if order is not None:
        if refund.status == RefundStatus.SUCCEEDED:
            book_refund(session, order, refund)
            transfers.queue_reversals(session, order, refund)
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


@outbox.handler(transfers.TRANSFER_TOPIC)
async def carry_out_transfers(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    await transfers.send(session, worker_gateway, message.payload)


@outbox.handler(transfers.REVERSAL_TOPIC)
async def carry_out_reversals(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    await transfers.reverse(session, worker_gateway, message.payload)
