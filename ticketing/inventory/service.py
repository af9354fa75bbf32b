"""Holding, releasing and blocking places (availability views are in availability.py).

Every change of the inventory runs in the caller's transaction and is all-or-nothing: a
request for four places gets four or none. Seats are taken by an insert the unique index
may refuse, standing places by an update whose condition may refuse; a refusal becomes a
clear 409 and the unit of work rolls the whole request back.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock
from ticketing.core.errors import Conflict, FieldError, InvalidInput, NotFound
from ticketing.events.models import Event, EventStatus, Performance, PerformanceStatus
from ticketing.inventory import repository as repo
from ticketing.inventory.best import best_available
from ticketing.inventory.layouts import LayoutIndex, layout_index
from ticketing.inventory.models import (
    Allocation,
    AllocationStatus,
    Channel,
    Hold,
    HoldStatus,
)
from ticketing.inventory.schemas import HoldItemsIn
from ticketing.seatmaps.layout import SeatFlag
from ticketing.tenancy.models import House

MAX_PLACES = {Channel.ONLINE: 20, Channel.BOX_OFFICE: 200}
BEST_ATTEMPTS = 3


class SeatsTaken(Conflict):
    type_slug = "seats-taken"
    title = "Seats just taken"


class SoldOut(Conflict):
    type_slug = "sold-out"
    title = "Sold out"


class SaleClosed(Conflict):
    type_slug = "sale-closed"
    title = "Not on sale"


class HoldExpired(Conflict):
    type_slug = "hold-expired"
    title = "Basket expired"


def _local(dt: datetime) -> str:
    return clock.local(dt).strftime("%d/%m/%Y %H:%M")


def check_sellable(performance: Performance, event: Event, channel: str, now: datetime) -> None:
    if performance.status == PerformanceStatus.CANCELLED:
        raise SaleClosed("This performance is cancelled.")
    if channel == Channel.ONLINE:
        if performance.status == PerformanceStatus.SOLD_OUT:
            raise SoldOut("This performance is sold out.")
        if performance.status != PerformanceStatus.ON_SALE or event.status != EventStatus.PUBLISHED:
            raise SaleClosed("This performance is not on sale online.")
        opens, closes = performance.online_sales_from, performance.online_sales_until
        closes = closes or performance.starts_at
    else:
        if performance.status == PerformanceStatus.DRAFT:
            raise SaleClosed("This performance is not on sale yet.")
        opens, closes = performance.box_office_sales_from, performance.box_office_sales_until
        closes = closes or performance.ends_at
    if opens is not None and now < opens:
        raise SaleClosed(f"Sales open on {_local(opens)}.")
    if now >= closes:
        raise SaleClosed("Sales for this performance have closed.")


async def _performance(
    session: AsyncSession, performance_id: uuid.UUID, cluster_id: uuid.UUID
) -> tuple[Performance, Event]:
    found = await repo.performance_for_sale(session, performance_id)
    # A basket holds performances of one cluster only; others do not exist for it.
    if found is None or found[0].cluster_id != cluster_id:
        raise NotFound("Performance not found (performance_id).")
    return found


def _check_seats(index: LayoutIndex, seats: list[str], *, for_sale: bool = True) -> None:
    errors = []
    for i, key in enumerate(seats):
        info = index.seats.get(key)
        if info is None:
            errors.append(FieldError(f"seats[{i}]", f"There is no seat {key} in this hall.", key))
        elif for_sale and SeatFlag.BLOCKED in info.flags:
            errors.append(FieldError(f"seats[{i}]", f"Seat {key} is not for sale.", key))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)


def _allocation_row(
    performance: Performance,
    hold: Hold | None,
    status: str,
    expires_at: datetime | None,
    **extra: Any,
) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": uuid.uuid4(),
        "created_at": now,
        "updated_at": now,
        "house_id": performance.house_id,
        "cluster_id": performance.cluster_id,
        "performance_id": performance.id,
        "hold_id": hold.id if hold else None,
        "status": status,
        "expires_at": expires_at,
        "quantity": 1,
        **extra,
    }


async def _take_seats(
    session: AsyncSession,
    performance: Performance,
    index: LayoutIndex,
    keys: list[str],
    hold: Hold | None,
    status: str,
    now: datetime,
) -> set[str]:
    """Take these seats or none of them; returns the keys that someone else has.

    Keys are taken in one sorted order by every transaction, inside a savepoint: a
    partial take is rolled back to the savepoint, which also frees the seats for whoever
    waits on them, so retries never hold seats while waiting for others (no deadlock).
    """
    keys = sorted(keys)
    expires = hold.expires_at if status == AllocationStatus.HELD and hold else None
    rows = [
        _allocation_row(
            performance, hold, status, expires, seat_key=k, zone_code=index.seats[k].zone
        )
        for k in keys
    ]
    savepoint = await session.begin_nested()
    await repo.clear_expired_seats(session, performance.id, keys, now)
    taken = await repo.insert_seats(session, rows)
    lost = set(keys) - taken
    if lost:
        await savepoint.rollback()
    else:
        await savepoint.commit()
    return lost


async def _unavailable(session: AsyncSession, performance_id: uuid.UUID, now: datetime) -> set[str]:
    return {key for key, _ in await repo.live_seats(session, performance_id, now)}


async def hold_places(
    session: AsyncSession, hold: Hold, data: HoldItemsIn, channel: str, *, empty: bool = False
) -> None:
    """Hold places in the basket; empty=True for a basket just made (nothing to count)."""
    now = clock.now()
    performance, event = await _performance(session, data.performance_id, hold.cluster_id)
    check_sellable(performance, event, channel, now)
    index = await layout_index(session, performance.layout_id)
    _check_seats(index, data.seats)
    already = 0
    if not empty:
        already = sum(
            a.quantity
            for a in await repo.hold_items(session, hold.id)
            if a.performance_id == performance.id
        )
    asked = (
        len(data.seats)
        + sum(s.quantity for s in data.standing)
        + (data.best.quantity if data.best else 0)
    )
    if already + asked > MAX_PLACES[Channel(channel)]:
        raise InvalidInput.field(
            "seats", f"At most {MAX_PLACES[Channel(channel)]} places per performance in one basket."
        )

    if data.seats:
        lost = await _take_seats(
            session, performance, index, data.seats, hold, AllocationStatus.HELD, now
        )
        if lost:
            raise SeatsTaken(
                "Someone else just took "
                + ", ".join(sorted(lost))
                + ". Please choose other seats.",
                errors=[
                    FieldError(f"seats[{data.seats.index(k)}]", f"Seat {k} is taken.", k)
                    for k in sorted(lost)
                ],
            )
    if data.best is not None:
        await _hold_best(session, performance, index, hold, data, now)
    for i, request in enumerate(data.standing):
        area = index.areas.get(request.area)
        if area is None:
            raise InvalidInput.field(
                f"standing[{i}].area", f"There is no standing area {request.area}."
            )
        if not await repo.take_standing(
            session, performance.id, request.area, request.quantity, now
        ):
            raise SoldOut(
                f"There are not {request.quantity} standing places left in {area.name}.",
                errors=[FieldError(f"standing[{i}].quantity", "Not that many places left.")],
            )
        session.add(
            Allocation(
                **_allocation_row(
                    performance,
                    hold,
                    AllocationStatus.HELD,
                    hold.expires_at,
                    area_code=request.area,
                    zone_code=area.zone,
                    quantity=request.quantity,
                )
            )
        )
    await session.flush()


async def _hold_best(
    session: AsyncSession,
    performance: Performance,
    index: LayoutIndex,
    hold: Hold,
    data: HoldItemsIn,
    now: datetime,
) -> None:
    assert data.best is not None
    for _ in range(BEST_ATTEMPTS):
        unavailable = await _unavailable(session, performance.id, now)
        chosen = best_available(
            index.doc,
            unavailable,
            quantity=data.best.quantity,
            zone=data.best.zone,
            accessible=data.best.accessible,
        )
        if chosen is None:
            where = (
                f" in {index.zones[data.best.zone].name}" if data.best.zone in index.zones else ""
            )
            raise SoldOut(
                f"There are not {data.best.quantity} seats left{where}.",
                errors=[FieldError("best.quantity", "Not that many seats left.")],
            )
        if not await _take_seats(
            session, performance, index, chosen, hold, AllocationStatus.HELD, now
        ):
            return
    raise SeatsTaken("The seats are going fast: please try again.")


async def ensure_stock(session: AsyncSession, performance: Performance, index: LayoutIndex) -> None:
    """The stock rows of a performance's standing areas; made when it goes on sale, so the
    buying path never has to wonder whether they exist."""
    await repo.ensure_stock(
        session,
        [
            {
                "performance_id": performance.id,
                "area_code": area.code,
                "house_id": performance.house_id,
                "cluster_id": performance.cluster_id,
                "zone_code": area.zone,
                "capacity": area.capacity,
                "used": 0,
            }
            for area in index.areas.values()
        ],
    )


async def new_hold(
    session: AsyncSession,
    house: House,
    channel: str,
    *,
    created_by_id: uuid.UUID | None = None,
) -> Hold:
    hold = Hold(
        house_id=house.id,
        cluster_id=house.cluster_id,
        channel=channel,
        expires_at=clock.now() + timedelta(minutes=house.hold_minutes),
        created_by_id=created_by_id,
    )
    session.add(hold)
    await session.flush()
    return hold


def require_active(hold: Hold) -> None:
    if hold.status == HoldStatus.ORDERED:
        raise Conflict("This basket has become an order; start a new basket for more places.")
    if hold.status == HoldStatus.RELEASED:
        raise Conflict("This basket was emptied; start a new basket.")
    if hold.status != HoldStatus.ACTIVE or hold.expires_at <= clock.now():
        raise HoldExpired("This basket has expired; its places went back on sale.")


async def release_item(session: AsyncSession, hold: Hold, item_id: uuid.UUID) -> None:
    require_active(hold)
    rows = await repo.delete_allocations(
        session,
        (col(Allocation.id) == item_id)
        & (col(Allocation.hold_id) == hold.id)
        & (col(Allocation.status) == AllocationStatus.HELD),
    )
    if not rows:
        raise NotFound("This place is not in the basket.")


async def release_hold(session: AsyncSession, hold: Hold) -> None:
    if hold.status != HoldStatus.ACTIVE:
        return
    await repo.delete_allocations(
        session,
        (col(Allocation.hold_id) == hold.id) & (col(Allocation.status) == AllocationStatus.HELD),
    )
    hold.status = HoldStatus.RELEASED
    session.add(hold)
    await session.flush()


async def extend_hold(session: AsyncSession, hold: Hold) -> None:
    require_active(hold)
    if hold.extended:
        raise Conflict("A basket can be extended only once.")
    house = await session.get(House, hold.house_id)
    assert house is not None
    hold.expires_at = clock.now() + timedelta(minutes=house.hold_minutes)
    hold.extended = True
    session.add(hold)
    await session.flush()
    await repo.set_hold_expiry(session, hold)


async def release_expired(session: AsyncSession) -> int:
    """Give back every place whose hold has expired (the beat calls this)."""
    now = clock.now()
    rows = await repo.delete_allocations(session, repo.expired_condition(now))
    await repo.expire_holds(session, now)
    return len(rows)


async def block_seats(session: AsyncSession, performance: Performance, keys: list[str]) -> None:
    index = await layout_index(session, performance.layout_id)
    _check_seats(index, keys, for_sale=False)
    lost = await _take_seats(
        session, performance, index, keys, None, AllocationStatus.BLOCKED, clock.now()
    )
    if lost:
        raise SeatsTaken(
            "These seats are held or sold already: " + ", ".join(sorted(lost)) + ".",
            errors=[
                FieldError(f"seats[{keys.index(k)}]", f"Seat {k} is taken.", k)
                for k in sorted(lost)
            ],
        )


async def unblock_seats(session: AsyncSession, performance: Performance, keys: list[str]) -> int:
    rows = await repo.delete_allocations(
        session,
        (col(Allocation.performance_id) == performance.id)
        & col(Allocation.seat_key).in_(keys)
        & (col(Allocation.status) == AllocationStatus.BLOCKED),
    )
    return len(rows)
