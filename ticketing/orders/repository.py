from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import Performance, PerformancePrice, Tariff
from ticketing.inventory.models import Allocation, AllocationStatus
from ticketing.orders.models import Order, OrderEvent, OrderStatus, Ticket, TillSession
from ticketing.payments.models import Payment, Refund
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope


async def performances(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, Performance]:
    """Performances named by a basket's items (the basket was checked by the caller)."""
    stmt = select(Performance).where(col(Performance.id).in_(ids))
    return {p.id: p for p in (await session.exec(stmt)).all()}


async def tariffs_for_events(
    session: AsyncSession, event_ids: set[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], Tariff]:
    stmt = select(Tariff).where(col(Tariff.event_id).in_(event_ids))
    return {(t.event_id, t.code): t for t in (await session.exec(stmt)).all()}


async def zone_prices(
    session: AsyncSession, performance_ids: set[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], int]:
    stmt = select(PerformancePrice).where(col(PerformancePrice.performance_id).in_(performance_ids))
    return {
        (p.performance_id, p.zone_code): p.amount_cents for p in (await session.exec(stmt)).all()
    }


async def tickets_of(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> list[Ticket]:
    if not order_ids:
        return []
    stmt = (
        select(Ticket)
        .where(col(Ticket.order_id).in_(order_ids))
        .order_by(
            col(Ticket.performance_id), col(Ticket.seat_key), col(Ticket.area_code), col(Ticket.id)
        )
    )
    return list((await session.exec(stmt)).all())


async def history(session: AsyncSession, order_id: uuid.UUID) -> list[OrderEvent]:
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
        like = f"%{q}%"
        stmt = stmt.where(
            col(Order.code).ilike(like)
            | col(Order.customer_name).ilike(like)
            | col(Order.customer_email).ilike(like)
        )
    stmt = scope(stmt, Order, principal).limit(limit).offset(offset)
    return list((await session.exec(stmt)).all())


async def sell_allocations(
    session: AsyncSession, allocation_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Turn held places into sold ones; returns the ids that were still there to sell."""
    if not allocation_ids:
        return set()
    result = await session.exec(
        update(Allocation)
        .where(
            col(Allocation.id).in_(allocation_ids), col(Allocation.status) == AllocationStatus.HELD
        )
        .values(status=AllocationStatus.SOLD, expires_at=None)
        .returning(col(Allocation.id))
    )
    return {r[0] for r in result.all()}


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


async def open_till(
    session: AsyncSession, house_id: uuid.UUID, clerk_id: uuid.UUID, *, lock: bool = False
) -> TillSession | None:
    stmt = select(TillSession).where(
        TillSession.house_id == house_id,
        TillSession.clerk_id == clerk_id,
        col(TillSession.closed_at).is_(None),
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def till_payments(session: AsyncSession, till_id: uuid.UUID) -> list[Payment]:
    stmt = (
        select(Payment).where(Payment.till_session_id == till_id).order_by(col(Payment.created_at))
    )
    return list((await session.exec(stmt)).all())


async def till_refunds(session: AsyncSession, till_id: uuid.UUID) -> list[Refund]:
    stmt = select(Refund).where(Refund.till_session_id == till_id).order_by(col(Refund.created_at))
    return list((await session.exec(stmt)).all())


async def payments_of(session: AsyncSession, order_id: uuid.UUID) -> list[Payment]:
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
