from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope
from ticketing.venues.models import Hall, Venue


async def list_venues(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID | None = None
) -> list[Venue]:
    stmt = select(Venue).order_by(Venue.name)
    if house_id is not None:
        stmt = stmt.where(Venue.house_id == house_id)
    return list((await session.exec(scope(stmt, Venue, principal))).all())


async def list_halls(
    session: AsyncSession,
    principal: Principal,
    venue_id: uuid.UUID | None = None,
    house_id: uuid.UUID | None = None,
) -> list[Hall]:
    stmt = select(Hall).order_by(Hall.name)
    if venue_id is not None:
        stmt = stmt.where(Hall.venue_id == venue_id)
    if house_id is not None:
        stmt = stmt.where(Hall.house_id == house_id)
    return list((await session.exec(scope(stmt, Hall, principal))).all())
