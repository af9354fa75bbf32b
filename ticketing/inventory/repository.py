"""Every inventory query. Taking places is done with single conditional statements:
an insert that the unique index refuses, an update that the capacity condition refuses;
never a read in Python followed by a write."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, literal_column, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import Event, Performance
from ticketing.inventory.models import Allocation, AllocationStatus, Hold, StandingStock
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope

HELD = AllocationStatus.HELD

# Set only by tests (see Settings.inventory): the check-then-write that must never be used.
UNSAFE_CHECK_THEN_WRITE = False
# Widens the gap between the check and the write so the demonstration shows every time.
UNSAFE_WINDOW_SECONDS = 0.02


async def performance_for_sale(
    session: AsyncSession, performance_id: uuid.UUID
) -> tuple[Performance, Event] | None:
    """A performance with its event, for the public selling paths (checked by the caller:
    status, sale window, cluster)."""
    stmt = (
        select(Performance, Event)
        .join(Event, col(Event.id) == Performance.event_id)
        .where(Performance.id == performance_id)
    )
    row = (await session.exec(stmt)).first()
    return (row[0], row[1]) if row else None


async def get_hold(session: AsyncSession, hold_id: uuid.UUID, *, lock: bool = False) -> Hold | None:
    stmt = select(Hold).where(Hold.id == hold_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def get_staff_hold(
    session: AsyncSession, hold_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Hold | None:
    stmt = scope(select(Hold).where(Hold.id == hold_id), Hold, principal)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.exec(stmt)).first()


async def hold_items(session: AsyncSession, hold_id: uuid.UUID) -> list[Allocation]:
    stmt = (
        select(Allocation)
        .where(Allocation.hold_id == hold_id)
        .order_by(
            col(Allocation.performance_id), col(Allocation.seat_key), col(Allocation.area_code)
        )
    )
    return list((await session.exec(stmt)).all())


# --- taking places ------------------------------------------------------------------------


async def clear_expired_seats(
    session: AsyncSession, performance_id: uuid.UUID, keys: Sequence[str], now: datetime
) -> None:
    """Expired holds on these seats no longer count: remove them so the seats can be taken."""
    await session.exec(
        delete(Allocation).where(
            col(Allocation.performance_id) == performance_id,
            col(Allocation.seat_key).in_(keys),
            col(Allocation.status) == HELD,
            col(Allocation.expires_at) <= now,
        )
    )


async def insert_seats(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """Insert seat allocations; a seat that has a live allocation already is skipped by the
    unique index. Returns the keys actually taken."""
    if UNSAFE_CHECK_THEN_WRITE:
        return await _unsafe_insert_seats(session, rows)
    stmt: ReturningInsert[tuple[str]] = (
        pg_insert(Allocation)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=["performance_id", "seat_key"], index_where=text("seat_key IS NOT NULL")
        )
        .returning(literal_column("seat_key"))
    )
    result = await session.exec(stmt)
    return {r[0] for r in result.all()}


TAKE_STANDING = text(
    """
    WITH expired AS (
        DELETE FROM allocation
        WHERE performance_id = :performance_id AND area_code = :area
          AND status = 'held' AND expires_at <= :now
        RETURNING quantity
    ), freed AS (SELECT coalesce(sum(quantity), 0) AS n FROM expired)
    UPDATE standing_stock SET used = used - freed.n + :quantity
    FROM freed
    WHERE performance_id = :performance_id AND area_code = :area
      AND used - freed.n + :quantity <= capacity
    RETURNING used
    """
)


async def take_standing(
    session: AsyncSession, performance_id: uuid.UUID, area: str, quantity: int, now: datetime
) -> bool:
    """Count places into a standing area if they fit (expired holds freed first)."""
    if UNSAFE_CHECK_THEN_WRITE:
        return await _unsafe_take_standing(session, performance_id, area, quantity)
    connection = await session.connection()
    result = await connection.execute(
        TAKE_STANDING,
        {"performance_id": performance_id, "area": area, "quantity": quantity, "now": now},
    )
    return result.first() is not None


async def ensure_stock(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.exec(pg_insert(StandingStock).values(rows).on_conflict_do_nothing())


# --- releasing places ---------------------------------------------------------------------


async def delete_allocations(session: AsyncSession, condition: Any) -> list[tuple[Any, ...]]:
    """Delete allocations matching condition, give standing places back, and return
    (performance_id, area_code, quantity, hold_id) of each deleted row."""
    result = await session.exec(
        delete(Allocation)
        .where(condition)
        .returning(
            col(Allocation.performance_id),
            col(Allocation.area_code),
            col(Allocation.quantity),
            col(Allocation.hold_id),
        )
    )
    rows = [tuple(r) for r in result.all()]
    freed: dict[tuple[uuid.UUID, str], int] = {}
    for performance_id, area, quantity, _ in rows:
        if area is not None:
            freed[(performance_id, area)] = freed.get((performance_id, area), 0) + quantity
    for (performance_id, area), quantity in sorted(freed.items()):
        await _free_standing(session, performance_id, area, quantity)
    return rows


async def _free_standing(
    session: AsyncSession, performance_id: uuid.UUID, area: str, quantity: int
) -> None:
    await session.exec(
        update(StandingStock)
        .where(
            col(StandingStock.performance_id) == performance_id,
            col(StandingStock.area_code) == area,
        )
        .values(used=StandingStock.used - quantity)
    )


async def give_back(session: AsyncSession, allocation_id: uuid.UUID, places: int) -> None:
    """Give back some places of one allocation: a seat, or part of a standing allocation
    (the allocation goes when nothing is left of it)."""
    allocation = await session.get(Allocation, allocation_id, with_for_update=True)
    if allocation is None:
        return
    if allocation.area_code is not None and allocation.quantity > places:
        allocation.quantity -= places
        session.add(allocation)
        await _free_standing(session, allocation.performance_id, allocation.area_code, places)
    else:
        await delete_allocations(session, col(Allocation.id) == allocation_id)


def expired_condition(now: datetime) -> Any:
    return and_(col(Allocation.status) == HELD, col(Allocation.expires_at) <= now)


async def expire_holds(session: AsyncSession, now: datetime) -> int:
    result = await session.exec(
        update(Hold)
        .where(col(Hold.status) == "active", col(Hold.expires_at) <= now)
        .values(status="expired")
    )
    return int(result.rowcount or 0)


# --- availability -------------------------------------------------------------------------


async def live_seats(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> list[tuple[str, str]]:
    """(seat key, status) of every seat that is sold, blocked or held by a live hold."""
    stmt = select(Allocation.seat_key, Allocation.status).where(
        Allocation.performance_id == performance_id,
        col(Allocation.seat_key).is_not(None),
        (col(Allocation.status) != HELD) | (col(Allocation.expires_at) > now),
    )
    return [(str(k), str(s)) for k, s in (await session.exec(stmt)).all()]


async def standing_use(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> dict[str, int]:
    """Places in use per standing area, not counting holds that have expired."""
    expired = (
        select(func.coalesce(func.sum(Allocation.quantity), 0))
        .where(
            Allocation.performance_id == StandingStock.performance_id,
            Allocation.area_code == StandingStock.area_code,
            col(Allocation.status) == HELD,
            col(Allocation.expires_at) <= now,
        )
        .scalar_subquery()
    )
    stmt = select(StandingStock.area_code, StandingStock.used - expired).where(
        StandingStock.performance_id == performance_id
    )
    return {str(a): int(u) for a, u in (await session.exec(stmt)).all()}


async def set_hold_expiry(session: AsyncSession, hold: Hold) -> None:
    await session.exec(
        update(Allocation)
        .where(col(Allocation.hold_id) == hold.id, col(Allocation.status) == HELD)
        .values(expires_at=hold.expires_at)
    )


# --- the race, for the demonstration only -------------------------------------------------


async def _unsafe_insert_seats(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    keys = [r["seat_key"] for r in rows]
    live = select(Allocation.seat_key).where(
        Allocation.performance_id == rows[0]["performance_id"], col(Allocation.seat_key).in_(keys)
    )
    taken = set((await session.exec(live)).all())
    free = [r for r in rows if r["seat_key"] not in taken]
    await asyncio.sleep(UNSAFE_WINDOW_SECONDS)
    if free:
        await session.exec(pg_insert(Allocation).values(free))
    return {r["seat_key"] for r in free}


async def _unsafe_take_standing(
    session: AsyncSession, performance_id: uuid.UUID, area: str, quantity: int
) -> bool:
    stock = (
        await session.exec(
            select(StandingStock).where(
                StandingStock.performance_id == performance_id, StandingStock.area_code == area
            )
        )
    ).first()
    if stock is None or stock.used + quantity > stock.capacity:
        return False
    await asyncio.sleep(UNSAFE_WINDOW_SECONDS)
    await session.exec(
        update(StandingStock)
        .where(
            col(StandingStock.performance_id) == performance_id,
            col(StandingStock.area_code) == area,
        )
        .values(used=stock.used + quantity)
    )
    return True
