"""Holding, releasing and blocking places (availability views are in availability.py).

Every change of the inventory runs in the caller's transaction and is all-or-nothing: a
request for four places gets four or none. Seats are taken by an insert the unique index
may refuse, standing places by an update whose condition may refuse; a refusal becomes a
clear 409 and the unit of work rolls the whole request back.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, FieldError, InvalidInput, NotFound
from ticketing.db import raw
from ticketing.events.models import EventStatus, Performance, PerformanceStatus
from ticketing.inventory import changes
from ticketing.inventory import repository as repo
from ticketing.inventory.best import best_available
from ticketing.inventory.layouts import LayoutIndex, layout_index
from ticketing.inventory.models import Allocation, AllocationStatus, Channel, Hold, HoldStatus
from ticketing.inventory.repository import HeldPlace, SaleTarget, SellingHouse
from ticketing.inventory.schemas import BestRequest, HoldItemsIn
from ticketing.seatmaps.layout import SeatFlag
from ticketing.tenancy.models import House

MAX_PLACES = {Channel.ONLINE: 20, Channel.BOX_OFFICE: 200}
BEST_ATTEMPTS = 3
# Seats that best-available requests of this process are taking at this moment, per
# performance (see _hold_best).
_CHOOSING: dict[uuid.UUID, Counter[str]] = {}


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


def check_sellable(
    performance: SaleTarget, channel: str, now: datetime, *, held: bool = False
) -> None:
    """The sale rules, the one copy for every moment of sale: taking places, checking out
    a basket, starting or taking a payment. held: the buyer holds the places already (a
    basket, an unpaid order), so a performance declared sold out still sells them."""
    name = performance.name
    if performance.status == PerformanceStatus.CANCELLED:
        raise SaleClosed(f"{name} is cancelled; it is not sold any more.")
    if channel == Channel.ONLINE:
        if performance.status == PerformanceStatus.SOLD_OUT and not held:
            raise SoldOut(f"{name} is sold out.")
        selling = (PerformanceStatus.ON_SALE, PerformanceStatus.SOLD_OUT)
        if (
            performance.status not in (selling if held else selling[:1])
            or performance.event_status != EventStatus.PUBLISHED
        ):
            raise SaleClosed(f"{name} is not on sale online.")
        opens, closes = performance.online_sales_from, performance.online_sales_until
        closes = closes or performance.starts_at
        where = "Online sales"
    else:
        if performance.status == PerformanceStatus.DRAFT:
            raise SaleClosed(f"{name} is not on sale yet.")
        opens, closes = performance.box_office_sales_from, performance.box_office_sales_until
        closes = closes or performance.ends_at
        where = "Box-office sales"
    if opens is not None and now < opens:
        raise SaleClosed(f"{where} for {name} open on {_local(opens)}.")
    if now >= closes:
        raise SaleClosed(f"{where} for {name} have closed.")


def check_basket_size(already: int, asked: int, channel: str) -> None:
    """A basket holds at most MAX_PLACES places of one performance for its channel."""
    if already + asked > MAX_PLACES[Channel(channel)]:
        raise InvalidInput.field(
            "seats", f"At most {MAX_PLACES[Channel(channel)]} places per performance in one basket."
        )


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


def _seats_taken(message: str, asked: list[str], lost: set[str]) -> SeatsTaken:
    return SeatsTaken(
        message,
        errors=[
            FieldError(f"seats[{asked.index(k)}]", f"Seat {k} is taken.", k) for k in sorted(lost)
        ],
    )


async def hold_places(
    session: AsyncSession,
    hold: Hold,
    data: HoldItemsIn,
    channel: str,
    *,
    target: SaleTarget | None = None,
    new: bool = False,
) -> list[HeldPlace]:
    """Hold places in the basket and return them. new=True for a basket made by this
    request: the caller passes the performance it read with the house (None when there is
    none), the basket is stored first and there is nothing in it to count yet."""
    now = clock.now()
    if not new:
        _, target = await repo.sale_target(session, data.performance_id, hold.house_id)
    # A basket holds performances of one cluster only; others do not exist for it.
    if target is None or target.cluster_id != hold.cluster_id:
        raise NotFound("Performance not found (performance_id).")
    check_sellable(target, channel, now)
    index = await layout_index(session, target.layout_id)
    _check_seats(index, data.seats)
    already = 0
    if not new:
        already = sum(
            a.quantity
            for a in await repo.hold_items(session, hold.id)
            if a.performance_id == target.id
        )
    asked = (
        len(data.seats)
        + sum(s.quantity for s in data.standing)
        + (data.best.quantity if data.best else 0)
    )
    check_basket_size(already, asked, channel)
    for i, request in enumerate(data.standing):
        if request.area not in index.areas:
            raise InvalidInput.field(
                f"standing[{i}].area", f"There is no standing area {request.area}."
            )
    # A new basket asking for one thing (seats, best seats or places in one standing
    # area) is stored by the statement that takes its places.
    parts = bool(data.seats) + (data.best is not None) + len(data.standing)
    alone = new and parts == 1
    if new and not alone:
        await repo.insert_hold(session, hold)
    places = repo.NewPlaces(
        target.house_id,
        target.cluster_id,
        target.id,
        hold.id,
        AllocationStatus.HELD,
        hold.expires_at,
    )
    held: list[HeldPlace] = []
    if data.seats:
        taken, lost = await repo.take_seats(
            session,
            places,
            {k: index.seats[k].zone for k in data.seats},
            now,
            new_hold=hold if alone else None,
        )
        if lost:
            raise _seats_taken(
                "Someone else just took "
                + ", ".join(sorted(lost))
                + ". Please choose other seats.",
                data.seats,
                lost,
            )
        held += taken
    if data.best is not None:
        held += await _hold_best(
            session, places, index, data.best, now, new_hold=hold if alone else None
        )
    for i, request in enumerate(data.standing):
        area = index.areas[request.area]
        place = await repo.take_standing(
            session,
            places,
            request.area,
            area.zone,
            request.quantity,
            now,
            new_hold=hold if alone else None,
        )
        if place is None:
            raise SoldOut(
                f"There are not {request.quantity} standing places left in {area.name}.",
                errors=[FieldError(f"standing[{i}].quantity", "Not that many places left.")],
            )
        held.append(place)
    return held


async def _hold_best(
    session: AsyncSession,
    places: repo.NewPlaces,
    index: LayoutIndex,
    best: BestRequest,
    now: datetime,
    *,
    new_hold: Hold | None = None,
) -> list[HeldPlace]:
    for _ in range(BEST_ATTEMPTS):
        unavailable, expired = await repo.seat_states(session, places.performance_id, now)
        # Seats other requests of this process are taking right now count as taken, so
        # clerks pressing "best available" at the same moment do not all race for the
        # same seats; if only those are left, they are tried after all.
        choosing = _CHOOSING.setdefault(places.performance_id, Counter())
        chosen = None
        for around in (unavailable | set(choosing), unavailable) if choosing else (unavailable,):
            chosen = best_available(
                index.doc,
                around,
                quantity=best.quantity,
                zone=best.zone,
                accessible=best.accessible,
                plan=index.hall,
            )
            if chosen is not None:
                break
        if chosen is None:
            where = f" in {index.zones[best.zone].name}" if best.zone in index.zones else ""
            raise SoldOut(
                f"There are not {best.quantity} seats left{where}.",
                errors=[FieldError("best.quantity", "Not that many seats left.")],
            )
        choosing.update(chosen)
        try:
            taken, lost = await repo.take_seats(
                session,
                places,
                {k: index.seats[k].zone for k in chosen},
                now,
                clear_expired=not expired.isdisjoint(chosen),
                new_hold=new_hold,
            )
        finally:
            # Counted per request: two requests may end up trying the same seats.
            choosing.subtract(chosen)
            for key in chosen:
                if choosing[key] <= 0:
                    del choosing[key]
            if not choosing and _CHOOSING.get(places.performance_id) is choosing:
                del _CHOOSING[places.performance_id]
        if not lost:
            return taken
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


def new_hold(house: SellingHouse, channel: str, *, created_by_id: uuid.UUID | None = None) -> Hold:
    """A basket of this house, stored by hold_places(new=True) with its first places."""
    now = clock.now()
    return raw.build(
        Hold,
        house_id=house.id,
        cluster_id=house.cluster_id,
        channel=channel,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(minutes=house.hold_minutes),
        created_by_id=created_by_id,
    )


def require_active(hold: Hold) -> None:
    if hold.status == HoldStatus.ORDERED:
        raise Conflict("This basket has become an order; start a new basket for more places.")
    if hold.status == HoldStatus.RELEASED:
        raise Conflict("This basket was emptied; start a new basket.")
    if hold.status == HoldStatus.CLOSED:
        # Ended like an expired basket (the pages then start a new one); only checking it
        # out says which performance was cancelled (require_open).
        raise HoldExpired(
            "A performance in this basket was cancelled: the basket was closed and its"
            " places went back. Please start a new basket."
        )
    if hold.status != HoldStatus.ACTIVE or hold.expires_at <= clock.now():
        raise HoldExpired("This basket has expired; its places went back on sale.")


async def require_open(session: AsyncSession, hold: Hold) -> None:
    """require_active for a sale: a basket closed by a cancellation is refused as the sale
    of that performance is (sale-closed), naming it (read only then)."""
    if hold.status == HoldStatus.CLOSED:
        target = await repo.closed_by(session, hold.id)
        name = target.name if target is not None else "A performance in this basket"
        raise SaleClosed(
            f"{name} was cancelled: this basket was closed and its places went back on sale."
        )
    require_active(hold)


async def close_baskets(session: AsyncSession, performance_id: uuid.UUID) -> int:
    """A performance was cancelled: every open basket holding its places is closed and all
    its places go back (those of other performances too: the basket cannot become an
    order any more). Unpaid orders keep theirs until they are paid (and refunded: the
    payment finds the performance off sale) or expire. Returns the baskets closed."""
    closed = await repo.close_baskets(session, performance_id, clock.now())
    if closed:
        await repo.delete_allocations(
            session,
            col(Allocation.hold_id).in_(closed) & (col(Allocation.status) == AllocationStatus.HELD),
        )
    return len(closed)


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
    # A seat the seat map takes out of sale is out already: blocking it again would count
    # it twice (places left, sold out in UiTdatabank).
    out = [
        FieldError(f"seats[{i}]", f"Seat {k} is out of sale in the seat map already.", k)
        for i, k in enumerate(keys)
        if SeatFlag.BLOCKED in index.seats[k].flags
    ]
    if out:
        raise InvalidInput(out[0].message, errors=out)
    places = repo.NewPlaces(
        performance.house_id,
        performance.cluster_id,
        performance.id,
        None,
        AllocationStatus.BLOCKED,
        None,
    )
    _, lost = await repo.take_seats(
        session, places, {k: index.seats[k].zone for k in keys}, clock.now()
    )
    if lost:
        raise _seats_taken(
            "These seats are held or sold already: " + ", ".join(sorted(lost)) + ".", keys, lost
        )
    await changes.places_changed(session, [performance.id])


async def unblock_seats(session: AsyncSession, performance: Performance, keys: list[str]) -> int:
    rows = await repo.delete_allocations(
        session,
        (col(Allocation.performance_id) == performance.id)
        & col(Allocation.seat_key).in_(keys)
        & (col(Allocation.status) == AllocationStatus.BLOCKED),
    )
    return len(rows)
