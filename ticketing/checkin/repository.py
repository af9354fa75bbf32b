"""The queries of door devices; the scan's own statements are in scanning.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.checkin.models import ScannerDevice
from ticketing.events.models import Performance
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope


async def list_devices(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> list[ScannerDevice]:
    stmt = (
        select(ScannerDevice)
        .where(ScannerDevice.house_id == house_id)
        .order_by(col(ScannerDevice.created_at))
    )
    return list((await session.exec(scope(stmt, ScannerDevice, principal))).all())


async def performances_of_house(
    session: AsyncSession, house_id: uuid.UUID, performance_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these performances are the house's."""
    stmt = select(Performance.id).where(
        col(Performance.id).in_(set(performance_ids)), Performance.house_id == house_id
    )
    return set((await session.exec(stmt)).all())
