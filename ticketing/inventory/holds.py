"""Use cases around a basket, shared by the shop (online) and the box office."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import NotFound
from ticketing.events.models import EventStatus, Performance
from ticketing.events.repository import PUBLIC_PERFORMANCE_STATUSES
from ticketing.inventory import repository as repo
from ticketing.inventory import service
from ticketing.inventory.models import Channel, Hold
from ticketing.inventory.repository import HeldPlace
from ticketing.inventory.schemas import BoxOfficeHoldIn, HoldItemsIn
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import SELLERS
from ticketing.tenancy.scoping import authorize, require_visible_house


async def create_online_hold(
    session: AsyncSession, data: HoldItemsIn
) -> tuple[Hold, list[HeldPlace]]:
    house, target = await repo.sale_target(session, data.performance_id, None)
    if house is None or target is None or target.event_status != EventStatus.PUBLISHED:
        raise NotFound("Performance not found (performance_id).")
    hold = service.new_hold(house, Channel.ONLINE)
    items = await service.hold_places(session, hold, data, Channel.ONLINE, target=target, new=True)
    return hold, items


async def online_hold(session: AsyncSession, hold_id: uuid.UUID, *, lock: bool = False) -> Hold:
    """A shop basket, addressed by its id (an unguessable capability, like a cart link)."""
    hold = await repo.get_hold(session, hold_id, lock=lock)
    if hold is None or hold.channel != Channel.ONLINE:
        raise NotFound("Basket not found.")
    return hold


async def create_box_office_hold(
    session: AsyncSession, principal: Principal, data: BoxOfficeHoldIn
) -> tuple[Hold, list[HeldPlace]]:
    require_visible_house(principal, data.house_id)
    house, target = await repo.sale_target(session, data.performance_id, data.house_id)
    if house is None:
        raise NotFound("House not found (house_id).")
    authorize(principal, house.id, SELLERS)
    hold = service.new_hold(house, Channel.BOX_OFFICE, created_by_id=principal.user_id)
    items = await service.hold_places(
        session,
        hold,
        HoldItemsIn(**data.model_dump(exclude={"house_id"})),
        Channel.BOX_OFFICE,
        target=target,
        new=True,
    )
    return hold, items


async def box_office_hold(
    session: AsyncSession, principal: Principal, hold_id: uuid.UUID, *, lock: bool = False
) -> Hold:
    return staff_basket(
        principal, await repo.get_staff_hold(session, hold_id, principal, lock=lock)
    )


async def _changing(session: AsyncSession, hold_id: uuid.UUID, principal: Principal | None) -> Hold:
    """The basket, locked for a change: the shop's (principal None: its id is the
    capability) or the box office's (read for the principal)."""
    if principal is None:
        return await online_hold(session, hold_id, lock=True)
    return await box_office_hold(session, principal, hold_id, lock=True)


async def add_places(
    session: AsyncSession, hold_id: uuid.UUID, data: HoldItemsIn, principal: Principal | None
) -> Hold:
    hold = await _changing(session, hold_id, principal)
    service.require_active(hold)
    await service.hold_places(session, hold, data, hold.channel)
    return hold


async def give_back_place(
    session: AsyncSession, hold_id: uuid.UUID, item_id: uuid.UUID, principal: Principal | None
) -> None:
    await service.release_item(session, await _changing(session, hold_id, principal), item_id)


async def extend(session: AsyncSession, hold_id: uuid.UUID, principal: Principal | None) -> Hold:
    hold = await _changing(session, hold_id, principal)
    await service.extend_hold(session, hold)
    return hold


async def give_back(session: AsyncSession, hold_id: uuid.UUID, principal: Principal | None) -> None:
    await service.release_hold(session, await _changing(session, hold_id, principal))


def staff_basket(principal: Principal, hold: Hold | None) -> Hold:
    """A box-office basket as read for the principal, if it may sell from it."""
    if hold is None or hold.channel != Channel.BOX_OFFICE:
        raise NotFound("Basket not found.")
    authorize(principal, hold.house_id, SELLERS)
    return hold


def public_performance_visible(performance: Performance, event_status: str) -> bool:
    """The same rule as the public programme: published event, performance on sale."""
    return (
        event_status == EventStatus.PUBLISHED and performance.status in PUBLIC_PERFORMANCE_STATUSES
    )
