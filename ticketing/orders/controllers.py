from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from ticketing.core.idempotency import HEADER, replay_or_run
from ticketing.core.openapi import selling_conflicts, success
from ticketing.core.paging import Limit, Offset
from ticketing.core.ratelimit import ORDER_SECRET
from ticketing.core.schemas import In
from ticketing.orders import box_office, exchange, lifecycle, shop
from ticketing.orders import repository as repo
from ticketing.orders.checkout import CheckedOut
from ticketing.orders.models import Order, OrderStatus
from ticketing.orders.schemas import (
    BoxOfficeOrderIn,
    BuyerOrderOut,
    CancelIn,
    ExchangeIn,
    OrderCreated,
    OrderEventOut,
    OrderIn,
    OrderOut,
    PaymentIn,
    TillCloseIn,
    TillOpenIn,
    TillOut,
)
from ticketing.orders.views import buyer_order_out, order_out, orders_out
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.principal import Principal

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER, required=False, description="Replays the first answer for the same key."
    ),
]


def _scope(name: str, principal_id: object = "anonymous") -> str:
    return f"{name}:{principal_id}"


async def _order_action(
    db: Db,
    principal: Principal,
    name: str,
    order_id: uuid.UUID,
    data: In,
    key: str | None,
    action: Callable[[], Awaitable[Order]],
) -> Response[dict[str, Any]]:
    """A staff change to an order, replayed for a repeated Idempotency-Key."""

    async def run() -> tuple[int, dict[str, Any]]:
        order = await action()
        return 200, (await order_out(db, order)).model_dump(mode="json")

    scope = _scope(f"{name}:{order_id}", principal.user_id or principal.api_token_id)
    status, body = await replay_or_run(
        db, scope=scope, key=key, body=data.model_dump(mode="json"), run=run
    )
    return Response(body, status_code=status)


async def _created(db: Db, done: CheckedOut) -> dict[str, Any]:
    out = await order_out(db, done.order, done.tickets, shape=OrderCreated, secret=done.secret)
    return out.model_dump(mode="json")


class ShopOrderController(Controller):
    path = "/public/orders"
    tags = ["shop"]
    opt = {"exclude_from_auth": True}

    @post(
        "/",
        summary="Check out a basket (the order waits for its payment)",
        responses={
            201: success(OrderCreated, "The order; replayed for a repeated key."),
            **selling_conflicts(),
        },
    )
    async def create(
        self, db: Db, data: JSONBody[OrderIn], idempotency_key: IdempotencyKey = None
    ) -> Response[dict[str, Any]]:
        async def run() -> tuple[int, dict[str, Any]]:
            return 201, await _created(db, await shop.check_out_basket(db, data))

        status, body = await replay_or_run(
            db,
            scope=_scope("shop-order"),
            key=idempotency_key,
            body=data.model_dump(mode="json"),
            run=run,
            # A basket becomes one order only: a second run is refused at its lock.
            claim_first=False,
        )
        return Response(body, status_code=status)

    @get(
        "/{order_id:uuid}",
        summary="The buyer's view of an order (needs its secret)",
        opt={ORDER_SECRET: True},
    )
    async def get_order(
        self, db: Db, order_id: FromPath[uuid.UUID], secret: FromQuery[str]
    ) -> BuyerOrderOut:
        return await buyer_order_out(db, await lifecycle.buyers_order(db, order_id, secret))


class BoxOfficeOrderController(Controller):
    path = "/box-office/orders"
    tags = ["box office"]

    @post(
        "/",
        summary="Sell a basket at the counter, or reserve it until a deadline",
        responses={
            201: success(OrderCreated, "The order; replayed for a repeated key."),
            **selling_conflicts(),
        },
    )
    async def create(
        self,
        db: Db,
        principal: Caller,
        data: JSONBody[BoxOfficeOrderIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        async def run() -> tuple[int, dict[str, Any]]:
            return 201, await _created(db, await box_office.sell(db, principal, data))

        scope = _scope("box-office-order", principal.user_id or principal.api_token_id)
        status, body = await replay_or_run(
            db,
            scope=scope,
            key=idempotency_key,
            body=data.model_dump(mode="json"),
            run=run,
            # A basket becomes one order only: a second run is refused at its lock.
            claim_first=False,
        )
        return Response(body, status_code=status)


class OrderController(Controller):
    path = "/orders"
    tags = ["orders"]

    @get("/", summary="Orders of my houses: search by code, name or e-mail")
    async def list_orders(
        self,
        db: Db,
        principal: Caller,
        house_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[OrderStatus | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[OrderOut]:
        orders = await repo.list_orders(
            db, principal, house_id=house_id, status=status, q=q, limit=limit, offset=offset
        )
        return await orders_out(db, orders)

    @get("/{order_id:uuid}")
    async def get_order(self, db: Db, principal: Caller, order_id: FromPath[uuid.UUID]) -> OrderOut:
        return await order_out(db, await box_office.staff_order(db, principal, order_id))

    @get("/{order_id:uuid}/history", summary="Everything that happened to the order")
    async def history(
        self, db: Db, principal: Caller, order_id: FromPath[uuid.UUID]
    ) -> list[OrderEventOut]:
        order = await box_office.staff_order(db, principal, order_id)
        return [OrderEventOut.model_validate(e) for e in await repo.history(db, order.id)]

    @post(
        "/{order_id:uuid}/payments",
        summary="Pay a reservation at the counter",
        status_code=200,
        responses={200: success(OrderOut, "The order, paid.")},
    )
    async def pay(
        self,
        db: Db,
        principal: Caller,
        order_id: FromPath[uuid.UUID],
        data: JSONBody[PaymentIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        return await _order_action(
            db,
            principal,
            "pay",
            order_id,
            data,
            idempotency_key,
            lambda: box_office.pay_reservation(db, principal, order_id, data),
        )

    @post(
        "/{order_id:uuid}/cancel",
        summary="Cancel the order or some tickets, with the refund",
        status_code=200,
        responses={200: success(OrderOut, "The order after the cancellation.")},
    )
    async def cancel(
        self,
        db: Db,
        principal: Caller,
        order_id: FromPath[uuid.UUID],
        data: JSONBody[CancelIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        return await _order_action(
            db,
            principal,
            "cancel",
            order_id,
            data,
            idempotency_key,
            lambda: box_office.cancel(db, principal, order_id, data),
        )


class ExchangeController(Controller):
    path = "/orders"
    tags = ["orders"]

    @post(
        "/{order_id:uuid}/exchange",
        summary="Exchange a ticket for another place",
        status_code=200,
        responses={200: success(OrderOut, "The order after the exchange."), **selling_conflicts()},
    )
    async def exchange(
        self,
        db: Db,
        principal: Caller,
        order_id: FromPath[uuid.UUID],
        data: JSONBody[ExchangeIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        return await _order_action(
            db,
            principal,
            "exchange",
            order_id,
            data,
            idempotency_key,
            lambda: exchange.exchange(db, principal, order_id, data),
        )


class TillController(Controller):
    path = "/till"
    tags = ["box office"]

    @post("/open", summary="Open my till with a float")
    async def open_till(self, db: Db, principal: Caller, data: JSONBody[TillOpenIn]) -> TillOut:
        return TillOut.model_validate(await box_office.open_till(db, principal, data))

    @get("/mine", summary="My open till in a house, with what it took so far")
    async def my_till(self, db: Db, principal: Caller, house_id: FromQuery[uuid.UUID]) -> TillOut:
        till = await box_office.my_open_till(db, principal, house_id)
        out = TillOut.model_validate(till)
        out.report = await box_office.till_report(db, till)
        return out

    @get("/{till_id:uuid}", summary="A till, with what it took so far")
    async def get_till(self, db: Db, principal: Caller, till_id: FromPath[uuid.UUID]) -> TillOut:
        till = await box_office.get_till(db, principal, till_id)
        out = TillOut.model_validate(till)
        if till.closed_at is None:
            out.report = await box_office.till_report(db, till)
        return out

    @post("/{till_id:uuid}/close", summary="Close my till with the cash count", status_code=200)
    async def close_till(
        self, db: Db, principal: Caller, till_id: FromPath[uuid.UUID], data: JSONBody[TillCloseIn]
    ) -> TillOut:
        return TillOut.model_validate(await box_office.close_till(db, principal, till_id, data))


CONTROLLERS = [
    ShopOrderController,
    BoxOfficeOrderController,
    OrderController,
    ExchangeController,
    TillController,
]
