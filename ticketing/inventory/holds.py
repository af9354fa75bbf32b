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
from ticketing.inventory.schemas import BoxOfficeHoldIn, HoldItemOut, HoldItemsIn, HoldOut
from ticketing.tenancy.models import House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE, Role
from ticketing.tenancy.scoping import authorize, get_house

SELLERS = MANAGE | {Role.BOX_OFFICE}


async def hold_out(session: AsyncSession, hold: Hold) -> HoldOut:
    items = await repo.hold_items(session, hold.id)
    return HoldOut(
        id=hold.id,
        house_id=hold.house_id,
        channel=hold.channel,
        status=hold.status,
        expires_at=hold.expires_at,
        extended=hold.extended,
        items=[HoldItemOut.model_validate(a) for a in items],
    )


async def create_online_hold(session: AsyncSession, data: HoldItemsIn) -> Hold:
    found = await repo.performance_for_sale(session, data.performance_id)
    if found is None or found[1].status != EventStatus.PUBLISHED:
        raise NotFound("Performance not found (performance_id).")
    house = await session.get(House, found[0].house_id)
    assert house is not None
    hold = await service.new_hold(session, house, Channel.ONLINE)
    await service.hold_places(session, hold, data, Channel.ONLINE, empty=True)
    return hold


async def online_hold(session: AsyncSession, hold_id: uuid.UUID, *, lock: bool = False) -> Hold:
    """A shop basket, addressed by its id (an unguessable capability, like a cart link)."""
    hold = await repo.get_hold(session, hold_id, lock=lock)
    if hold is None or hold.channel != Channel.ONLINE:
        raise NotFound("Basket not found.")
    return hold


async def create_box_office_hold(
    session: AsyncSession, principal: Principal, data: BoxOfficeHoldIn
) -> Hold:
    house = await get_house(session, data.house_id, principal)
    authorize(principal, house.id, SELLERS)
    hold = await service.new_hold(
        session, house, Channel.BOX_OFFICE, created_by_id=principal.user_id
    )
    await service.hold_places(
        session, hold, HoldItemsIn(**data.model_dump(exclude={"house_id"})), Channel.BOX_OFFICE
    )
    return hold


async def box_office_hold(
    session: AsyncSession, principal: Principal, hold_id: uuid.UUID, *, lock: bool = False
) -> Hold:
    hold = await repo.get_staff_hold(session, hold_id, principal, lock=lock)
    if hold is None or hold.channel != Channel.BOX_OFFICE:
        raise NotFound("Basket not found.")
    authorize(principal, hold.house_id, SELLERS)
    return hold


def public_performance_visible(performance: Performance, event_status: str) -> bool:
    """The same rule as the public programme: published event, performance on sale."""
    return (
        event_status == EventStatus.PUBLISHED and performance.status in PUBLIC_PERFORMANCE_STATUSES
    )
