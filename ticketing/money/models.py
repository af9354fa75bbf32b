"""The ledger of every euro, and the settlement statements between the houses of a
cluster. Ledger rows are never changed: a trigger refuses UPDATE, DELETE and TRUNCATE
(migration 2026_12_08), and a correction is a new entry."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, Identity, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ticketing.db.base import IdMixin, TimestampField, TimestampMixin, utcnow


class EntryKind(StrEnum):
    # Revenue of the owner house: what the buyer bought, plus or minus.
    SALE = "sale"  # a ticket sold (quantity 1)
    CANCEL = "cancel"  # a sold ticket cancelled or refunded (quantity -1, negative gross)
    EXCHANGE = "exchange"  # a ticket exchanged: the old one out (-1), the new one in (+1)
    FEE = "fee"  # the order's fees, and their return with the last ticket
    # Money of the house that took it: received, and given back.
    PAYMENT = "payment"
    REFUND = "refund"
    # The till: the float put in at opening, and the count's difference at closing.
    TILL_FLOAT = "till_float"
    TILL_DIFFERENCE = "till_difference"
    # Stripe Connect: a house's share transferred from the platform account, and back.
    TRANSFER = "transfer"
    TRANSFER_REVERSAL = "transfer_reversal"


REVENUE_KINDS: tuple[str, ...] = (
    EntryKind.SALE,
    EntryKind.CANCEL,
    EntryKind.EXCHANGE,
    EntryKind.FEE,
)
MONEY_KINDS: tuple[str, ...] = (EntryKind.PAYMENT, EntryKind.REFUND)
TICKET_KINDS: tuple[str, ...] = (EntryKind.SALE, EntryKind.CANCEL, EntryKind.EXCHANGE)


class SalesChannel(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"
    PHONE = "phone"


class LedgerEntry(SQLModel, table=True):
    """One money movement. Amounts are integer cents; for a refund or a cancellation
    they are negative, so every total is a plain sum."""

    __tablename__ = "ledger_entry"

    # Ordered as written: a settlement statement covers the entries up to an id.
    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    # The day in Europe/Brussels the movement happened (a sale at 00:30 belongs to that day).
    business_date: date
    cluster_id: uuid.UUID
    kind: str = Field(max_length=24)
    # The house whose revenue it is (the performance's house; the seller for its fees).
    owner_house_id: uuid.UUID
    # The house whose order it is: its counter or its online shop took the money.
    seller_house_id: uuid.UUID
    # Who holds the money now: the seller, or the owner once Stripe transferred it.
    holder_house_id: uuid.UUID
    channel: str = Field(max_length=16)
    order_id: uuid.UUID | None = Field(default=None)
    ticket_id: uuid.UUID | None = Field(default=None)
    performance_id: uuid.UUID | None = Field(default=None)
    # The performance's day in Europe/Brussels (reports by performance date).
    performance_date: date | None = Field(default=None)
    tariff_id: uuid.UUID | None = Field(default=None)
    tariff_code: str | None = Field(default=None, max_length=16)
    payment_method: str | None = Field(default=None, max_length=16)
    till_session_id: uuid.UUID | None = Field(default=None)
    clerk_id: uuid.UUID | None = Field(default=None)
    payment_id: uuid.UUID | None = Field(default=None)
    refund_id: uuid.UUID | None = Field(default=None)
    # Tickets: +1 sold, -1 back; 0 for money and fees.
    quantity: int = Field(default=0)
    gross_cents: int = Field(sa_type=BigInteger)
    # Basis points: 600 is 6 %.
    vat_rate_bp: int = Field(default=0)
    vat_cents: int = Field(default=0, sa_type=BigInteger)
    net_cents: int = Field(default=0, sa_type=BigInteger)
    # A Stripe object (transfer, reversal) or another outside reference.
    reference: str | None = Field(default=None, max_length=255)

    __table_args__ = (
        CheckConstraint("net_cents + vat_cents = gross_cents", name="vat_adds_up"),
        CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate"),
        Index("ix_ledger_entry_owner_date", "owner_house_id", "business_date"),
        Index("ix_ledger_entry_owner_performance_date", "owner_house_id", "performance_date"),
        Index("ix_ledger_entry_holder_date", "holder_house_id", "business_date"),
        Index("ix_ledger_entry_cluster_id", "cluster_id", "id"),
        Index("ix_ledger_entry_order_id", "order_id"),
        Index("ix_ledger_entry_till_session_id", "till_session_id"),
        Index("ix_ledger_entry_performance_id", "performance_id"),
    )


class StatementStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class SettlementStatement(IdMixin, TimestampMixin, table=True):
    """What the houses of a cluster owe each other for one period: the ledger entries of
    money one house holds for another, dated up to the period's end, that no final
    statement covers yet. Finalising records the entries it covers (SettlementEntry), so a
    correction booked after it, whatever its date, lands in the next statement; the ids
    are kept for the reader (after: the previous final's last entry; through: its own)."""

    __tablename__ = "settlement_statement"

    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", index=True, ondelete="RESTRICT")
    period_start: date
    period_end: date  # inclusive
    status: str = Field(max_length=8)
    after_entry_id: int = Field(default=0, sa_type=BigInteger)
    through_entry_id: int = Field(default=0, sa_type=BigInteger)
    finalised_at: datetime | None = TimestampField(default=None, nullable=True)
    finalised_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )

    __table_args__ = (
        UniqueConstraint("cluster_id", "period_start"),
        CheckConstraint("period_start <= period_end", name="period"),
    )


class SettlementLine(IdMixin, table=True):
    """Between two houses of a statement: what the holder took for the owner's
    performances (net of refunds), the commission it keeps, and what it owes."""

    __tablename__ = "settlement_line"

    statement_id: uuid.UUID = Field(
        foreign_key="settlement_statement.id", index=True, ondelete="CASCADE"
    )
    holder_house_id: uuid.UUID = Field(foreign_key="house.id", ondelete="RESTRICT")
    owner_house_id: uuid.UUID = Field(foreign_key="house.id", ondelete="RESTRICT")
    gross_cents: int = Field(sa_type=BigInteger)
    # The owner's commission rate when the line was computed (a final line keeps it).
    commission_bp: int = Field(default=0)
    commission_cents: int = Field(sa_type=BigInteger)
    owed_cents: int = Field(sa_type=BigInteger)
    entries: int = Field(default=0)

    __table_args__ = (UniqueConstraint("statement_id", "holder_house_id", "owner_house_id"),)


class SettlementEntry(SQLModel, table=True):
    """A ledger entry a final statement covers: each at most once, never again."""

    __tablename__ = "settlement_entry"

    # A ledger_entry id (no foreign key: the ledger's own trigger guards its rows).
    entry_id: int = Field(sa_type=BigInteger, primary_key=True)
    statement_id: uuid.UUID = Field(
        foreign_key="settlement_statement.id", index=True, ondelete="RESTRICT"
    )
