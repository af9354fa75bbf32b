"""Import every outbox handler and every signal subscriber, so that a process that writes
or carries out outbox messages knows all topics, and every signal reaches the packages
above its sender (ticketing/core/signals.py). The API, the workers, the demo seed and the
tests all import this; tests/core/test_signals.py fails when a declared signal has no
subscriber once it is imported."""

from ticketing.inventory import subscribers as inventory_subscribers
from ticketing.payments import stripe_flow
from ticketing.tickets import issuing
from ticketing.tickets import subscribers as tickets_subscribers
from ticketing.uitdatabank import availability as uitdatabank_availability
from ticketing.uitdatabank import subscribers as uitdatabank_subscribers
from ticketing.uitdatabank import sync as uitdatabank_sync

__all__ = [
    "inventory_subscribers",
    "issuing",
    "stripe_flow",
    "tickets_subscribers",
    "uitdatabank_availability",
    "uitdatabank_subscribers",
    "uitdatabank_sync",
]
