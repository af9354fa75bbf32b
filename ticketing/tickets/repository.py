"""The queries of the tickets' own tables: signing keys and logos, and one ticket for its
buyer. Issuing's statements are in issuing.py and signing.py."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.orders.models import Ticket
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import scope
from ticketing.tickets.models import HouseLogo, SigningKey


async def signing_keys(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> list[SigningKey]:
    """The house's keys, newest first."""
    stmt = (
        select(SigningKey)
        .where(SigningKey.house_id == house_id)
        .order_by(col(SigningKey.created_at).desc())
    )
    return list((await session.exec(scope(stmt, SigningKey, principal))).all())


async def get_ticket(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def get_logo(session: AsyncSession, house_id: uuid.UUID) -> HouseLogo | None:
    return await session.get(HouseLogo, house_id)
