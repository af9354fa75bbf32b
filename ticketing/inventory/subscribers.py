"""How inventory reacts to the changes of the packages below it (imported by
ticketing/handlers.py at start-up)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import PerformanceStatus
from ticketing.events.signals import (
    EventChanged,
    PerformanceChanged,
    event_changed,
    performance_changed,
)
from ticketing.inventory.layouts import layout_index
from ticketing.inventory.repository import forget_sale_targets
from ticketing.inventory.service import close_baskets, ensure_stock
from ticketing.tenancy.signals import HouseChanged, house_changed


@house_changed.connect
async def house_changed_forget(session: AsyncSession, change: HouseChanged) -> None:
    # A new house: a hold asked for it a moment ago found none.
    forget_sale_targets(session)


@event_changed.connect
async def event_changed_forget(session: AsyncSession, change: EventChanged) -> None:
    forget_sale_targets(session)


@performance_changed.connect
async def performance_changed_stock(session: AsyncSession, change: PerformanceChanged) -> None:
    performance = change.performance
    if performance.status != change.status_was:
        if performance.status == PerformanceStatus.ON_SALE:
            # Standing areas get their stock rows before the first buyer arrives.
            index = await layout_index(session, performance.layout_id)
            await ensure_stock(session, performance, index)
        elif performance.status == PerformanceStatus.CANCELLED:
            # After the status is written: a basket that takes places from now on is
            # refused at checkout, so none outlives the cancellation unnoticed.
            await close_baskets(session, performance.id)
    forget_sale_targets(session)
