"""The check of an event against UiTdatabank's limits, when the house publishes it or
changes a published one (see `limits`): refused with 422, before anything is stored or
sent. Called by the events service; a no-op while UiTdatabank is not configured, since
nothing is published there then."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import InvalidInput
from ticketing.events.models import Event, EventStatus
from ticketing.uitdatabank import limits, sync


async def check_publishable(
    session: AsyncSession, event: Event, *, tariff_code: str | None = None
) -> None:
    """Refuse (422, the fields named) what UiTdatabank would refuse of a published event:
    its title and the names of its public tariffs. `tariff_code`: the tariff the request
    changes, whose fields are then named `name.<language>`."""
    if event.status != EventStatus.PUBLISHED or not sync.uitdatabank_settings().api_url:
        return
    await session.flush()  # the change being made is part of what is checked
    errors = limits.problems(
        event.title, await sync.tariff_facts(session, event.id), tariff_code=tariff_code
    )
    if errors:
        raise InvalidInput(
            "UiTdatabank would refuse this event: " + " ".join(e.message for e in errors),
            errors=errors,
        )
