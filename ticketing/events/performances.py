"""Performances: dated occurrences of an event in a hall, with a fixed layout version and
prices per zone."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import Conflict, FieldError, InvalidInput
from ticketing.events import repository as repo
from ticketing.events.models import (
    Event,
    EventStatus,
    Performance,
    PerformancePrice,
    PerformanceStatus,
)
from ticketing.events.schemas import (
    PerformanceIn,
    PerformancePatch,
    PriceIn,
)
from ticketing.events.signals import PerformanceChanged, performance_changed
from ticketing.seatmaps import repository as layouts_repo
from ticketing.seatmaps.layout import LayoutDocument
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import authorize, get_scoped
from ticketing.venues.models import Hall

# Which status may follow which; cancelled is final.
TRANSITIONS: dict[str, set[str]] = {
    PerformanceStatus.DRAFT: {PerformanceStatus.ON_SALE, PerformanceStatus.CANCELLED},
    PerformanceStatus.ON_SALE: {
        PerformanceStatus.SOLD_OUT,
        PerformanceStatus.CANCELLED,
        PerformanceStatus.DRAFT,
    },
    PerformanceStatus.SOLD_OUT: {PerformanceStatus.ON_SALE, PerformanceStatus.CANCELLED},
    PerformanceStatus.CANCELLED: set(),
}


def zone_names(layout: SeatMapLayout) -> dict[str, str]:
    return {z["code"]: z["name"] for z in layout.document.get("price_zones", [])}


def zones_in_use(layout: SeatMapLayout) -> set[str]:
    doc = LayoutDocument.model_validate(layout.document)
    used = {seat.zone for _, _, _, seat in doc.iter_seats()}
    return used | {area.zone for area in doc.standing_areas}


def _check_times(p: Performance) -> None:
    errors: list[FieldError] = []
    if p.ends_at <= p.starts_at:
        errors.append(FieldError("ends_at", "The performance must end after it starts."))
    for channel in ("online_sales", "box_office_sales"):
        start: datetime | None = getattr(p, f"{channel}_from")
        until: datetime | None = getattr(p, f"{channel}_until")
        if start is not None and until is not None and until <= start:
            errors.append(FieldError(f"{channel}_until", "Sales must close after they open."))
        if until is not None and until > p.ends_at:
            errors.append(
                FieldError(
                    f"{channel}_until", "Sales cannot go on after the performance has ended."
                )
            )
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)


async def _layout_for(
    session: AsyncSession, principal: Principal, hall: Hall, layout_id: uuid.UUID | None
) -> SeatMapLayout:
    if layout_id is None:
        layout = await layouts_repo.latest_layout(session, principal, hall.id)
        if layout is None:
            raise InvalidInput.field(
                "hall_id", "This hall has no seat map yet: add a layout first."
            )
        return layout
    layout = await get_scoped(
        session, SeatMapLayout, layout_id, principal, what="Seat map (layout_id)"
    )
    if layout.hall_id != hall.id:
        raise InvalidInput.field("layout_id", "This layout belongs to another hall.")
    return layout


def _check_prices(layout: SeatMapLayout, prices: list[PriceIn], field: str = "prices") -> None:
    known = zone_names(layout)
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, price in enumerate(prices):
        if price.zone not in known:
            errors.append(
                FieldError(
                    f"{field}[{i}].zone", f"Price zone {price.zone} is not in this seat map."
                )
            )
        if price.zone in seen:
            errors.append(
                FieldError(f"{field}[{i}].zone", f"Price zone {price.zone} is priced twice.")
            )
        seen.add(price.zone)
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)


async def _replace_prices(
    session: AsyncSession, performance: Performance, prices: list[PriceIn]
) -> None:
    await repo.delete_prices(session, performance.id)
    for price in prices:
        session.add(
            PerformancePrice(
                house_id=performance.house_id,
                cluster_id=performance.cluster_id,
                performance_id=performance.id,
                zone_code=price.zone,
                amount_cents=price.amount_cents,
            )
        )
    await session.flush()


async def create_performance(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID, data: PerformanceIn
) -> Performance:
    event = await get_scoped(session, Event, event_id, principal, what="Event")
    authorize(principal, event.house_id, MANAGE)
    hall = await get_scoped(session, Hall, data.hall_id, principal, what="Hall (hall_id)")
    if hall.house_id != event.house_id:
        raise InvalidInput.field("hall_id", "This hall belongs to another house than the event.")
    layout = await _layout_for(session, principal, hall, data.layout_id)
    _check_prices(layout, data.prices)
    performance = Performance(
        house_id=event.house_id,
        cluster_id=event.cluster_id,
        event_id=event.id,
        hall_id=hall.id,
        layout_id=layout.id,
        **data.model_dump(exclude={"hall_id", "layout_id", "prices"}),
    )
    _check_times(performance)
    session.add(performance)
    await session.flush()
    await _replace_prices(session, performance, data.prices)
    await performance_changed.send(session, PerformanceChanged(performance, performance.status))
    return performance


def check_changeable(status: str, *, swaps_layout: bool) -> None:
    """A cancelled performance is final; only a draft may take another seat map."""
    if status == PerformanceStatus.CANCELLED:
        raise Conflict("This performance is cancelled; it cannot be changed any more.")
    if swaps_layout and status != PerformanceStatus.DRAFT:
        raise Conflict("The seat map of a performance that went on sale cannot be swapped.")


def check_transition(current: str, new: str) -> None:
    """Refuse a change of status that TRANSITIONS does not allow."""
    if new not in TRANSITIONS[current]:
        raise InvalidInput.field("status", f"A performance cannot go from {current} to {new}.")


def check_ready_for_sale(event_status: str, zones_used: set[str], priced: set[str]) -> None:
    """A performance goes on sale only in an event that is not archived, with a price for
    every zone its seat map uses."""
    if event_status == EventStatus.ARCHIVED:
        raise Conflict("This event is archived; it cannot be put on sale.")
    missing = sorted(zones_used - priced)
    if missing:
        raise InvalidInput(
            f"Give a price for every zone before going on sale; missing: {', '.join(missing)}.",
            errors=[FieldError("status", f"Price zone {zone} has no price.") for zone in missing],
        )


async def _check_can_sell(session: AsyncSession, performance: Performance) -> None:
    event = await session.get(Event, performance.event_id)
    assert event is not None
    layout = await session.get(SeatMapLayout, performance.layout_id)
    assert layout is not None
    priced = {p.zone_code for p in await repo.prices_of(session, [performance.id])}
    check_ready_for_sale(event.status, zones_in_use(layout), priced)


async def update_performance(
    session: AsyncSession, principal: Principal, performance_id: uuid.UUID, data: PerformancePatch
) -> Performance:
    performance = await get_scoped(
        session, Performance, performance_id, principal, what="Performance"
    )
    authorize(principal, performance.house_id, MANAGE)
    changes = data.model_dump(exclude_unset=True)
    new_status = changes.pop("status", None)
    status_was = performance.status
    swaps_layout = "layout_id" in changes and changes["layout_id"] != performance.layout_id
    check_changeable(performance.status, swaps_layout=swaps_layout)
    if swaps_layout:
        hall = await get_scoped(session, Hall, performance.hall_id, principal, what="Hall")
        layout = await _layout_for(session, principal, hall, changes["layout_id"])
        changes["layout_id"] = layout.id
    for key, value in changes.items():
        if value is not None or key.endswith(("_from", "_until")):
            setattr(performance, key, value)
    _check_times(performance)
    if new_status is not None and new_status != performance.status:
        check_transition(performance.status, new_status)
        if new_status == PerformanceStatus.ON_SALE:
            await _check_can_sell(session, performance)
        performance.status = new_status
    session.add(performance)
    await session.flush()
    # Inventory makes the standing stock of a performance going on sale and closes the
    # baskets of a cancelled one (inventory/subscribers.py).
    await performance_changed.send(session, PerformanceChanged(performance, status_was))
    return performance


async def set_prices(
    session: AsyncSession, principal: Principal, performance_id: uuid.UUID, prices: list[PriceIn]
) -> Performance:
    performance = await get_scoped(
        session, Performance, performance_id, principal, what="Performance"
    )
    authorize(principal, performance.house_id, MANAGE)
    if performance.status == PerformanceStatus.CANCELLED:
        raise Conflict("This performance is cancelled; its prices cannot change.")
    layout = await session.get(SeatMapLayout, performance.layout_id)
    assert layout is not None
    _check_prices(layout, prices)
    if performance.status != PerformanceStatus.DRAFT:
        missing = zones_in_use(layout) - {p.zone for p in prices}
        if missing:
            raise InvalidInput.field(
                "prices",
                f"A performance on sale needs a price for zones {', '.join(sorted(missing))}.",
            )
    await _replace_prices(session, performance, prices)
    await performance_changed.send(session, PerformanceChanged(performance, performance.status))
    return performance
