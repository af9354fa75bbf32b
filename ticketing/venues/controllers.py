from __future__ import annotations

import uuid

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import get_scoped
from ticketing.venues import repository as repo
from ticketing.venues import service
from ticketing.venues.models import Hall, Venue
from ticketing.venues.schemas import HallIn, HallOut, HallPatch, VenueIn, VenueOut, VenuePatch


class VenueController(Controller):
    path = "/venues"
    tags = ["venues"]

    @get("/")
    async def list_venues(
        self, db: Db, principal: Caller, house_id: FromQuery[uuid.UUID | None] = None
    ) -> list[VenueOut]:
        return [VenueOut.model_validate(v) for v in await repo.list_venues(db, principal, house_id)]

    @post("/")
    async def create_venue(self, db: Db, principal: Caller, data: JSONBody[VenueIn]) -> VenueOut:
        return VenueOut.model_validate(await service.create_venue(db, principal, data))

    @get("/{venue_id:uuid}")
    async def get_venue(self, db: Db, principal: Caller, venue_id: FromPath[uuid.UUID]) -> VenueOut:
        return VenueOut.model_validate(
            await get_scoped(db, Venue, venue_id, principal, what="Venue")
        )

    @patch("/{venue_id:uuid}")
    async def update_venue(
        self, db: Db, principal: Caller, venue_id: FromPath[uuid.UUID], data: JSONBody[VenuePatch]
    ) -> VenueOut:
        return VenueOut.model_validate(await service.update_venue(db, principal, venue_id, data))


class HallController(Controller):
    path = "/halls"
    tags = ["venues"]

    @get("/")
    async def list_halls(
        self,
        db: Db,
        principal: Caller,
        venue_id: FromQuery[uuid.UUID | None] = None,
        house_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[HallOut]:
        halls = await repo.list_halls(db, principal, venue_id, house_id)
        return [HallOut.model_validate(h) for h in halls]

    @post("/")
    async def create_hall(self, db: Db, principal: Caller, data: JSONBody[HallIn]) -> HallOut:
        return HallOut.model_validate(await service.create_hall(db, principal, data))

    @get("/{hall_id:uuid}")
    async def get_hall(self, db: Db, principal: Caller, hall_id: FromPath[uuid.UUID]) -> HallOut:
        return HallOut.model_validate(await get_scoped(db, Hall, hall_id, principal, what="Hall"))

    @patch("/{hall_id:uuid}")
    async def update_hall(
        self, db: Db, principal: Caller, hall_id: FromPath[uuid.UUID], data: JSONBody[HallPatch]
    ) -> HallOut:
        return HallOut.model_validate(await service.update_hall(db, principal, hall_id, data))


CONTROLLERS = [VenueController, HallController]
