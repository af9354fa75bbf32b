"""Every events query. Staff reads go through the scoping helper; the public programme
reads only what houses published on purpose (published events, performances on sale)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.search import contains
from ticketing.events.models import (
    Event,
    EventStatus,
    Performance,
    PerformancePrice,
    PerformanceStatus,
    Tariff,
)
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.models import Cluster, House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import SELLERS
from ticketing.tenancy.scoping import scope, scope_cluster_rows
from ticketing.venues.models import Hall, Venue

PUBLIC_PERFORMANCE_STATUSES = (PerformanceStatus.ON_SALE, PerformanceStatus.SOLD_OUT)


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
