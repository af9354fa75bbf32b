from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from ticketing.core.errors import NotFound
from ticketing.core.openapi import selling_conflicts
from ticketing.core.paging import Limit, Offset
from ticketing.core.times import DayParam, day_query
from ticketing.events.models import Performance
from ticketing.events.schemas import EventTypeOut, ProgrammeItem, PublicEvent
from ticketing.events.taxonomy import EVENT_TYPES
from ticketing.events.views import event_type_out
from ticketing.inventory import availability as avail
from ticketing.inventory import holds, programme, service
from ticketing.inventory import repository as repo
from ticketing.inventory.schemas import (
    AvailabilityOut,
    BlockIn,
    BoxOfficeHoldIn,
    HoldItemsIn,
    HoldOut,
)
from ticketing.inventory.views import basket_out, hold_out
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import authorize, get_scoped

SVG = "image/svg+xml"


async def _public_performance(db: Db, performance_id: uuid.UUID) -> Performance:
    found = await repo.performance_for_sale(db, performance_id)
    if found is None or not holds.public_performance_visible(found[0], found[1].status):
        raise NotFound("This performance is not on sale.")
    return found[0]


class PublicInventoryController(Controller):
    """The shop's basket and the live seat map. No login: a basket is reached by its id."""

    path = "/public"
    tags = ["shop"]
    opt = {"exclude_from_auth": True}

    @get("/performances/{performance_id:uuid}/availability", summary="Live availability")
    async def availability(self, db: Db, performance_id: FromPath[uuid.UUID]) -> AvailabilityOut:
        return await avail.availability(db, await _public_performance(db, performance_id))

    @get(
        "/performances/{performance_id:uuid}/seatmap.svg",
        summary="The seat map with live states",
        media_type=SVG,
    )
    async def seatmap(self, db: Db, performance_id: FromPath[uuid.UUID]) -> Response[str]:
        performance = await _public_performance(db, performance_id)
        return Response(await avail.availability_svg(db, performance), media_type=SVG)

    @post("/holds", summary="Hold places in a new basket", responses=selling_conflicts())
    async def create_hold(self, db: Db, data: JSONBody[HoldItemsIn]) -> HoldOut:
        hold, items = await holds.create_online_hold(db, data)
        return await hold_out(db, hold, items)

    @get("/holds/{hold_id:uuid}", summary="A basket")
    async def get_hold(self, db: Db, hold_id: FromPath[uuid.UUID]) -> HoldOut:
        return await basket_out(db, await holds.online_hold(db, hold_id))

    @post(
        "/holds/{hold_id:uuid}/items",
        summary="Hold more places in the basket",
        responses=selling_conflicts(),
    )
    async def add_items(
        self, db: Db, hold_id: FromPath[uuid.UUID], data: JSONBody[HoldItemsIn]
    ) -> HoldOut:
        return await hold_out(db, await holds.add_places(db, hold_id, data, None))

    @delete("/holds/{hold_id:uuid}/items/{item_id:uuid}", summary="Give one place back")
    async def release_item(
        self, db: Db, hold_id: FromPath[uuid.UUID], item_id: FromPath[uuid.UUID]
    ) -> None:
        await holds.give_back_place(db, hold_id, item_id, None)

    @post(
        "/holds/{hold_id:uuid}/extend",
        summary="Extend the basket once",
        status_code=200,
        responses=selling_conflicts(),
    )
    async def extend(self, db: Db, hold_id: FromPath[uuid.UUID]) -> HoldOut:
        return await hold_out(db, await holds.extend(db, hold_id, None))

    @delete("/holds/{hold_id:uuid}", summary="Give every place back")
    async def release(self, db: Db, hold_id: FromPath[uuid.UUID]) -> None:
        await holds.give_back(db, hold_id, None)


class BoxOfficeHoldController(Controller):
    path = "/box-office/holds"
    tags = ["box office"]

    @post("/", summary="Hold places at the counter", responses=selling_conflicts())
    async def create_hold(
        self, db: Db, principal: Caller, data: JSONBody[BoxOfficeHoldIn]
    ) -> HoldOut:
        hold, items = await holds.create_box_office_hold(db, principal, data)
        return await hold_out(db, hold, items)

    @get("/{hold_id:uuid}")
    async def get_hold(self, db: Db, principal: Caller, hold_id: FromPath[uuid.UUID]) -> HoldOut:
        return await hold_out(db, await holds.box_office_hold(db, principal, hold_id))

    @post("/{hold_id:uuid}/items", summary="Hold more places", responses=selling_conflicts())
    async def add_items(
        self, db: Db, principal: Caller, hold_id: FromPath[uuid.UUID], data: JSONBody[HoldItemsIn]
    ) -> HoldOut:
        return await hold_out(db, await holds.add_places(db, hold_id, data, principal))

    @delete("/{hold_id:uuid}/items/{item_id:uuid}", summary="Give one place back")
    async def release_item(
        self,
        db: Db,
        principal: Caller,
        hold_id: FromPath[uuid.UUID],
        item_id: FromPath[uuid.UUID],
    ) -> None:
        await holds.give_back_place(db, hold_id, item_id, principal)

    @post(
        "/{hold_id:uuid}/extend",
        summary="Extend the basket once",
        status_code=200,
        responses=selling_conflicts(),
    )
    async def extend(self, db: Db, principal: Caller, hold_id: FromPath[uuid.UUID]) -> HoldOut:
        return await hold_out(db, await holds.extend(db, hold_id, principal))

    @delete("/{hold_id:uuid}", summary="Give every place back")
    async def release(self, db: Db, principal: Caller, hold_id: FromPath[uuid.UUID]) -> None:
        await holds.give_back(db, hold_id, principal)


async def _change_blocks(
    db: Db,
    principal: Principal,
    performance_id: uuid.UUID,
    seats: list[str],
    change: Callable[[Db, Performance, list[str]], Awaitable[object]],
) -> AvailabilityOut:
    performance = await get_scoped(db, Performance, performance_id, principal, what="Performance")
    authorize(principal, performance.house_id, MANAGE)
    await change(db, performance, seats)
    return await avail.availability(db, performance)


class PerformanceInventoryController(Controller):
    path = "/performances/{performance_id:uuid}"
    tags = ["box office"]

    @get("/availability", summary="Live availability (any status)")
    async def availability(
        self, db: Db, principal: Caller, performance_id: FromPath[uuid.UUID]
    ) -> AvailabilityOut:
        performance = await get_scoped(
            db, Performance, performance_id, principal, what="Performance"
        )
        return await avail.availability(db, performance)

    @post("/blocks", summary="Block seats (house seats, technical kills)", status_code=200)
    async def block(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        data: JSONBody[BlockIn],
    ) -> AvailabilityOut:
        return await _change_blocks(db, principal, performance_id, data.seats, service.block_seats)

    @post("/unblock", summary="Put blocked seats back on sale", status_code=200)
    async def unblock(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        data: JSONBody[BlockIn],
    ) -> AvailabilityOut:
        return await _change_blocks(
            db, principal, performance_id, data.seats, service.unblock_seats
        )


class PublicController(Controller):
    """What the shop shows: published events with performances on sale. No login."""

    path = "/public"
    tags = ["public programme"]
    opt = {"exclude_from_auth": True}

    @get("/event-types", summary="Genres (UiTdatabank event types)")
    async def event_types(self) -> list[EventTypeOut]:
        return [event_type_out(type_id) for type_id in EVENT_TYPES]

    @get("/clusters/{cluster_slug:str}/programme", summary="A cluster's programme (all its houses)")
    async def cluster_programme(
        self,
        db: Db,
        cluster_slug: FromPath[str],
        date_from: DayParam = None,
        date_to: DayParam = None,
        genre: FromQuery[str | None] = None,
        house: str | None = Parameter(default=None, description="Short name (slug) of one house."),
        q: str | None = Parameter(
            default=None, min_length=2, max_length=100, description="Words of the title."
        ),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[ProgrammeItem]:
        return await programme.programme(
            db,
            cluster_slug=cluster_slug,
            house_slug=house,
            date_from=day_query("date_from", date_from),
            date_to=day_query("date_to", date_to),
            genre=genre,
            q=q,
            limit=limit,
            offset=offset,
        )

    @get("/houses/{house_slug:str}/programme", summary="A house's programme")
    async def house_programme(
        self,
        db: Db,
        house_slug: FromPath[str],
        date_from: DayParam = None,
        date_to: DayParam = None,
        genre: FromQuery[str | None] = None,
        q: str | None = Parameter(
            default=None, min_length=2, max_length=100, description="Words of the title."
        ),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[ProgrammeItem]:
        return await programme.programme(
            db,
            house_slug=house_slug,
            date_from=day_query("date_from", date_from),
            date_to=day_query("date_to", date_to),
            genre=genre,
            q=q,
            limit=limit,
            offset=offset,
        )

    @get("/events/{event_id:uuid}", summary="A published event with prices per zone and tariff")
    async def public_event(self, db: Db, event_id: FromPath[uuid.UUID]) -> PublicEvent:
        return await programme.public_event(db, event_id)


class CounterController(Controller):
    path = "/box-office"
    tags = ["box office"]

    @get(
        "/events/{event_id:uuid}",
        summary=(
            "An event of my cluster as the counter sells it (with the staff-only tariffs"
            " when it is my house's)"
        ),
    )
    async def counter_event(
        self,
        db: Db,
        principal: Caller,
        event_id: FromPath[uuid.UUID],
        house_id: FromQuery[uuid.UUID],  # the house whose counter sells
    ) -> PublicEvent:
        return await programme.public_event(db, event_id, counter=principal, counter_house=house_id)


CONTROLLERS = [
    PublicController,
    CounterController,
    PublicInventoryController,
    BoxOfficeHoldController,
    PerformanceInventoryController,
]
