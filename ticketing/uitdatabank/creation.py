"""A creation (`POST /events`) is sent at most once per location.

Its answer can be lost: the connection drops or times out after the request went out, or
the worker dies before the transaction that stores the id commits. Either way UiTdatabank
may hold the event, and the Entry API in publiq's contract reads an event only by its id
(the search API is not part of it), so Podium cannot look. Sending the creation again
could make a second event, so the location is held for staff instead (status
`uncertain`), who look it up by its booking link and say which it is.

To see a dead worker's creation, the mark `create_sent_at` is stored in a transaction of
its own just before the request goes out; the answer's id clears it, in a transaction of
its own too, so that the id outlives whatever rolls the sync's transaction back.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent
from ticketing.venues.models import Venue

log = logging.getLogger("ticketing.uitdatabank")


async def as_stored(session: AsyncSession, record: UitdatabankEvent) -> UitdatabankEvent:
    """The location's row as committed now (or the new `record` when there is none)."""
    stored = (
        await session.exec(
            select(UitdatabankEvent)
            .where(
                UitdatabankEvent.event_id == record.event_id,
                UitdatabankEvent.venue_id == record.venue_id,
            )
            .execution_options(populate_existing=True)
        )
    ).first()
    return stored if stored is not None else record


# The mark of a creation about to be sent, on the location's row (made if new).
MARK = text(
    "INSERT INTO uitdatabank_event (id, house_id, cluster_id, event_id, venue_id, status, "
    "sub_events, schema_errors, created_at, updated_at, create_sent_at) "
    "VALUES (:id, :house_id, :cluster_id, :event_id, :venue_id, :status, '[]', '[]', "
    ":now, :now, :now) "
    "ON CONFLICT (event_id, venue_id) DO UPDATE SET create_sent_at = :now, updated_at = :now"
)
UNMARK = text("UPDATE uitdatabank_event SET create_sent_at = NULL WHERE id = :id")
# The answer of a creation: its id and the performances of its sub-events, by index.
CREATED = text(
    "UPDATE uitdatabank_event SET udb_id = :udb_id, sub_events = :sub_events, "
    "create_sent_at = NULL, updated_at = :now WHERE id = :id"
).bindparams(bindparam("sub_events", type_=JSONB))


async def on_its_own(session: AsyncSession, statement: Any, params: dict[str, Any]) -> None:
    """Run `statement` in a transaction of its own, committed when this returns, so that it
    outlives the session's transaction if the worker dies. A session bound to a single
    connection (the tests that roll everything back) has no other: there it goes with the
    session's transaction."""
    bind = session.bind
    if isinstance(bind, AsyncEngine):
        async with bind.begin() as connection:
            await connection.execute(statement, params)
    else:
        await (await session.connection()).execute(statement, params)


async def mark_create_sent(session: AsyncSession, record: UitdatabankEvent) -> UitdatabankEvent:
    """Store, before `POST /events` goes out, that it is being sent: a worker killed before
    the answer is stored leaves the mark, and the next sync holds the location for staff
    rather than sending a second creation. Returns the location's stored row."""
    await on_its_own(
        session,
        MARK,
        {
            "id": record.id,
            "house_id": record.house_id,
            "cluster_id": record.cluster_id,
            "event_id": record.event_id,
            "venue_id": record.venue_id,
            "status": SyncStatus.PENDING.value,
            "now": clock.now(),
        },
    )
    return await as_stored(session, record)


async def store_created(
    session: AsyncSession, record: UitdatabankEvent, udb_id: str, sub_events: list[str]
) -> None:
    """Store the id UiTdatabank gave the new event, in a transaction of its own and at
    once: the sync's transaction holds every venue of the event, and when something after
    the creation rolls it back (a later venue's place busy, a deadlock, the commit), the
    event still exists in UiTdatabank. Kept only there, its id would be lost and the next
    sync would find the mark and call the creation uncertain. The sync's transaction
    writes the same values (`record` is set here too)."""
    # Logged first: should storing it fail, staff can still find which event it was.
    log.info("uitdatabank created event %s as %s", record.event_id, udb_id)
    params = {"id": record.id, "udb_id": udb_id, "sub_events": sub_events, "now": clock.now()}
    await on_its_own(session, CREATED, params)
    record.udb_id, record.sub_events, record.create_sent_at = udb_id, sub_events, None


def hold_for_staff(
    session: AsyncSession,
    record: UitdatabankEvent,
    venue: Venue,
    shop_url: str,
    why: str,
) -> None:
    """The answer to `POST /events` was lost. The Entry API in publiq's contract has no
    search (an event is found only by its id), so whether UiTdatabank holds the event
    cannot be asked; sending it again could make a second one. Staff look it up in
    UiTdatabank (by our shop link, which the event carries) and tell (`link_location`)."""
    record.status = SyncStatus.UNCERTAIN
    record.last_error = (
        "Create uncertain - check UiTdatabank. The answer to the creation of this event "
        f"for {venue.name} was lost ({why}), so UiTdatabank may or may not hold it now. "
        "Nothing more is sent for this venue until you check: look in UiTdatabank for the "
        f"event with the booking link {shop_url}. If it is there, link it: PUT "
        f"/events/{record.event_id}/uitdatabank/locations/{record.venue_id} with "
        '{"uitdatabank_id": "<its id>"}. If it is not, send {"uitdatabank_id": null} '
        "and Podium creates it."
    )[:2000]
    record.schema_errors = []
    session.add(record)
    log.warning("uitdatabank create of event %s uncertain: %s", record.event_id, why)
