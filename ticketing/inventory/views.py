"""Baskets as the API shows them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.inventory import repository as repo
from ticketing.inventory.models import Hold
from ticketing.inventory.repository import HeldPlace
from ticketing.inventory.schemas import HoldItemOut, HoldOut
from ticketing.tenancy.models import House


async def hold_out(
    session: AsyncSession, hold: Hold, items: list[HeldPlace] | None = None
) -> HoldOut:
    """The basket as answered; pass its places when they are at hand."""
    if items is None:
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


async def basket_out(session: AsyncSession, hold: Hold) -> HoldOut:
    """A shop basket as its checkout shows it: with the selling house's name (whose news
    is asked for) and online fee. Read here only, not with every hold of an on-sale."""
    out = await hold_out(session, hold)
    house = await session.get(House, hold.house_id)
    assert house is not None
    return out.model_copy(
        update={"fee_per_ticket_cents": house.online_fee_cents, "house_name": house.name}
    )
