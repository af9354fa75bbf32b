"""How the UiTdatabank integration reacts to the changes of the packages below it
(imported by ticketing/handlers.py at start-up)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.signals import (
    EventChanged,
    PerformanceChanged,
    TariffChanged,
    event_changed,
    performance_changed,
    tariff_changed,
)
from ticketing.uitdatabank import publishing, sync


@event_changed.connect
async def event_changed_sync(session: AsyncSession, change: EventChanged) -> None:
    """Refuse (422) what UiTdatabank would refuse, else queue the event's sync."""
    await publishing.check_publishable(session, change.event)
    sync.changed(session, change.event, was_published=change.was_published)


@tariff_changed.connect
async def tariff_changed_sync(session: AsyncSession, change: TariffChanged) -> None:
    await publishing.check_publishable(session, change.event, tariff_code=change.tariff_code)
    sync.changed(session, change.event)


@performance_changed.connect
async def performance_changed_sync(session: AsyncSession, change: PerformanceChanged) -> None:
    await sync.performance_changed(session, change.performance)
