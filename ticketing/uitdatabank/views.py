"""An event's state in UiTdatabank as staff see it."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import Event
from ticketing.tenancy.principal import Principal
from ticketing.uitdatabank import repository, sync
from ticketing.uitdatabank.schemas import LocationSync, SyncState


async def sync_state_out(session: AsyncSession, principal: Principal, event: Event) -> SyncState:
    settings = sync.uitdatabank_settings()
    rows = await repository.locations(session, principal, event.id)
    pending = await repository.pending_changes(session, event.id)
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
