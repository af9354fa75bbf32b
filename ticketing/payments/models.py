from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned, IdMixin, TimestampField, utcnow


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class RefundStatus(StrEnum):
    PENDING = "pending"  # queued (outbox) for Stripe
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(HouseOwned, table=True):
    """Money received for an order, by the house that sold it."""

    order_id: uuid.UUID = Field(foreign_key="customer_order.id", index=True, ondelete="CASCADE")
    method: str = Field(max_length=16)
    status: str = Field(max_length=16)
    amount_cents: int
    till_session_id: uuid.UUID | None = Field(
        default=None, foreign_key="till_session.id", index=True, ondelete="SET NULL"
    )
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255)
    stripe_account_id: str | None = Field(default=None, max_length=255)
    reference: str | None = Field(default=None, max_length=200)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="positive"),
        Index(
            "uq_payment_intent",
            "stripe_payment_intent_id",
            unique=True,
            postgresql_where=text("stripe_payment_intent_id IS NOT NULL"),
        ),
    )


class Refund(HouseOwned, table=True):
    order_id: uuid.UUID = Field(foreign_key="customer_order.id", index=True, ondelete="CASCADE")
    payment_id: uuid.UUID | None = Field(
        default=None, foreign_key="payment.id", ondelete="SET NULL"
    )
    method: str = Field(max_length=16)
    status: str = Field(max_length=16)
    amount_cents: int
    reason: str | None = Field(default=None, max_length=500)
    ticket_ids: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    till_session_id: uuid.UUID | None = Field(
        default=None, foreign_key="till_session.id", index=True, ondelete="SET NULL"
    )
    stripe_refund_id: str | None = Field(default=None, max_length=255)
    last_error: str | None = Field(default=None, max_length=2000)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )

    __table_args__ = (CheckConstraint("amount_cents > 0", name="positive"),)


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
