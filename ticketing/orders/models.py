"""Orders and their tickets. An order belongs to the cluster and to the house that sold
it; every ticket is attributed to the house of its performance, for settlement."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ticketing.customers import models as _customers  # noqa: F401 - customer_id's table
from ticketing.db.base import HouseOwned, IdMixin, TimestampField, utcnow


class OrderStatus(StrEnum):
    PENDING = "pending"  # waiting for the online payment, places held
    RESERVED = "reserved"  # box-office reservation: pay before the deadline
    PAID = "paid"
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # not paid in time, places back on sale
    # Paid after its places were sold again: no tickets, the money goes back (staff see it).
    REFUND_DUE = "refund_due"


class TicketStatus(StrEnum):
    PENDING = "pending"  # order not paid yet
    VALID = "valid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD_TERMINAL = "card_terminal"
    INVOICE = "invoice"
    ONLINE = "online"  # Stripe: card or Bancontact


class Order(HouseOwned, table=True):
    __tablename__ = "customer_order"

    code: str = Field(max_length=16)
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16, index=True)
    customer_name: str = Field(max_length=200)
    customer_email: str | None = Field(default=None, max_length=254)
    customer_phone: str | None = Field(default=None, max_length=40)
    language: str = Field(default="nl", max_length=2)
    hold_id: uuid.UUID | None = Field(default=None, foreign_key="hold.id", ondelete="SET NULL")
    tickets_cents: int = Field(default=0)
    fees_cents: int = Field(default=0)
    total_cents: int = Field(default=0)
    paid_cents: int = Field(default=0)
    refunded_cents: int = Field(default=0)
    # Pending online orders: the basket's expiry; reservations: the deadline to pay.
    pay_before: datetime | None = TimestampField(default=None, nullable=True)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    needs_attention: bool = Field(default=False)
    # For the buyer's link to the tickets (no login); stored hashed.
    secret_hash: str = Field(max_length=64)
    # The cluster's customer of this e-mail address, set when the order is paid (none
    # without one). Not indexed, so the update that sets it can stay a HOT update.
    customer_id: uuid.UUID | None = Field(
        default=None, foreign_key="customer.id", ondelete="SET NULL"
    )
    # The buyer's consent choices given with this order (None: not asked). They reach the
    # customer record only when the order is paid (orders/buyers.py).
    share_in_cluster: bool | None = Field(default=None)
    newsletter: bool | None = Field(default=None)
    # Whether the buyer chose the language (without one the tickets are in Dutch, and a
    # known customer keeps theirs).
    language_given: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    # VAT included in the fees (basis points), from the selling house when ordered.
    fees_vat_rate_bp: int = Field(default=2100, sa_column_kwargs={"server_default": text("2100")})
    # A box-office order taken on the phone (the ledger's channel "phone").
    by_phone: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    # Paid on the platform's Stripe account and split to the houses by Connect transfers.
    split_by_transfers: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )

    __table_args__ = (
        UniqueConstraint("house_id", "code"),
        CheckConstraint(
            "paid_cents >= 0 AND refunded_cents >= 0 AND refunded_cents <= paid_cents",
            name="money",
        ),
        Index(
            "ix_customer_order_due",
            "pay_before",
            postgresql_where=text("status IN ('pending', 'reserved')"),
        ),
    )


class Ticket(HouseOwned, table=True):
    """One admission. house_id is the house of the performance (settlement)."""

    order_id: uuid.UUID = Field(foreign_key="customer_order.id", index=True, ondelete="CASCADE")
    performance_id: uuid.UUID = Field(foreign_key="performance.id", index=True, ondelete="RESTRICT")
    allocation_id: uuid.UUID | None = Field(
        default=None, foreign_key="allocation.id", ondelete="SET NULL"
    )
    seat_key: str | None = Field(default=None, max_length=60)
    area_code: str | None = Field(default=None, max_length=16)
    zone_code: str = Field(max_length=16)
    tariff_id: uuid.UUID | None = Field(default=None, foreign_key="tariff.id", ondelete="SET NULL")
    tariff_code: str = Field(max_length=16)
    price_cents: int
    # VAT included in the price, in basis points (the tariff's rate; 0 for an exempt house).
    vat_rate_bp: int = Field(default=600, sa_column_kwargs={"server_default": text("600")})
    requires_check: bool = Field(default=False)
    status: str = Field(max_length=16)
    issued_at: datetime | None = TimestampField(default=None, nullable=True)
    # Set once when the ticket is issued: the signed QR text and the key that signed it.
    key_id: int | None = Field(default=None, sa_type=BigInteger)
    qr: str | None = Field(default=None, sa_type=Text)
    # At the door: admitted once (the first time), inside now (exit and re-entry), and the
    # last scan that changed it.
    admitted_at: datetime | None = TimestampField(default=None, nullable=True)
    inside: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    last_scan_at: datetime | None = TimestampField(default=None, nullable=True)
    last_gate: str | None = Field(default=None, max_length=40)
    last_device_id: uuid.UUID | None = Field(default=None)

    __table_args__ = (CheckConstraint("price_cents >= 0", name="price"),)


class OrderEvent(IdMixin, table=True):
    """The order's history: every change, by whom, when."""

    __tablename__ = "order_event"

    order_id: uuid.UUID = Field(foreign_key="customer_order.id", index=True, ondelete="CASCADE")
    at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    kind: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=254)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a write sent with an Idempotency-Key, replayed for the same key."""

    __tablename__ = "idempotency_record"

    scope: str = Field(max_length=200, primary_key=True)
    key: str = Field(max_length=200, primary_key=True)
    request_hash: str = Field(max_length=64)
    status_code: int
    body: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime = TimestampField(default_factory=utcnow, nullable=False)


class TillSession(HouseOwned, table=True):
    """A clerk's till: opened with a float, closed with a count and a report."""

    __tablename__ = "till_session"

    clerk_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True, ondelete="RESTRICT")
    opened_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    float_cents: int = Field(ge=0)
    closed_at: datetime | None = TimestampField(default=None, nullable=True)
    counted_cash_cents: int | None = Field(default=None)
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))

    __table_args__ = (
        # One open till per clerk per house.
        Index(
            "uq_till_session_open",
            "house_id",
            "clerk_id",
            unique=True,
            postgresql_where=text("closed_at IS NULL"),
        ),
    )


# --- payments and refunds: booked by the orders package (the counter, the online flow) ---


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
