"""The check of an event against UiTdatabank's limits, when the house publishes it or
changes a published one (see `limits`): refused with 422, before anything is stored or
sent. Called by the events service; a no-op while UiTdatabank is not configured, since
nothing is published there then."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import FieldError, InvalidInput
from ticketing.events.models import Event, EventStatus
from ticketing.uitdatabank import limits, sync

# The venues of an event's performances that have no UiTdatabank place yet: the sync
# creates one for each, with the venue's name.
_UNLINKED_VENUES = text(
    "SELECT DISTINCT v.id, v.name FROM performance p JOIN hall h ON h.id = p.hall_id "
    "JOIN venue v ON v.id = h.venue_id "
    "WHERE p.event_id = :event_id AND v.uitdatabank_place_id IS NULL ORDER BY v.id"
)


async def check_publishable(
    session: AsyncSession, event: Event, *, tariff_code: str | None = None
) -> None:
    """Refuse (422, the fields named) what UiTdatabank would refuse of a published event:
    its title, the names of its public tariffs, and the name of a venue it would create a
    place for (`venues[<id>].name`). `tariff_code`: the tariff the request
    changes, whose fields are then named `name.<language>`."""
    if event.status != EventStatus.PUBLISHED or not sync.uitdatabank_settings().api_url:
        return
    await session.flush()  # the change being made is part of what is checked
    errors = limits.problems(
        event.title, await sync.tariff_facts(session, event.id), tariff_code=tariff_code
    )
    if sync.uitdatabank_settings().place_type_id:
        connection = await session.connection()
        for venue in await connection.execute(_UNLINKED_VENUES, {"event_id": event.id}):
            message = limits.place_name_problem(venue.name)
            if message is not None:
                errors.append(FieldError(f"venues[{venue.id}].name", message))
    if errors:
        raise InvalidInput(
            "UiTdatabank would refuse this event: " + " ".join(e.message for e in errors),
            errors=errors,
        )
