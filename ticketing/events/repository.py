"""Every events query. Staff reads go through the scoping helper; the public programme
reads only what houses published on purpose (published events, performances on sale)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ticketing.db.search import contains
from ticketing.events.models import (
    Event,
    EventStatus,
    Performance,
    PerformancePrice,
    PerformanceStatus,
    Tariff,
)
from ticketing.inventory.models import Allocation, StandingStock
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.models import Cluster, House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import SELLERS
from ticketing.tenancy.scoping import scope, scope_cluster_rows
from ticketing.venues.models import Hall, Venue

PUBLIC_PERFORMANCE_STATUSES = (PerformanceStatus.ON_SALE, PerformanceStatus.SOLD_OUT)

# A line of the public programme: the rows, the lowest price (None without prices) and
# the places in use.
ProgrammeRow = tuple[Performance, Event, House, Hall, Venue, int | None, int]


async def list_events(
    session: AsyncSession,
    principal: Principal,
    *,
    house_id: uuid.UUID | None = None,
    status: str | None = None,
    event_type_id: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Event]:
    stmt = select(Event).order_by(col(Event.created_at).desc())
    if house_id is not None:
        stmt = stmt.where(Event.house_id == house_id)
    if status is not None:
        stmt = stmt.where(Event.status == status)
    if event_type_id is not None:
        stmt = stmt.where(Event.event_type_id == event_type_id)
    if q:
        stmt = stmt.where(contains(col(Event.title)["nl"].astext, q))
    stmt = scope(stmt, Event, principal).limit(limit).offset(offset)
    return list((await session.exec(stmt)).all())


async def performances_of(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID
) -> list[Performance]:
    stmt = (
        select(Performance)
        .where(Performance.event_id == event_id)
        .order_by(col(Performance.starts_at))
    )
    return list((await session.exec(scope(stmt, Performance, principal))).all())


async def tariffs_of(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID
) -> list[Tariff]:
    stmt = (
        select(Tariff)
        .where(Tariff.event_id == event_id)
        .order_by(col(Tariff.position), col(Tariff.code))
    )
    return list((await session.exec(scope(stmt, Tariff, principal))).all())


async def prices_of(
    session: AsyncSession, performance_ids: list[uuid.UUID]
) -> list[PerformancePrice]:
    """Prices of performances the caller already loaded through the scope (or public ones)."""
    if not performance_ids:
        return []
    stmt = (
        select(PerformancePrice)
        .where(col(PerformancePrice.performance_id).in_(performance_ids))
        .order_by(PerformancePrice.zone_code)
    )
    return list((await session.exec(stmt)).all())


async def layouts_by_id(
    session: AsyncSession, layout_ids: set[uuid.UUID]
) -> dict[uuid.UUID, SeatMapLayout]:
    """Layouts named by performances the caller already loaded through the scope."""
    if not layout_ids:
        return {}
    stmt = select(SeatMapLayout).where(col(SeatMapLayout.id).in_(layout_ids))
    return {la.id: la for la in (await session.exec(stmt)).all()}


async def delete_prices(session: AsyncSession, performance_id: uuid.UUID) -> None:
    for price in await prices_of(session, [performance_id]):
        await session.delete(price)
    await session.flush()


# --- public (shop) reads ----------------------------------------------------------------------


async def public_programme(
    session: AsyncSession,
    *,
    cluster_slug: str | None,
    house_slug: str | None,
    starts_from: datetime,
    starts_before: datetime | None,
    event_type_id: str | None,
    limit: int,
    offset: int,
    now: datetime,
    words: list[str] | None = None,
) -> list[ProgrammeRow]:
    price_from = (
        select(func.min(PerformancePrice.amount_cents))
        .where(PerformancePrice.performance_id == Performance.id)
        .scalar_subquery()
    )
    # Places in use for the "last places" badge, from the rows themselves and cheap for a
    # listing of hundreds of performances on a busy night: the seats from the seat index
    # alone (an index-only count), the standing places from their stock row, less the
    # holds that have expired and not been swept yet (few, found by the expiry index).
    seats = (
        select(func.count())
        .where(Allocation.performance_id == Performance.id, col(Allocation.seat_key).is_not(None))
        .scalar_subquery()
    )
    standing = (
        select(func.coalesce(func.sum(StandingStock.used), 0))
        .where(StandingStock.performance_id == Performance.id)
        .scalar_subquery()
    )
    expired = (
        select(func.coalesce(func.sum(Allocation.quantity), 0))
        .where(col(Allocation.expires_at) <= now, Allocation.performance_id == Performance.id)
        .scalar_subquery()
    )
    taken = seats + standing - expired
    # sqlmodel types select() for at most four entities; at run time it takes any number.
    select_programme = cast("Callable[..., Select[*ProgrammeRow]]", select)
    stmt = (
        select_programme(
            Performance,
            Event,
            House,
            Hall,
            Venue,
            price_from.label("price_from"),
            taken.label("taken"),
        )
        .join(Event, col(Event.id) == Performance.event_id)
        .join(House, col(House.id) == Performance.house_id)
        .join(Hall, col(Hall.id) == Performance.hall_id)
        .join(Venue, col(Venue.id) == Hall.venue_id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            col(Performance.status).in_(PUBLIC_PERFORMANCE_STATUSES),
            Performance.starts_at >= starts_from,
        )
        .order_by(col(Performance.starts_at), col(Performance.id))
        .limit(limit)
        .offset(offset)
    )
    if cluster_slug is not None:
        stmt = stmt.join(Cluster, col(Cluster.id) == Performance.cluster_id).where(
            Cluster.slug == cluster_slug
        )
    if house_slug is not None:
        stmt = stmt.where(House.slug == house_slug)
    if starts_before is not None:
        stmt = stmt.where(Performance.starts_at < starts_before)
    if event_type_id is not None:
        stmt = stmt.where(Event.event_type_id == event_type_id)
    if words:
        # Every word in the title, in any of its languages (the values, not the JSON).
        titles = func.concat_ws(
            " ", *(col(Event.title)[language].astext for language in ("nl", "fr", "en"))
        )
        for word in words:
            stmt = stmt.where(contains(titles, word))
    return list((await session.exec(stmt)).all())


async def public_event(
    session: AsyncSession, event_id: uuid.UUID, counter: Principal | None = None
) -> tuple[Event, House] | None:
    """A published event; for a counter (counter=the clerk), one its cluster may sell."""
    if counter is not None:
        scoped = scope_cluster_rows(
            select(Event).where(Event.id == event_id, Event.status == EventStatus.PUBLISHED),
            Event,
            counter,
            SELLERS,
        )
        event = (await session.exec(scoped)).first()
        house = await session.get(House, event.house_id) if event is not None else None
        return (event, house) if event is not None and house is not None else None
    stmt = (
        select(Event, House)
        .join(House, col(House.id) == Event.house_id)
        .where(Event.id == event_id, Event.status == EventStatus.PUBLISHED)
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    event, house = row
    return event, house


async def public_performances(
    session: AsyncSession, event_id: uuid.UUID, starts_from: datetime
) -> list[tuple[Performance, Hall, Venue]]:
    stmt = (
        select(Performance, Hall, Venue)
        .join(Hall, col(Hall.id) == Performance.hall_id)
        .join(Venue, col(Venue.id) == Hall.venue_id)
        .where(
            Performance.event_id == event_id,
            col(Performance.status).in_(PUBLIC_PERFORMANCE_STATUSES),
            Performance.starts_at >= starts_from,
        )
        .order_by(col(Performance.starts_at))
    )
    return list((await session.exec(stmt)).all())


async def public_tariffs(
    session: AsyncSession,
    event: Event,
    *,
    counter: Principal | None = None,
    counter_house: uuid.UUID | None = None,
) -> list[Tariff]:
    """Tariffs a buyer may pick online of a published event; at the event's own house's
    counter (counter_house) for a clerk who sells for it (counter), also those only its
    staff may give: the rule checkout.price_lines applies. The other houses of the
    cluster resell the event at its public tariffs."""
    stmt = select(Tariff).where(Tariff.event_id == event.id)
    own_counter = counter is not None and counter_house == event.house_id
    if not (own_counter and counter is not None and counter.has(event.house_id, SELLERS)):
        stmt = stmt.where(col(Tariff.staff_only).is_(False))
    stmt = stmt.order_by(col(Tariff.position), col(Tariff.code))
    return list((await session.exec(stmt)).all())


async def house_by_slug(session: AsyncSession, slug: str) -> House | None:
    return (await session.exec(select(House).where(House.slug == slug))).first()


async def cluster_by_slug(session: AsyncSession, slug: str) -> Cluster | None:
    return (await session.exec(select(Cluster).where(Cluster.slug == slug))).first()
