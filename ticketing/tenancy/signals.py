"""What the tenancy package tells the packages above it (ticketing/core/signals.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.core.signals import Signal
from ticketing.tenancy.models import House


@dataclass(frozen=True)
class HouseChanged:
    """A house was added or changed (flushed)."""

    house: House


# Subscribed by inventory: what sells where changes, so the sale targets are read again.
house_changed: Signal[HouseChanged] = Signal("tenancy.house_changed")
