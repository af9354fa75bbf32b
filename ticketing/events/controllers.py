from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from ticketing.core.paging import Limit, Offset
from ticketing.events import performances, service
from ticketing.events import repository as repo
from ticketing.events.models import EventStatus, Performance, Tariff
from ticketing.events.schemas import (
    EventDetail,
    EventIn,
    EventOut,
    EventPatch,
    PerformanceIn,
    PerformanceOut,
    PerformancePatch,
    PricesIn,
    TariffIn,
    TariffOut,
    TariffPatch,
)
from ticketing.events.views import event_out, performance_out
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import get_scoped


class EventController(Controller):
    path = "/events"
    tags = ["events"]

    @get("/", summary="Events of my houses (search by title, filter by house, status, genre)")
    async def list_events(
        self,
        db: Db,
        principal: Caller,
        house_id: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[EventStatus | None] = None,
        genre: FromQuery[str | None] = None,
        q: str | None = Parameter(default=None, max_length=100),
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> list[EventOut]:
        events = await repo.list_events(
            db,
            principal,
            house_id=house_id,
            status=status,
            event_type_id=genre,
            q=q,
            limit=limit,
            offset=offset,
        )
        return [event_out(e) for e in events]

    @post("/")
    async def create_event(self, db: Db, principal: Caller, data: JSONBody[EventIn]) -> EventOut:
        return event_out(await service.create_event(db, principal, data))

    @get("/{event_id:uuid}", summary="An event with its performances and tariffs")
    async def get_event(
        self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID]
    ) -> EventDetail:
        return await service.event_detail(db, principal, event_id)

    @patch("/{event_id:uuid}")
    async def update_event(
        self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID], data: JSONBody[EventPatch]
    ) -> EventOut:
        return event_out(await service.update_event(db, principal, event_id, data))

    @post("/{event_id:uuid}/performances", summary="Add a performance (date, hall, prices)")
    async def create_performance(
        self,
        db: Db,
        principal: Caller,
        event_id: FromPath[uuid.UUID],
        data: JSONBody[PerformanceIn],
    ) -> PerformanceOut:
        perf = await performances.create_performance(db, principal, event_id, data)
        return (await performance_out(db, [perf]))[0]

    @post("/{event_id:uuid}/tariffs", summary="Add a tariff")
    async def create_tariff(
        self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID], data: JSONBody[TariffIn]
    ) -> TariffOut:
        return TariffOut.model_validate(await service.create_tariff(db, principal, event_id, data))


class PerformanceController(Controller):
    path = "/performances"
    tags = ["events"]

    @get("/{performance_id:uuid}")
    async def get_performance(
        self, db: Db, principal: Caller, performance_id: FromPath[uuid.UUID]
    ) -> PerformanceOut:
        perf = await get_scoped(db, Performance, performance_id, principal, what="Performance")
        return (await performance_out(db, [perf]))[0]

    @patch("/{performance_id:uuid}", summary="Change times, sale windows, layout (draft) or status")
    async def update_performance(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        data: JSONBody[PerformancePatch],
    ) -> PerformanceOut:
        perf = await performances.update_performance(db, principal, performance_id, data)
        return (await performance_out(db, [perf]))[0]

    @put("/{performance_id:uuid}/prices", summary="Set the price of every zone")
    async def set_prices(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        data: JSONBody[PricesIn],
    ) -> PerformanceOut:
        perf = await performances.set_prices(db, principal, performance_id, data.prices)
        return (await performance_out(db, [perf]))[0]


class TariffController(Controller):
    path = "/tariffs"
    tags = ["events"]

    @get("/{tariff_id:uuid}")
    async def get_tariff(
        self, db: Db, principal: Caller, tariff_id: FromPath[uuid.UUID]
    ) -> TariffOut:
        return TariffOut.model_validate(
            await get_scoped(db, Tariff, tariff_id, principal, what="Tariff")
        )

    @patch("/{tariff_id:uuid}")
    async def update_tariff(
        self, db: Db, principal: Caller, tariff_id: FromPath[uuid.UUID], data: JSONBody[TariffPatch]
    ) -> TariffOut:
        return TariffOut.model_validate(await service.update_tariff(db, principal, tariff_id, data))

    @delete("/{tariff_id:uuid}")
    async def delete_tariff(
        self, db: Db, principal: Caller, tariff_id: FromPath[uuid.UUID]
    ) -> None:
        await service.delete_tariff(db, principal, tariff_id)


CONTROLLERS = [
    EventController,
    PerformanceController,
    TariffController,
]
