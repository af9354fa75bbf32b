"""The public programme: what a house or a whole cluster has on sale (the shop's listing,
with the places left), and a published event as the shop and the counter sell it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from time import monotonic as _monotonic

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import InvalidInput, NotFound
from ticketing.core.runtime import Part, current
from ticketing.core.ttl_cache import TtlCache
from ticketing.events import repository as repo
from ticketing.events.performances import zone_names
from ticketing.events.pricing import tariff_price
from ticketing.events.schemas import (
    ProgrammeItem,
    PublicEvent,
    PublicPerformance,
    TariffPrice,
    ZonePrices,
)
from ticketing.events.taxonomy import EVENT_TYPES
from ticketing.events.views import event_type_out
from ticketing.inventory import listing
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.layouts import layout_index
from ticketing.tenancy.principal import Principal


def local_day_bounds(
    date_from: date | None, date_to: date | None
) -> tuple[datetime, datetime | None]:
    """Dates are days in Brussels; the programme never lists what has already started."""
    # The days come checked as core.times.Day (years 2000 to 2100): the day after one
    # of them always exists.
    now = clock.now()
    start = now
    if date_from is not None:
        start = max(now, datetime.combine(date_from, time.min, tzinfo=clock.BRUSSELS))
    end = None
    if date_to is not None:
        if date_from is not None and date_to < date_from:
            raise InvalidInput.field("date_to", "The end date lies before the start date.")
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=clock.BRUSSELS)
    return start, end


# On an on-sale day the shop's listing and the widgets on houses' sites ask for the same
# programme many times a second. Each API process reuses a listing for
# `programme_seconds()` (the API's runtime takes it from `inventory.programme_cache_seconds`;
# 0, the default elsewhere, reads every time); changes to events and performances through
# the process clear it once they commit. Holds and sales do not: "places left" lag by at
# most those seconds, while taking places is always decided by the database.
ProgrammeKey = tuple[
    str | None, str | None, date | None, date | None, str | None, str | None, int, int
]
PROGRAMMES: TtlCache[ProgrammeKey, list[ProgrammeItem], float] = TtlCache(1_000)
inventory_repo.ON_SALE_CACHES.append(PROGRAMMES)
# Listings being read again right now; meanwhile others get the one that just expired.
_REFRESHING: set[ProgrammeKey] = set()
# How many times the cache's seconds a listing may be served while it is read again.
STALE_FACTOR = 5
PROGRAMME_SECONDS: Part[float] = Part("inventory.programme_seconds", lambda settings: 0.0)
monotonic = _monotonic  # the cache's clock (tests move it)


def programme_seconds() -> float:
    return current().get(PROGRAMME_SECONDS)


async def programme(
    session: AsyncSession,
    *,
    cluster_slug: str | None = None,
    house_slug: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    genre: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ProgrammeItem]:
    key = (cluster_slug, house_slug, date_from, date_to, genre, q, limit, offset)
    now = monotonic()
    # Searches are as many as what people type: not kept, so they cannot push out the
    # listings that everyone asks for.
    seconds = programme_seconds()
    caching = seconds > 0 and q is None
    kept = PROGRAMMES.peek(key) if caching else None
    if kept is not None:
        listing, until = kept
        if now < until:
            return listing
        # Expired: one request reads it again (on its own session); the others keep
        # getting the last listing meanwhile, instead of all reading it at once.
        if key in _REFRESHING and now < until + STALE_FACTOR * seconds:
            return listing
    generation = PROGRAMMES.generation
    refreshing = kept is not None and key not in _REFRESHING
    if refreshing:
        _REFRESHING.add(key)
    try:
        found = await _programme(
            session,
            cluster_slug=cluster_slug,
            house_slug=house_slug,
            date_from=date_from,
            date_to=date_to,
            genre=genre,
            q=q,
            limit=limit,
            offset=offset,
        )
    finally:
        if refreshing:
            _REFRESHING.discard(key)
    if caching:
        PROGRAMMES.put(key, found, now + seconds, generation=generation)
    return found


async def _programme(
    session: AsyncSession,
    *,
    cluster_slug: str | None,
    house_slug: str | None,
    date_from: date | None,
    date_to: date | None,
    genre: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> list[ProgrammeItem]:
    if cluster_slug is not None and await repo.cluster_by_slug(session, cluster_slug) is None:
        raise NotFound("There is no cluster with this name.")
    if (
        house_slug is not None
        and cluster_slug is None
        and await repo.house_by_slug(session, house_slug) is None
    ):
        raise NotFound("There is no house with this name.")
    if genre is not None and genre not in EVENT_TYPES:
        raise InvalidInput.field("genre", "Unknown genre: pick an id from /public/event-types.")
    start, end = local_day_bounds(date_from, date_to)
    rows = await listing.public_programme(
        session,
        cluster_slug=cluster_slug,
        house_slug=house_slug,
        starts_from=start,
        starts_before=end,
        event_type_id=genre,
        words=q.split() if q else [],
        limit=limit,
        offset=offset,
        now=clock.now(),
    )
    sellable = {
        layout_id: (await layout_index(session, layout_id)).sellable
        for layout_id in {perf.layout_id for perf, *_ in rows}
    }
    items = []
    for perf, event, house, hall, venue, price_from, taken in rows:
        capacity = sellable[perf.layout_id]
        items.append(
            ProgrammeItem(
                performance_id=perf.id,
                event_id=event.id,
                house_id=house.id,
                house_name=house.name,
                house_slug=house.slug,
                title=event.title,
                event_type=event_type_out(event.event_type_id),
                venue_name=venue.name,
                city=venue.city,
                hall_name=hall.name,
                starts_at=perf.starts_at,
                ends_at=perf.ends_at,
                status=perf.status,
                price_from_cents=price_from,
                age_min=event.age_min,
                age_max=event.age_max,
                places_left=max(0, capacity - taken),
                last_places=0 < capacity - taken <= last_places_threshold(capacity),
            )
        )
    return items


def last_places_threshold(capacity: int) -> int:
    """Places left at or under which the shop shows "last places": a tenth of the hall,
    and at least ten."""
    return max(10, capacity // 10)


async def public_event(
    session: AsyncSession,
    event_id: uuid.UUID,
    counter: Principal | None = None,
    counter_house: uuid.UUID | None = None,
) -> PublicEvent:
    """A published event with its prices; for a box office of the cluster (counter=the
    clerk), and with the tariffs only staff may give when it sells for the event's house."""
    found = await repo.public_event(session, event_id, counter)
    if found is None:
        raise NotFound("This event is not (or no longer) on sale.")
    event, house = found
    rows = await repo.public_performances(session, event.id, clock.now())
    tariffs = await repo.public_tariffs(
        session, event, counter=counter, counter_house=counter_house
    )
    layouts = await repo.layouts_by_id(session, {perf.layout_id for perf, _, _ in rows})
    prices = await repo.prices_of(session, [perf.id for perf, _, _ in rows])
    performances = []
    for perf, hall, venue in rows:
        layout = layouts[perf.layout_id]
        names = zone_names(layout)
        colors = {z["code"]: z["color"] for z in layout.document.get("price_zones", [])}
        zones = [
            ZonePrices(
                zone=pr.zone_code,
                zone_name=names.get(pr.zone_code, pr.zone_code),
                color=colors.get(pr.zone_code, "#888888"),
                tariffs=[
                    TariffPrice(
                        tariff=t.code,
                        name=t.name,
                        amount_cents=tariff_price(pr.amount_cents, t.rule, t.value),
                        requires_check=t.requires_check,
                        staff_only=t.staff_only,
                    )
                    for t in tariffs
                ],
            )
            for pr in prices
            if pr.performance_id == perf.id
        ]
        performances.append(
            PublicPerformance(
                id=perf.id,
                hall_name=hall.name,
                venue_name=venue.name,
                city=venue.city,
                starts_at=perf.starts_at,
                ends_at=perf.ends_at,
                status=perf.status,
                prices=zones,
            )
        )
    return PublicEvent(
        id=event.id,
        house_name=house.name,
        house_slug=house.slug,
        title=event.title,
        description=event.description,
        event_type=event_type_out(event.event_type_id),
        age_min=event.age_min,
        age_max=event.age_max,
        images=event.images,
        performances=performances,
    )
