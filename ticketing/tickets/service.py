"""The tickets' use cases behind the HTTP routes: a buyer's QR code, a house's signing
keys and logo. Issuing itself (after payment) is in issuing.py."""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable

from PIL import Image, UnidentifiedImageError
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import InvalidInput, NotFound
from ticketing.db.locks import advisory_xact_lock
from ticketing.orders.lifecycle import buyers_order
from ticketing.orders.models import TicketStatus
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import authorize, get_house
from ticketing.tickets import repository
from ticketing.tickets.models import HouseLogo, SigningKey
from ticketing.tickets.signing import rotate

MAX_LOGO_BYTES = 512 * 1024


async def buyers_qr(
    session: AsyncSession, order_id: uuid.UUID, ticket_id: uuid.UUID, secret: str
) -> str:
    """The QR code of one valid, issued ticket of the buyer's order."""
    order = await buyers_order(session, order_id, secret)
    ticket = await repository.get_ticket(session, ticket_id)
    if ticket is None or ticket.order_id != order.id:
        raise NotFound("Ticket not found.")
    if ticket.status != TicketStatus.VALID or ticket.qr is None:
        raise NotFound("This ticket is not valid (any more) or not issued yet.")
    return ticket.qr


async def signing_keys(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> list[SigningKey]:
    house = await get_house(session, house_id, principal)
    return await repository.signing_keys(session, principal, house.id)


async def rotate_key(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> SigningKey:
    house = await get_house(session, house_id, principal)
    authorize(principal, house.id)
    # One rotation at a time per house (the unique index would refuse the second).
    await advisory_xact_lock(session, "signing-key-rotation", house.id)
    return await rotate(session, house.id, house.cluster_id)


async def set_logo(
    session: AsyncSession,
    principal: Principal,
    house_id: uuid.UUID,
    read: Callable[[], Awaitable[bytes]],
) -> None:
    """Store the house's logo; the body is read once the caller may change the house."""
    house = await get_house(session, house_id, principal)
    authorize(principal, house.id)
    data = await read()
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput.field("logo", "The logo is larger than 512 KB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidInput.field("logo", "Send the logo as a PNG or JPEG image.") from exc
    if kind not in ("PNG", "JPEG"):
        raise InvalidInput.field("logo", "Send the logo as a PNG or JPEG image.")
    logo = await repository.get_logo(session, house.id)
    if logo is None:
        logo = HouseLogo(house_id=house.id, content_type=f"image/{kind.lower()}", data=data)
    else:
        logo.content_type, logo.data = f"image/{kind.lower()}", data
    session.add(logo)
