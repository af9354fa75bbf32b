"""Events and performances as the API shows them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events import repository as repo
from ticketing.events.models import Event, Performance
from ticketing.events.performances import zone_names
from ticketing.events.schemas import EventOut, EventTypeOut, PerformanceOut, PriceOut
from ticketing.events.taxonomy import EVENT_TYPES


def event_type_out(type_id: str) -> EventTypeOut:
    labels = EVENT_TYPES.get(type_id, {"nl": type_id, "fr": type_id, "en": type_id})
    return EventTypeOut(id=type_id, **labels)


def event_out(event: Event) -> EventOut:
    return EventOut(
        id=event.id,
        house_id=event.house_id,
        cluster_id=event.cluster_id,
        title=event.title,
        description=event.description,
        event_type=event_type_out(event.event_type_id),
        age_min=event.age_min,
        age_max=event.age_max,
        images=event.images,
        status=event.status,
        created_at=event.created_at,
    )


async def performance_out(
    session: AsyncSession, performances: list[Performance]
) -> list[PerformanceOut]:
    layouts = await repo.layouts_by_id(session, {p.layout_id for p in performances})
    prices = await repo.prices_of(session, [p.id for p in performances])
    out = []
    for p in performances:
        layout = layouts[p.layout_id]
        names = zone_names(layout)
        out.append(
            PerformanceOut(
                id=p.id,
                event_id=p.event_id,
                house_id=p.house_id,
                hall_id=p.hall_id,
                layout_id=p.layout_id,
                layout_version=layout.version,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                status=p.status,
                online_sales_from=p.online_sales_from,
                online_sales_until=p.online_sales_until,
                box_office_sales_from=p.box_office_sales_from,
                box_office_sales_until=p.box_office_sales_until,
                reentry=p.reentry,
                seat_count=layout.seat_count,
                standing_capacity=layout.standing_capacity,
                prices=[
                    PriceOut(
                        zone=pr.zone_code,
                        zone_name=names.get(pr.zone_code, pr.zone_code),
                        amount_cents=pr.amount_cents,
                    )
                    for pr in prices
                    if pr.performance_id == p.id
                ],
            )
        )
    return out
