"""Import every outbox handler, so that a process that writes or carries out outbox
messages knows all topics (the API and the workers both import this), and the listeners
to changes of places that store them."""

from ticketing.payments import stripe_flow
from ticketing.tickets import issuing
from ticketing.uitdatabank import availability as uitdatabank_availability
from ticketing.uitdatabank import sync as uitdatabank_sync

__all__ = ["issuing", "stripe_flow", "uitdatabank_availability", "uitdatabank_sync"]
