"""The sync state of an event in UiTdatabank, and asking for a new sync."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody

from ticketing.events.models import Event
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import authorize, get_scoped
from ticketing.uitdatabank import sync
from ticketing.uitdatabank.schemas import LocationLink, SyncState
from ticketing.uitdatabank.views import sync_state_out


class UitdatabankController(Controller):
    path = "/events/{event_id:uuid}/uitdatabank"
    tags = ["uitdatabank"]

    @get("/", summary="The event in UiTdatabank: ids, last success, pending changes, errors")
    async def state(self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID]) -> SyncState:
        event = await get_scoped(db, Event, event_id, principal, what="Event")
        return await sync_state_out(db, principal, event)

    @post("/sync", summary="Send the event to UiTdatabank again (house admin)", status_code=202)
    async def resync(self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID]) -> SyncState:
        event = await get_scoped(db, Event, event_id, principal, what="Event")
        authorize(principal, event.house_id)
        await sync.resync(db, event)
        return await sync_state_out(db, principal, event)

    @put(
        "/locations/{venue_id:uuid}",
        summary="Link the event at a venue to its UiTdatabank event, or have it created "
        "(house admin; after a creation whose answer was lost)",
    )
    async def link(
        self,
        db: Db,
        principal: Caller,
        event_id: FromPath[uuid.UUID],
        venue_id: FromPath[uuid.UUID],
        data: JSONBody[LocationLink],
    ) -> SyncState:
        event = await get_scoped(db, Event, event_id, principal, what="Event")
        authorize(principal, event.house_id)
        await sync.link_location(db, event, venue_id, data.uitdatabank_id)
        return await sync_state_out(db, principal, event)


CONTROLLERS = [UitdatabankController]
