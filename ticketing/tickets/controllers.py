"""Tickets over HTTP: the buyer's PDF and QR images (with the order's secret), the box
office's printouts, and a house's signing keys and logo."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import datetime
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery
from PIL import Image, UnidentifiedImageError
from sqlalchemy import text
from sqlmodel import col, select

from ticketing.core.errors import InvalidInput, NotFound
from ticketing.core.openapi import RAW_BODY
from ticketing.core.ratelimit import ORDER_SECRET
from ticketing.core.schemas import Out
from ticketing.orders import box_office
from ticketing.orders.lifecycle import buyers_order
from ticketing.orders.models import Ticket, TicketStatus
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import authorize, get_house
from ticketing.tickets import render
from ticketing.tickets.issuing import order_view
from ticketing.tickets.models import HouseLogo, SigningKey
from ticketing.tickets.signing import rotate

Layout = Literal["a4", "thermal"]
MAX_LOGO_BYTES = 512 * 1024


def _pdf(view: render.OrderView | None, layout: Layout) -> Response[bytes]:
    if view is None or not view.tickets:
        raise NotFound("This order has no issued tickets (yet).")
    body = render.thermal(view) if layout == "thermal" else render.a4(view)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="{view.code}.pdf"',
            "cache-control": "private, no-store",
        },
    )


class BuyerTicketController(Controller):
    path = "/public/orders"
    tags = ["tickets"]
    opt = {"exclude_from_auth": True}

    @get(
        "/{order_id:uuid}/tickets.pdf",
        summary="The order's tickets as a PDF (the link in the mail; needs the order's secret)",
        opt={ORDER_SECRET: True},
        media_type="application/pdf",
    )
    async def tickets_pdf(
        self,
        db: Db,
        order_id: FromPath[uuid.UUID],
        secret: FromQuery[str],
        layout: FromQuery[Layout] = "a4",
    ) -> Response[bytes]:
        order = await buyers_order(db, order_id, secret)
        return _pdf(await order_view(db, order.id), layout)

    @get(
        "/{order_id:uuid}/tickets/{ticket_id:uuid}/qr.png",
        summary="One ticket's QR code, to show on a phone (needs the order's secret)",
        opt={ORDER_SECRET: True},
        media_type="image/png",
    )
    async def qr_png(
        self,
        db: Db,
        order_id: FromPath[uuid.UUID],
        ticket_id: FromPath[uuid.UUID],
        secret: FromQuery[str],
    ) -> Response[bytes]:
        order = await buyers_order(db, order_id, secret)
        ticket = await db.get(Ticket, ticket_id)
        if ticket is None or ticket.order_id != order.id:
            raise NotFound("Ticket not found.")
        if ticket.status != TicketStatus.VALID or ticket.qr is None:
            raise NotFound("This ticket is not valid (any more) or not issued yet.")
        return Response(
            render.qr_png(ticket.qr),
            media_type="image/png",
            headers={"cache-control": "private, no-store"},
        )


class StaffTicketController(Controller):
    path = "/orders"
    tags = ["tickets"]

    @get(
        "/{order_id:uuid}/tickets.pdf",
        summary="Print an order's tickets (A4 or 80 mm thermal)",
        media_type="application/pdf",
    )
    async def tickets_pdf(
        self,
        db: Db,
        principal: Caller,
        order_id: FromPath[uuid.UUID],
        layout: FromQuery[Layout] = "thermal",
    ) -> Response[bytes]:
        order = await box_office.staff_order(db, principal, order_id)
        return _pdf(await order_view(db, order.id), layout)


class SigningKeyOut(Out):
    key_id: int
    public_key: str  # base64 of the raw Ed25519 key
    created_at: datetime
    retired_at: datetime | None

    @classmethod
    def of(cls, key: SigningKey) -> SigningKeyOut:
        return cls(
            key_id=key.key_id,
            public_key=base64.b64encode(key.public_key).decode(),
            created_at=key.created_at,
            retired_at=key.retired_at,
        )


class HouseTicketController(Controller):
    path = "/houses/{house_id:uuid}"
    tags = ["tickets"]

    @get("/signing-keys", summary="The house's ticket signing keys (public halves only)")
    async def signing_keys(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> list[SigningKeyOut]:
        house = await get_house(db, house_id, principal)
        keys = await db.exec(
            select(SigningKey)
            .where(SigningKey.house_id == house.id)
            .order_by(col(SigningKey.created_at).desc())
        )
        return [SigningKeyOut.of(k) for k in keys.all()]

    @post(
        "/signing-keys/rotate",
        summary="Sign new tickets with a new key (tickets already issued stay valid)",
        status_code=201,
    )
    async def rotate_key(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> SigningKeyOut:
        house = await get_house(db, house_id, principal)
        authorize(principal, house.id)
        # One rotation at a time per house (the unique index would refuse the second).
        await (await db.connection()).execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": str(house.id)}
        )
        return SigningKeyOut.of(await rotate(db, house.id, house.cluster_id))

    @put(
        "/logo",
        summary="Set the logo printed on the house's tickets (PNG or JPEG, at most 512 KB)",
        status_code=204,
        opt={RAW_BODY: ("image/png", "image/jpeg")},
    )
    async def set_logo(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        request: Request[Any, Any, Any],
    ) -> None:
        house = await get_house(db, house_id, principal)
        authorize(principal, house.id)
        data = await request.body()
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
        logo = await db.get(HouseLogo, house.id)
        if logo is None:
            logo = HouseLogo(house_id=house.id, content_type=f"image/{kind.lower()}", data=data)
        else:
            logo.content_type, logo.data = f"image/{kind.lower()}", data
        db.add(logo)


CONTROLLERS = [BuyerTicketController, StaffTicketController, HouseTicketController]
