from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, field_validator

from ticketing.core.schemas import In, Out


class PaymentStart(Out):
    """What the shop page needs to collect the payment with Stripe."""

    payment_intent_id: str
    client_secret: str
    publishable_key: str
    amount_cents: int
    currency: str
    # Set when the platform talks to a Stripe test server instead of Stripe itself.
    test_server: str | None
    # The shop shows its test-mode payment page (POST .../test-payment), not Stripe's.
    test_mode: bool = False


# Stripe's published test cards that the test-mode page takes: paid, and declined.
TEST_CARDS = {"4242424242424242": "succeeds", "4000000000000341": "is declined"}


class TestCardIn(In):
    card_number: Annotated[
        str,
        BeforeValidator(lambda v: v.replace(" ", "") if isinstance(v, str) else v),
        StringConstraints(pattern=r"^[0-9]{16}$"),
    ] = Field(description="One of Stripe's test card numbers: " + ", ".join(TEST_CARDS) + ".")

    @field_validator("card_number")
    @classmethod
    def _test_card(cls, value: str) -> str:
        if value not in TEST_CARDS:
            raise ValueError(
                "Test mode takes Stripe's test cards only: 4242 4242 4242 4242 (paid) or "
                "4000 0000 0000 0341 (declined)."
            )
        return value


class TransferOut(Out):
    """A Connect transfer of an order's share to a house (failed: open, retried)."""

    id: uuid.UUID
    house_id: uuid.UUID
    order_id: uuid.UUID
    destination: str
    amount_cents: int
    reversed_cents: int
    transfer_group: str
    status: str
    stripe_transfer_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
