"""Every query of online payments: the webhook inbox, payments by PaymentIntent, refunds.

None of these reads is made for a staff member: the webhook and the worker find rows by
Stripe's ids, the shop by the order's secret. So none goes through the tenant scope."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db import raw
from ticketing.orders.models import Order, Payment, Refund, RefundStatus, Ticket
from ticketing.payments.models import InboundEvent, StripeTransfer, StripeTransferReversal
from ticketing.tenancy.models import Cluster, House


async def insert_event(
    session: AsyncSession, provider: str, event: dict[str, Any]
) -> uuid.UUID | None:
    """Put the event in the inbox once; None when it was there already (a redelivery)."""
    result = await session.exec(
        pg_insert(InboundEvent)
        .values(
            id=uuid.uuid4(),
            provider=provider,
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


async def unprocessed_event_for_update(
    session: AsyncSession, event_id: uuid.UUID
) -> InboundEvent | None:
    """The event, locked, unless it was handled already or another worker holds it."""
    stmt = (
        select(InboundEvent)
        .where(InboundEvent.id == event_id, col(InboundEvent.processed_at).is_(None))
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(stmt)).first()


async def unprocessed_event_ids(
    session: AsyncSession, *, max_attempts: int, limit: int
) -> list[uuid.UUID]:
    stmt = (
        select(InboundEvent.id)
        .where(col(InboundEvent.processed_at).is_(None), col(InboundEvent.attempts) < max_attempts)
        .order_by(col(InboundEvent.received_at))
        .limit(limit)
    )
    return list((await session.exec(stmt)).all())


async def payment_by_intent_for_update(session: AsyncSession, intent_id: str) -> Payment | None:
    stmt = select(Payment).where(Payment.stripe_payment_intent_id == intent_id).with_for_update()
    return (await session.exec(stmt)).first()


async def get_payment(session: AsyncSession, payment_id: uuid.UUID) -> Payment | None:
    return await session.get(Payment, payment_id)


async def get_refund_for_update(session: AsyncSession, refund_id: uuid.UUID) -> Refund | None:
    return await session.get(Refund, refund_id, with_for_update=True)


async def succeeded_refunds(session: AsyncSession, payment_id: uuid.UUID) -> int:
    """What has gone back of this payment already, in cents."""
    stmt = select(Refund).where(
        Refund.payment_id == payment_id,
        Refund.status == RefundStatus.SUCCEEDED,
    )
    return sum(r.amount_cents for r in (await session.exec(stmt)).all())


async def payee_house(session: AsyncSession, house_id: uuid.UUID) -> House | None:
    """The house whose Stripe account takes the payment."""
    return await session.get(House, house_id)


async def get_order(session: AsyncSession, order_id: uuid.UUID) -> Order | None:
    return await session.get(Order, order_id)


# --- Connect transfers -------------------------------------------------------------------


async def transfers_enabled(session: AsyncSession, cluster_id: uuid.UUID) -> bool:
    """Does the cluster pay online on the platform's account, then transfer?"""
    cluster = await session.get(Cluster, cluster_id)
    return bool(cluster is not None and cluster.stripe_transfers)


async def houses(session: AsyncSession, house_ids: list[uuid.UUID]) -> dict[uuid.UUID, House]:
    if not house_ids:
        return {}
    stmt = select(House).where(col(House.id).in_(house_ids))
    return {h.id: h for h in (await session.exec(stmt)).all()}


async def order_transfers(
    session: AsyncSession, order_id: uuid.UUID, *, lock: bool = False
) -> list[StripeTransfer]:
    stmt = (
        select(StripeTransfer)
        .where(StripeTransfer.order_id == order_id)
        .order_by(col(StripeTransfer.created_at), col(StripeTransfer.id))
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list((await session.exec(stmt)).all())


async def reversal_of(
    session: AsyncSession, refund_id: uuid.UUID, transfer_id: uuid.UUID
) -> StripeTransferReversal | None:
    stmt = select(StripeTransferReversal).where(
        StripeTransferReversal.refund_id == refund_id,
        StripeTransferReversal.transfer_id == transfer_id,
    )
    return (await session.exec(stmt)).first()


async def tickets_by_id(session: AsyncSession, ticket_ids: list[uuid.UUID]) -> list[Ticket]:
    if not ticket_ids:
        return []
    await raw.send_deferred(session)
    stmt = select(Ticket).where(col(Ticket.id).in_(ticket_ids))
    return list((await session.exec(stmt)).all())


async def cluster_transfers(
    session: AsyncSession, cluster_id: uuid.UUID, status: str | None, limit: int
) -> list[StripeTransfer]:
    """A cluster's transfers, newest first (the caller was checked for the cluster)."""
    stmt = select(StripeTransfer).where(StripeTransfer.cluster_id == cluster_id)
    if status is not None:
        stmt = stmt.where(StripeTransfer.status == status)
    stmt = stmt.order_by(col(StripeTransfer.created_at).desc()).limit(limit)
    return list((await session.exec(stmt)).all())
