from __future__ import annotations

from ticketing.core.schemas import Out


class PaymentStart(Out):
    """What the shop page needs to collect the payment with Stripe."""

    payment_intent_id: str
    client_secret: str
    publishable_key: str
    amount_cents: int
    currency: str
    # Set when the platform talks to a Stripe test server instead of Stripe itself.
    test_server: str | None
