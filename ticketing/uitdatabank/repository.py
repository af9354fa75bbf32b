"""The queries behind the sync state staff see; the sync's own statements are in sync.py."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope
from ticketing.uitdatabank.models import UitdatabankEvent

_PENDING = text(
    "SELECT count(*) FROM outbox_message WHERE topic LIKE 'uitdatabank.%' "
    "AND processed_at IS NULL AND payload->>'event_id' = :event_id"
)


async def locations(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID
) -> list[UitdatabankEvent]:
    """The event's UiTdatabank events, one per venue, in the order they were made."""
    stmt = (
        select(UitdatabankEvent)
        .where(UitdatabankEvent.event_id == event_id)
        .order_by(col(UitdatabankEvent.created_at))
    )
    return list((await session.exec(scope(stmt, UitdatabankEvent, principal))).all())


async def pending_changes(session: AsyncSession, event_id: uuid.UUID) -> int:
    """The event's outbox messages to UiTdatabank not sent yet (those this session has
    just queued included)."""
    await raw.send_deferred(session)
    result = await (await session.connection()).execute(_PENDING, {"event_id": str(event_id)})
    return int(result.scalar_one())
