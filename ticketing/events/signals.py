"""What the events package tells the packages above it (ticketing/core/signals.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.core.signals import Signal
from ticketing.events.models import Event, Performance


@dataclass(frozen=True)
class EventChanged:
    """An event's own fields were changed (flushed)."""

    event: Event
    # It was published before the change: a sync follows it off UiTdatabank.
    was_published: bool


@dataclass(frozen=True)
class TariffChanged:
    """A tariff of the event was added, changed or removed (flushed)."""

    event: Event
    tariff_code: str


@dataclass(frozen=True)
class PerformanceChanged:
    """A performance was added or changed: its times, status, seat map or prices
    (flushed, with its new status)."""

    performance: Performance
    # Its status before the change (the same as now when the status did not change).
    status_was: str


# Subscribed by inventory (forgets the sale targets) and uitdatabank (checks and syncs).
event_changed: Signal[EventChanged] = Signal("events.event_changed")
# Subscribed by uitdatabank (checks the tariff's names and syncs).
tariff_changed: Signal[TariffChanged] = Signal("events.tariff_changed")
# Subscribed by inventory (stock when it goes on sale, closes baskets when it is
# cancelled, forgets the sale targets) and uitdatabank (syncs its event).
performance_changed: Signal[PerformanceChanged] = Signal("events.performance_changed")
