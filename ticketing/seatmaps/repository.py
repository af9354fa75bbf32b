from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope


async def list_layouts(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID
) -> list[SeatMapLayout]:
    stmt = (
        select(SeatMapLayout)
        .where(SeatMapLayout.hall_id == hall_id)
        .order_by(col(SeatMapLayout.version).desc())
    )
    return list((await session.exec(scope(stmt, SeatMapLayout, principal))).all())


async def next_version(session: AsyncSession, hall_id: uuid.UUID) -> int:
    """Call under the hall's advisory lock (the hall was loaded through the scope)."""
    stmt = select(func.coalesce(func.max(SeatMapLayout.version), 0)).where(
        SeatMapLayout.hall_id == hall_id
    )
    current: int = (await session.exec(stmt)).one()
    return current + 1


async def latest_layout(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID
) -> SeatMapLayout | None:
    layouts = await list_layouts(session, principal, hall_id)
    return layouts[0] if layouts else None
