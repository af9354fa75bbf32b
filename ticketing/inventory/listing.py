"""The public programme's query: every published performance on sale or coming, with its
lowest price and its places in use. Public by design (no caller, no tenant scope): the
shop and the widget list what anyone may buy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from ticketing.db.search import contains
from ticketing.events.models import Event, EventStatus, Performance, PerformancePrice
from ticketing.events.repository import PUBLIC_PERFORMANCE_STATUSES
from ticketing.inventory.models import Allocation, StandingStock
from ticketing.tenancy.models import Cluster, House
from ticketing.venues.models import Hall, Venue

# A line of the public programme: the rows, the lowest price (None without prices) and
# the places in use.
ProgrammeRow = tuple[Performance, Event, House, Hall, Venue, int | None, int]


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
