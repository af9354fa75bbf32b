from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.conflicts import flush_or_conflict
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import authorize, get_house, get_scoped
from ticketing.venues.models import Hall, Venue
from ticketing.venues.schemas import HallIn, HallPatch, VenueIn, VenuePatch


async def create_venue(session: AsyncSession, principal: Principal, data: VenueIn) -> Venue:
    house = await get_house(session, data.house_id, principal)
    authorize(principal, house.id, MANAGE)
    venue = Venue(cluster_id=house.cluster_id, **data.model_dump())
    session.add(venue)
    await session.flush()
    return venue


async def update_venue(
    session: AsyncSession, principal: Principal, venue_id: uuid.UUID, data: VenuePatch
) -> Venue:
    venue = await get_scoped(session, Venue, venue_id, principal, what="Venue")
    authorize(principal, venue.house_id, MANAGE)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(venue, key, value)
    session.add(venue)
    await session.flush()
    return venue


async def create_hall(session: AsyncSession, principal: Principal, data: HallIn) -> Hall:
    venue = await get_scoped(session, Venue, data.venue_id, principal, what="Venue (venue_id)")
    authorize(principal, venue.house_id, MANAGE)
    hall = Hall(house_id=venue.house_id, cluster_id=venue.cluster_id, **data.model_dump())
    session.add(hall)
    await flush_or_conflict(session, "name", f"This venue already has a hall called {data.name!r}.")
    return hall


async def update_hall(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID, data: HallPatch
) -> Hall:
    hall = await get_scoped(session, Hall, hall_id, principal, what="Hall")
    authorize(principal, hall.house_id, MANAGE)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(hall, key, value)
    session.add(hall)
    await flush_or_conflict(session, "name", f"This venue already has a hall called {hall.name!r}.")
    return hall
