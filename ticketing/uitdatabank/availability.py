"""How many places are left, in UiTdatabank: `PATCH /events/{id}/sub-events` with each
changed performance's `bookingAvailability` (capacity, remaining capacity, Available or
Unavailable).

Whenever places change hands (an order, a cancellation, a basket or unpaid order given
back, seats blocked or freed) the transaction stores a coalesced outbox message for the
performance, if its event is in UiTdatabank:

- normally due `availability_every_seconds` later: the sales of that while (forty in a
  second, or four hundred) are one message, and the update sent is the count when it
  runs, so UiTdatabank gets at most one update per performance that often;
- when this change left no place free, due at once, under a key of its own, so "sold
  out" does not wait behind the coalesced update.

The worker reads the availability when it runs; the message only says which performance.
A performance UiTdatabank does not hold yet (no sub-event for it) gets the full sync.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.db import raw
from ticketing.events.models import Event, Performance
from ticketing.inventory import changes
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.layouts import layout_index
from ticketing.seatmaps.layout import SeatFlag
from ticketing.uitdatabank import mapping, sync
from ticketing.uitdatabank.client import Client, Refused
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent
from ticketing.venues.models import Hall

log = logging.getLogger("ticketing.uitdatabank")

AVAILABILITY_TOPIC = "uitdatabank.availability"

# Of the changed performances whose event is in UiTdatabank: the event, and whether no
# place is left (seats sold, held or blocked up to the layout's seats for sale, and every
# standing area full).
_CHANGED = """
    SELECT p.id AS performance_id, p.event_id, p.house_id,
           (SELECT count(*) FROM allocation a
             WHERE a.performance_id = p.id AND a.seat_key IS NOT NULL
               AND (a.status <> 'held' OR a.expires_at > $3)) >= w.seats
           AND NOT EXISTS (SELECT 1 FROM standing_stock s
                            WHERE s.performance_id = p.id AND s.used < s.capacity) AS none_left
    FROM unnest($1::uuid[], $2::int[]) AS w(id, seats)
    JOIN performance p ON p.id = w.id
    WHERE EXISTS (SELECT 1 FROM uitdatabank_event u
                   WHERE u.event_id = p.event_id AND u.udb_id IS NOT NULL)
"""


@changes.listen
async def places_changed(session: AsyncSession, performance_ids: set[uuid.UUID]) -> None:
    settings = sync.uitdatabank_settings()
    if not settings.api_url:
        return
    ids, seats = [], []
    for performance_id in sorted(performance_ids):
        _, target = await inventory_repo.sale_target(session, performance_id, None)
        if target is None:
            continue
        index = await layout_index(session, target.layout_id)
        ids.append(performance_id)
        seats.append(sum(1 for s in index.seats.values() if SeatFlag.BLOCKED not in s.flags))
    if not ids:
        return
    connection = await raw.connection(session)
    every = timedelta(seconds=settings.availability_every_seconds)
    for row in await connection.fetch(_CHANGED, ids, seats, clock.now()):
        performance_id, full = row["performance_id"], row["none_left"]
        outbox.put_coalesced(
            session,
            AVAILABILITY_TOPIC,
            {"event_id": str(row["event_id"]), "performance_id": str(performance_id)},
            f"{AVAILABILITY_TOPIC}:{performance_id}" + (":none-left" if full else ""),
            delay=timedelta(0) if full else every,
            house_id=row["house_id"],
        )


async def send_availability(
    session: AsyncSession, performance_id: uuid.UUID, client: Client
) -> None:
    performance = await session.get(Performance, performance_id)
    if performance is None:
        return
    hall = await session.get(Hall, performance.hall_id)
    assert hall is not None
    record = (
        await session.exec(
            select(UitdatabankEvent).where(
                UitdatabankEvent.event_id == performance.event_id,
                UitdatabankEvent.venue_id == hall.venue_id,
            )
        )
    ).first()
    if record is None or record.udb_id is None:
        return  # not in UiTdatabank (yet): its first sync carries the availability
    if str(performance_id) not in record.sub_events:
        event = await session.get(Event, performance.event_id)
        assert event is not None
        sync.changed(session, event, was_published=True)  # a new sub-event: full sync
        return
    (showing,) = await sync.showings(session, [performance])
    patch = mapping.availability_patch(
        (showing,), {performance_id: record.sub_events.index(str(performance_id))}
    )
    record.last_attempt_at = clock.now()
    try:
        await client.patch_sub_events(record.udb_id, patch)
    except Refused as exc:
        record.status = SyncStatus.FAILED
        record.last_error = str(exc)[:2000]
        record.schema_errors = exc.schema_errors()
        log.warning("uitdatabank refused availability of %s: %s", performance_id, exc)
    else:
        record.last_success_at = clock.now()
    session.add(record)


@outbox.handler(AVAILABILITY_TOPIC)
async def carry_out_availability(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    if not sync.uitdatabank_settings().api_url:
        return
    client = Client(sync.uitdatabank_settings())
    try:
        await send_availability(session, uuid.UUID(message.payload["performance_id"]), client)
    finally:
        await client.close()
