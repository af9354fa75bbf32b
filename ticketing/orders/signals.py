"""What the orders package tells the packages above it (ticketing/core/signals.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.core.signals import Signal
from ticketing.orders.models import Order


@dataclass(frozen=True)
class TicketsValid:
    """The order has valid tickets without a code: it was just paid, or an exchange gave
    it new tickets."""

    order: Order


# Subscribed by tickets (tickets/subscribers.py): queues the issuing in the outbox.
tickets_valid: Signal[TicketsValid] = Signal("orders.tickets_valid")
