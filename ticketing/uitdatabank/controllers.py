"""The sync state of an event in UiTdatabank, and asking for a new sync."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody
from sqlalchemy import text
from sqlmodel import col, select

from ticketing.core.schemas import In, Out
from ticketing.events.models import Event
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import authorize, get_scoped
from ticketing.uitdatabank import sync
from ticketing.uitdatabank.models import UitdatabankEvent

_PENDING = text(
    "SELECT count(*) FROM outbox_message WHERE topic LIKE 'uitdatabank.%' "
    "AND processed_at IS NULL AND payload->>'event_id' = :event_id"
)


class LocationSync(Out):
    venue_id: uuid.UUID
    uitdatabank_id: str | None
    url: str | None
    status: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    schema_errors: list[dict[str, Any]]


class LocationLink(In):
    """Which UiTdatabank event is this event's at the venue; null: UiTdatabank holds none,
    create it (after a creation whose answer was lost, once staff have checked)."""

    uitdatabank_id: uuid.UUID | None


class SyncState(Out):
    event_id: uuid.UUID
    environment: str
    pending_changes: int
    locations: list[LocationSync]


async def sync_state(db: Db, event: Event) -> SyncState:
    settings = sync.uitdatabank_settings()
    rows = (
        await db.exec(
            select(UitdatabankEvent)
            .where(UitdatabankEvent.event_id == event.id)
            .order_by(col(UitdatabankEvent.created_at))
        )
    ).all()
    pending = (
        await (await db.connection()).execute(_PENDING, {"event_id": str(event.id)})
    ).scalar_one()
    base = settings.api_url.rstrip("/")
    return SyncState(
        event_id=event.id,
        environment=settings.environment,
        pending_changes=pending,
        locations=[
            LocationSync(
                venue_id=r.venue_id,
                uitdatabank_id=r.udb_id,
                url=f"{base}/events/{r.udb_id}" if r.udb_id and base else None,
                status=r.status,
                last_attempt_at=r.last_attempt_at,
                last_success_at=r.last_success_at,
                last_error=r.last_error,
                schema_errors=r.schema_errors,
            )
            for r in rows
        ],
    )


class UitdatabankController(Controller):
    path = "/events/{event_id:uuid}/uitdatabank"
    tags = ["uitdatabank"]

    @get("/", summary="The event in UiTdatabank: ids, last success, pending changes, errors")
    async def state(self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID]) -> SyncState:
        event = await get_scoped(db, Event, event_id, principal, what="Event")
        return await sync_state(db, event)

    @post("/sync", summary="Send the event to UiTdatabank again (house admin)", status_code=202)
    async def resync(self, db: Db, principal: Caller, event_id: FromPath[uuid.UUID]) -> SyncState:
        event = await get_scoped(db, Event, event_id, principal, what="Event")
        authorize(principal, event.house_id)
        sync.changed(db, event, was_published=True)
        await db.flush()
        return await sync_state(db, event)

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
        return await sync_state(db, event)


CONTROLLERS = [UitdatabankController]
