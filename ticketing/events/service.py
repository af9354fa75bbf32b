"""Events and tariffs: create, change, read with their performances."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.conflicts import flush_or_conflict
from ticketing.core.errors import Conflict, InvalidInput
from ticketing.events import repository as repo
from ticketing.events.models import Event, EventStatus, PriceRule, Tariff, TariffKind
from ticketing.events.schemas import (
    EventDetail,
    EventIn,
    EventPatch,
    TariffIn,
    TariffOut,
    TariffPatch,
)
from ticketing.events.signals import (
    EventChanged,
    TariffChanged,
    event_changed,
    tariff_changed,
)
from ticketing.events.views import event_out, performance_out
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import authorize, get_house, get_scoped

BASE_TARIFF_NAME = {"nl": "Normaal tarief", "fr": "Plein tarif", "en": "Full price"}


async def create_event(session: AsyncSession, principal: Principal, data: EventIn) -> Event:
    house = await get_house(session, data.house_id, principal)
    authorize(principal, house.id, MANAGE)
    event = Event(
        house_id=house.id,
        cluster_id=house.cluster_id,
        title=data.title.model_dump(exclude_none=True),
        description=data.description.model_dump(exclude_none=True),
        event_type_id=data.event_type_id,
        age_min=data.age_min,
        age_max=data.age_max,
        images=[i.model_dump(exclude_none=True) for i in data.images],
    )
    session.add(event)
    await session.flush()
    # Every event sells at a base price; reductions are added by the house.
    session.add(
        Tariff(
            house_id=house.id,
            cluster_id=house.cluster_id,
            event_id=event.id,
            code="BASE",
            name=BASE_TARIFF_NAME,
            kind=TariffKind.BASE,
            rule=PriceRule.PERCENT_OFF,
            value=0,
        )
    )
    await session.flush()
    return event


async def update_event(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID, data: EventPatch
) -> Event:
    event = await get_scoped(session, Event, event_id, principal, what="Event")
    authorize(principal, event.house_id, MANAGE)
    changes = data.model_dump(exclude_unset=True, exclude_none=True) | data.cleared()
    age_min = changes.get("age_min", event.age_min)
    age_max = changes.get("age_max", event.age_max)
    if age_min is not None and age_max is not None and age_max < age_min:
        raise InvalidInput.field(
            "age_max", "The maximum age must not be lower than the minimum age."
        )
    was_published = event.status == EventStatus.PUBLISHED
    for key, value in changes.items():
        setattr(event, key, value)
    session.add(event)
    await session.flush()
    await event_changed.send(session, EventChanged(event, was_published=was_published))
    return event


async def event_detail(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID
) -> EventDetail:
    event = await get_scoped(session, Event, event_id, principal, what="Event")
    performances = await repo.performances_of(session, principal, event.id)
    tariffs = await repo.tariffs_of(session, principal, event.id)
    return EventDetail(
        **event_out(event).model_dump(),
        performances=await performance_out(session, performances),
        tariffs=[TariffOut.model_validate(t) for t in tariffs],
    )


def _normalise_tariff(kind: str, rule: str, value: int, staff_only: bool) -> tuple[str, int, bool]:
    """Complimentary is free and given by staff only; a UiTPAS tariff is priced by UiTPAS."""
    if kind == TariffKind.COMPLIMENTARY:
        return PriceRule.FREE, 0, True
    if kind == TariffKind.UITPAS or rule == PriceRule.UITPAS:
        if kind != TariffKind.UITPAS:
            raise InvalidInput.field("rule", "Only a UiTPAS tariff is priced by UiTPAS.")
        return PriceRule.UITPAS, 0, staff_only
    if rule == PriceRule.PERCENT_OFF and value > 100:
        raise InvalidInput.field("value", "A reduction cannot be more than 100 percent.")
    return rule, value, staff_only


async def create_tariff(
    session: AsyncSession, principal: Principal, event_id: uuid.UUID, data: TariffIn
) -> Tariff:
    event = await get_scoped(session, Event, event_id, principal, what="Event")
    authorize(principal, event.house_id, MANAGE)
    rule, value, staff_only = _normalise_tariff(data.kind, data.rule, data.value, data.staff_only)
    tariff = Tariff(
        house_id=event.house_id,
        cluster_id=event.cluster_id,
        event_id=event.id,
        code=data.code,
        name=data.name.model_dump(exclude_none=True),
        kind=data.kind,
        rule=rule,
        value=value,
        max_per_order=data.max_per_order,
        staff_only=staff_only,
        requires_check=data.requires_check,
        position=data.position,
        vat_rate_bp=data.vat_rate_bp,
    )
    session.add(tariff)
    await flush_or_conflict(session, "code", f"This event already has a tariff {data.code}.")
    await tariff_changed.send(session, TariffChanged(event, tariff.code))
    return tariff


async def update_tariff(
    session: AsyncSession, principal: Principal, tariff_id: uuid.UUID, data: TariffPatch
) -> Tariff:
    tariff = await get_scoped(session, Tariff, tariff_id, principal, what="Tariff")
    authorize(principal, tariff.house_id, MANAGE)
    changes = data.model_dump(exclude_unset=True, exclude_none=True) | data.cleared()
    if "name" in changes:
        changes["name"] = {k: v for k, v in changes["name"].items() if v is not None}
    for key, value in changes.items():
        setattr(tariff, key, value)
    tariff.rule, tariff.value, tariff.staff_only = _normalise_tariff(
        tariff.kind, tariff.rule, tariff.value, tariff.staff_only
    )
    if tariff.kind == TariffKind.BASE and tariff.staff_only:
        raise InvalidInput.field("staff_only", "The base tariff must be on sale to everyone.")
    session.add(tariff)
    await session.flush()
    await _tariffs_changed(session, tariff)
    return tariff


async def delete_tariff(session: AsyncSession, principal: Principal, tariff_id: uuid.UUID) -> None:
    tariff = await get_scoped(session, Tariff, tariff_id, principal, what="Tariff")
    authorize(principal, tariff.house_id, MANAGE)
    if tariff.kind == TariffKind.BASE:
        raise Conflict("The base tariff cannot be removed; change its price rule instead.")
    await session.delete(tariff)
    await session.flush()
    await _tariffs_changed(session, tariff)


async def _tariffs_changed(session: AsyncSession, tariff: Tariff) -> None:
    event = await session.get(Event, tariff.event_id)
    if event is not None:
        await tariff_changed.send(session, TariffChanged(event, tariff.code))
