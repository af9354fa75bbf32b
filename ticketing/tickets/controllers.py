"""Tickets over HTTP: the buyer's PDF and QR images (with the order's secret), the box
office's printouts, and a house's signing keys and logo."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery

from ticketing.core.errors import NotFound
from ticketing.core.openapi import RAW_BODY
from ticketing.core.ratelimit import ORDER_SECRET
from ticketing.orders import box_office
from ticketing.orders.lifecycle import buyers_order
from ticketing.tenancy.deps import Caller, Db
from ticketing.tickets import render, service
from ticketing.tickets.issuing import order_view
from ticketing.tickets.schemas import SigningKeyOut
from ticketing.tickets.views import signing_key_out

Layout = Literal["a4", "thermal"]


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
        qr = await service.buyers_qr(db, order_id, ticket_id, secret)
        return Response(
            render.qr_png(qr),
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


class HouseTicketController(Controller):
    path = "/houses/{house_id:uuid}"
    tags = ["tickets"]

    @get("/signing-keys", summary="The house's ticket signing keys (public halves only)")
    async def signing_keys(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> list[SigningKeyOut]:
        keys = await service.signing_keys(db, principal, house_id)
        return [signing_key_out(k) for k in keys]

    @post(
        "/signing-keys/rotate",
        summary="Sign new tickets with a new key (tickets already issued stay valid)",
        status_code=201,
    )
    async def rotate_key(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> SigningKeyOut:
        return signing_key_out(await service.rotate_key(db, principal, house_id))

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
        await service.set_logo(db, principal, house_id, request.body)


CONTROLLERS = [BuyerTicketController, StaffTicketController, HouseTicketController]
