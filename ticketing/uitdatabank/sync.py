"""Publishing events to UiTdatabank, through the outbox.

A change that matters (publishing, an edit, a new, moved or cancelled performance, prices
or tariffs) calls `changed(session, event_id)` in its own transaction. That stores an
outbox message; after the commit a worker carries it out (`uitdatabank.sync`):

- per venue of the event's performances, one UiTdatabank event;
- the first time: the venue's place (linked by an admin, or created with `POST /places`;
  a duplicate answer gives the existing place), then `POST /events` with workflow status
  READY_FOR_VALIDATION; its id is stored;
- later: a fresh `GET /events/{id}`, then a full `PUT` of our facts over it, so what an
  editor added in UiTdatabank itself (labels, images, videos) stays.

A cancelled performance stays as a sub-event with status Unavailable; nothing is deleted.
When UiTdatabank refuses what we send (400, with its schema errors), the sync is marked
failed with the message, shown to the house, and not tried again until the event changes.
Busy or down (429, 5xx, timeouts, after the client's own tries): the outbox tries again
with its backoff.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.core.errors import Conflict, FieldError, NotFound
from ticketing.core.runtime import Part, current
from ticketing.db.engine import create_engine, create_sessionmaker
from ticketing.db.uow import unit_of_work
from ticketing.events.models import Event, EventStatus, Performance, PerformanceStatus
from ticketing.inventory.availability import availability
from ticketing.settings import UitdatabankSettings
from ticketing.tenancy.models import House
from ticketing.uitdatabank import creation, limits, mapping
from ticketing.uitdatabank.client import Client, CreateUncertain, Refused, Retryable
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent
from ticketing.venues.models import Hall, Venue

log = logging.getLogger("ticketing.uitdatabank")

SYNC_TOPIC = "uitdatabank.sync"
_QUEUED = "podium.uitdatabank_queued"
# What an editor may have added in UiTdatabank itself: kept when we PUT our facts.
KEPT_FROM_UITDATABANK = ("labels", "hiddenLabels", "mediaObject", "image", "videos", "contactPoint")


@dataclass(frozen=True)
class UitdatabankConfig:
    """UiTdatabank's part of a runtime (ticketing.core.runtime)."""

    settings: UitdatabankSettings
    public_url: str


UITDATABANK = Part(
    "uitdatabank", lambda s: UitdatabankConfig(s.uitdatabank, s.public_url.rstrip("/"))
)


def configure(settings: UitdatabankSettings, public_url: str) -> None:
    """Use these settings in the current runtime (tests point the sync at a fake)."""
    current().put(UITDATABANK, UitdatabankConfig(settings, public_url.rstrip("/")))


def uitdatabank_settings() -> UitdatabankSettings:
    return current().get(UITDATABANK).settings


def changed(session: AsyncSession, event: Event, *, was_published: bool = False) -> None:
    """Queue the sync of a published event (or one that just stopped being published)
    with this transaction: once, however many changes it makes."""
    if event.status != EventStatus.PUBLISHED and not was_published:
        return
    queued: set[uuid.UUID] = session.info.setdefault(_QUEUED, set())
    if event.id in queued:
        return
    queued.add(event.id)
    outbox.put(session, SYNC_TOPIC, {"event_id": str(event.id)}, house_id=event.house_id)


async def resync(session: AsyncSession, event: Event) -> None:
    """Send the event to UiTdatabank again (a house admin asks): its sync is queued, even
    when the event is no longer published."""
    changed(session, event, was_published=True)
    await session.flush()


async def performance_changed(session: AsyncSession, performance: Performance) -> None:
    event = await session.get(Event, performance.event_id)
    if event is not None:
        changed(session, event)


async def showings(session: AsyncSession, performances: list[Performance]) -> list[mapping.Showing]:
    """The performances as sub-events, with their places as they are now."""
    found = []
    for p in performances:
        counts = await availability(session, p)
        capacity = sum(z.seats_total for z in counts.zones) + sum(
            a.capacity for a in counts.standing
        )
        remaining = sum(z.seats_available for z in counts.zones) + sum(
            a.available for a in counts.standing
        )
        found.append(
            mapping.Showing(
                id=p.id,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                cancelled=p.status == PerformanceStatus.CANCELLED,
                capacity=capacity,
                remaining=0 if p.status == PerformanceStatus.SOLD_OUT else remaining,
            )
        )
    return found


_TARIFFS = text(
    "SELECT code, name, kind, rule, value, staff_only FROM tariff "
    "WHERE event_id = :event_id ORDER BY position, code"
)
_LOWEST_PRICE = text(
    "SELECT min(amount_cents) FROM performance_price WHERE performance_id = ANY(:ids)"
)


async def tariff_facts(
    session: AsyncSession, event_id: uuid.UUID
) -> tuple[mapping.TariffFact, ...]:
    connection = await session.connection()
    rows = (await connection.execute(_TARIFFS, {"event_id": event_id})).all()
    return tuple(
        mapping.TariffFact(
            code=t.code,
            name=t.name,
            kind=t.kind,
            rule=t.rule,
            value=t.value,
            staff_only=t.staff_only,
        )
        for t in rows
    )


async def _facts(
    session: AsyncSession,
    event: Event,
    house: House,
    place_id: str,
    performances: list[Performance],
) -> mapping.EventFacts:
    connection = await session.connection()
    lowest = (
        await connection.execute(_LOWEST_PRICE, {"ids": [p.id for p in performances]})
    ).scalar_one()
    return mapping.EventFacts(
        title=event.title,
        description=event.description,
        event_type_id=event.event_type_id,
        age_min=event.age_min,
        age_max=event.age_max,
        place_id=place_id,
        organizer_id=house.uitdatabank_organizer_id,
        house_phone=house.phone,
        house_email=house.email,
        shop_url=_shop_url(event),
        base_cents=int(lowest or 0),
        tariffs=await tariff_facts(session, event.id),
        showings=tuple(await showings(session, performances)),
    )


def _place_body(venue: Venue, place_type_id: str) -> dict[str, Any]:
    return {
        "mainLanguage": "nl",
        "name": {"nl": venue.name},
        "calendarType": "permanent",
        "address": {
            "nl": {
                "addressCountry": venue.country,
                "addressLocality": venue.city,
                "postalCode": venue.postal_code,
                "streetAddress": venue.street,
            }
        },
        "terms": [{"id": place_type_id, "domain": "eventtype"}],
    }


async def sync_event(session: AsyncSession, event_id: uuid.UUID, client: Client) -> None:
    """Bring every UiTdatabank event of this event up to date."""
    event = await session.get(Event, event_id)
    if event is None:
        return
    house = await session.get(House, event.house_id)
    assert house is not None
    rows = (
        await session.exec(
            select(Performance, Hall.venue_id)
            .join(Hall, col(Hall.id) == col(Performance.hall_id))
            .where(Performance.event_id == event.id)
            .order_by(col(Performance.starts_at))
        )
    ).all()
    by_venue: dict[uuid.UUID, list[Performance]] = defaultdict(list)
    for performance, venue_id in rows:
        by_venue[venue_id].append(performance)
    known = {
        r.venue_id: r
        for r in (
            await session.exec(
                select(UitdatabankEvent).where(UitdatabankEvent.event_id == event.id)
            )
        ).all()
    }
    for venue_id, performances in by_venue.items():
        record = known.get(venue_id)
        if record is None:
            if event.status != EventStatus.PUBLISHED:
                continue  # never published: nothing to tell UiTdatabank
            record = UitdatabankEvent(
                house_id=event.house_id,
                cluster_id=event.cluster_id,
                event_id=event.id,
                venue_id=venue_id,
            )
        await _sync_location(session, client, event, house, venue_id, performances, record)


async def _sync_location(
    session: AsyncSession,
    client: Client,
    event: Event,
    house: House,
    venue_id: uuid.UUID,
    performances: list[Performance],
    record: UitdatabankEvent,
) -> None:
    # One sync of a location at a time: the venue's row is the lock. FOR NO KEY UPDATE, so
    # that the mark of a creation (its own transaction, referring to the venue) can pass.
    venue = await session.get(Venue, venue_id, with_for_update={"key_share": True})
    assert venue is not None
    # As stored now: a sync of this location that ran meanwhile may have created it.
    record = await creation.as_stored(session, record)
    if record.udb_id is None and record.status == SyncStatus.UNCERTAIN:
        return  # held for staff (see `link_location`): a new POST could make a second event
    attempted_at = clock.now()
    if record.udb_id is None and record.create_sent_at is not None:
        record.last_attempt_at = attempted_at
        creation.hold_for_staff(session, record, venue, _shop_url(event), "its worker stopped")
        return
    try:
        if not venue.uitdatabank_place_id:
            place_type = uitdatabank_settings().place_type_id
            if not place_type:
                raise Refused(
                    f"Venue {venue.name} is not linked to a UiTdatabank place: set its "
                    "uitdatabank_place_id (or TICKETING_UITDATABANK__PLACE_TYPE_ID to create one)."
                )
            too_long = limits.place_name_problem(venue.name)
            if too_long is not None:
                raise Refused(f"Not sent: {too_long}")
            venue.uitdatabank_place_id = await client.create_place(_place_body(venue, place_type))
            session.add(venue)
        facts = await _facts(session, event, house, venue.uitdatabank_place_id, performances)
        beyond = limits.problems(facts.title, facts.tariffs)
        if beyond:
            raise Refused(
                "Not sent: UiTdatabank would refuse it. "
                + " ".join(f"{e.field}: {e.message}" for e in beyond)
            )
        body = mapping.event_body(facts, api_base=client.base)
        if record.udb_id is None:
            await client.token()  # first, so that little lies between the mark and the POST
            record = await creation.mark_create_sent(session, record)
            try:
                udb_id = await client.create_event(
                    {**body, "workflowStatus": "READY_FOR_VALIDATION"}
                )
            except CreateUncertain as exc:
                record.last_attempt_at = attempted_at
                creation.hold_for_staff(session, record, venue, facts.shop_url, str(exc))
                return
            except Retryable:
                # Answered (429, 500, 503) or never sent: not created, so it may go again.
                await creation.on_its_own(session, creation.UNMARK, {"id": record.id})
                raise
            await creation.store_created(
                session, record, udb_id, [str(s.id) for s in facts.showings]
            )
        else:
            current = await client.get_event(record.udb_id)
            kept = {k: current[k] for k in KEPT_FROM_UITDATABANK if k in current}
            # An event staff linked: which sub-event is which performance is not known
            # yet, so it is read from their start.
            order = record.sub_events or mapping.order_by_start(
                current.get("subEvent"), facts.showings
            )
            body["subEvent"] = mapping.keep_editor_status(
                body["subEvent"], current.get("subEvent"), facts.showings, order
            )
            await client.put_event(record.udb_id, {**kept, **body})
    except Refused as exc:
        record.last_attempt_at = attempted_at
        record.create_sent_at = None  # a refusal is an answer: nothing was created
        record.status = SyncStatus.FAILED
        record.last_error = str(exc)[:2000]
        record.schema_errors = exc.schema_errors()
        session.add(record)
        log.warning("uitdatabank refused event %s: %s", event.id, exc)
        return
    record.last_attempt_at = attempted_at
    record.sub_events = [str(s.id) for s in facts.showings]
    record.status = SyncStatus.SYNCED
    record.last_success_at = clock.now()
    record.last_error = None
    record.schema_errors = []
    session.add(record)


def _shop_url(event: Event) -> str:
    config = current().get(UITDATABANK)
    return config.settings.shop_url.format(public_url=config.public_url, event_id=event.id)


async def link_location(
    session: AsyncSession, event: Event, venue_id: uuid.UUID, udb_id: uuid.UUID | None
) -> None:
    """Staff tell which UiTdatabank event is this event's at the venue (`udb_id`), or that
    UiTdatabank holds none (None: Podium creates it). Then the event is synced."""
    record = (
        await session.exec(
            select(UitdatabankEvent)
            .where(UitdatabankEvent.event_id == event.id, UitdatabankEvent.venue_id == venue_id)
            .with_for_update()
        )
    ).first()
    if record is None:
        raise NotFound("This event has not been sent to UiTdatabank for this venue.")
    if udb_id is None:
        if record.udb_id is not None:
            raise Conflict(
                f"This event is in UiTdatabank already ({record.udb_id}): Podium does not "
                "create a second one. Give the id of the right event to change it.",
                errors=[FieldError("uitdatabank_id", "This event is in UiTdatabank already.")],
            )
    else:
        record.udb_id = str(udb_id)
        # Which of its sub-events is which performance the next sync reads from their
        # start (`mapping.order_by_start`), keeping the statuses an editor set.
        record.sub_events = []
    record.create_sent_at = None
    record.status = SyncStatus.PENDING
    record.last_error = None
    record.schema_errors = []
    session.add(record)
    changed(session, event, was_published=True)
    await session.flush()


async def queue_resync(
    database_url: str, *, event: uuid.UUID | None = None, house: uuid.UUID | None = None
) -> int:
    """Queue the sync of one event, or of every published event of a house (the admin
    command `podium uitdatabank-sync`); how many were queued."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            stmt = select(Event)
            if event is not None:
                stmt = stmt.where(Event.id == event)
            else:
                stmt = stmt.where(Event.house_id == house, Event.status == EventStatus.PUBLISHED)
            events = (await session.exec(stmt)).all()
            for found in events:
                changed(session, found, was_published=True)
        return len(events)
    finally:
        await engine.dispose()


@outbox.handler(SYNC_TOPIC)
async def carry_out_sync(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    if not uitdatabank_settings().api_url:
        log.info("UiTdatabank is not configured: event %s not published", message.payload)
        return
    client = Client(uitdatabank_settings())
    try:
        await sync_event(session, uuid.UUID(message.payload["event_id"]), client)
    finally:
        await client.close()
