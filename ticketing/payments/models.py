"""The webhook inbox of the Stripe integration and the Connect transfers to the houses.
The payments and refunds themselves are the orders' (ticketing/orders/models.py): the
order package books them, this one talks to Stripe."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned, IdMixin, TimestampField, utcnow


class InboundEvent(IdMixin, table=True):
    """Webhook inbox: stored before it is handled, once per provider event id."""

    __tablename__ = "inbound_event"

    provider: str = Field(max_length=32)
    event_id: str = Field(max_length=255)
    type: str = Field(max_length=100)
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    received_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    processed_at: datetime | None = TimestampField(default=None, nullable=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)

    __table_args__ = (UniqueConstraint("provider", "event_id"),)


class TransferStatus(StrEnum):
    PENDING = "pending"  # queued (outbox) for Stripe
    SENT = "sent"
    FAILED = "failed"  # Stripe refused (e.g. a restricted account): retried, shown open


class StripeTransfer(HouseOwned, table=True):
    """Stripe Connect: one owner house's share of an order paid on the platform's
    account, transferred to the house's connected account (transfer_group: the order
    code). house_id is the receiving house."""

    __tablename__ = "stripe_transfer"

    order_id: uuid.UUID = Field(foreign_key="customer_order.id", index=True, ondelete="RESTRICT")
    payment_id: uuid.UUID = Field(foreign_key="payment.id", ondelete="RESTRICT")
    destination: str = Field(max_length=255)
    amount_cents: int
    reversed_cents: int = Field(default=0)
    transfer_group: str = Field(max_length=64)
    status: str = Field(max_length=16)
    stripe_transfer_id: str | None = Field(default=None, max_length=255)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)

    __table_args__ = (
        UniqueConstraint("order_id", "house_id"),
        CheckConstraint(
            "amount_cents > 0 AND reversed_cents >= 0 AND reversed_cents <= amount_cents",
            name="amounts",
        ),
    )


class StripeTransferReversal(IdMixin, table=True):
    """Part of a transfer taken back from a house's account for a refund of its tickets."""

    __tablename__ = "stripe_transfer_reversal"

    transfer_id: uuid.UUID = Field(
        foreign_key="stripe_transfer.id", index=True, ondelete="RESTRICT"
    )
    refund_id: uuid.UUID = Field(foreign_key="refund.id", ondelete="RESTRICT")
    amount_cents: int
    status: str = Field(max_length=16)
    stripe_reversal_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    last_error: str | None = Field(default=None, max_length=2000)

    __table_args__ = (
        UniqueConstraint("refund_id", "transfer_id"),
        CheckConstraint("amount_cents > 0", name="positive"),
    )
