"""The webhook inbox of the Stripe integration. The payments and refunds themselves are the
orders' (ticketing/orders/models.py): the order package books them, this one talks to Stripe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import IdMixin, TimestampField, utcnow


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
