"""Live inventory. The allocation table holds exactly the seats and standing places that
are held, sold or blocked; the database guarantees that a seat appears at most once per
performance and that a standing area never goes over its capacity."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlmodel import Field, SQLModel

from ticketing.db.base import HouseOwned, TimestampField


class Channel(StrEnum):
    ONLINE = "online"
    BOX_OFFICE = "box_office"


class HoldStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    ORDERED = "ordered"
    EXPIRED = "expired"
    # Ended because a performance in it was cancelled: its places went back, and checking
    # it out answers which performance is off sale (closed_performance_id).
    CLOSED = "closed"


class AllocationStatus(StrEnum):
    HELD = "held"  # in a basket or an unpaid order, until expires_at
    SOLD = "sold"
    BLOCKED = "blocked"  # house seats, technical kills: set by staff


class Hold(HouseOwned, table=True):
    """A basket: places held for a buyer for a short time. It belongs to the house whose
    shop or box office made it; its items may be of any house of the same cluster."""

    channel: str = Field(max_length=16)
    status: str = Field(default=HoldStatus.ACTIVE, max_length=16)
    expires_at: datetime = TimestampField(nullable=False)
    extended: bool = Field(default=False)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    closed_performance_id: uuid.UUID | None = Field(
        default=None, foreign_key="performance.id", ondelete="SET NULL"
    )


class Allocation(HouseOwned, table=True):
    performance_id: uuid.UUID = Field(foreign_key="performance.id", ondelete="CASCADE")
    seat_key: str | None = Field(default=None, max_length=60)
    area_code: str | None = Field(default=None, max_length=16)
    zone_code: str = Field(max_length=16)
    quantity: int = Field(default=1)
    status: str = Field(max_length=16)
    hold_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            PgUUID(as_uuid=True), ForeignKey("hold.id", ondelete="SET NULL"), index=True
        ),
    )
    # Set for held places; NULL for sold and blocked ones.
    expires_at: datetime | None = TimestampField(default=None, nullable=True)

    __table_args__ = (
        # The guarantee: one live allocation per seat of a performance.
        Index(
            "uq_allocation_seat",
            "performance_id",
            "seat_key",
            unique=True,
            postgresql_where=text("seat_key IS NOT NULL"),
        ),
        Index(
            "ix_allocation_standing",
            "performance_id",
            "area_code",
            "expires_at",
            postgresql_where=text("area_code IS NOT NULL"),
        ),
        Index(
            "ix_allocation_expiry", "expires_at", postgresql_where=text("expires_at IS NOT NULL")
        ),
        CheckConstraint("(seat_key IS NULL) <> (area_code IS NULL)", name="seat_or_area"),
        CheckConstraint("quantity >= 1 AND (seat_key IS NULL OR quantity = 1)", name="quantity"),
        CheckConstraint(
            "status IN ('held', 'sold', 'blocked')"
            " AND ((status = 'held') = (expires_at IS NOT NULL))",
            name="status_expiry",
        ),
    )


class StandingStock(SQLModel, table=True):
    """Places taken in a standing area (held or sold), changed only by conditional
    updates in the same transaction as the allocation rows."""

    __tablename__ = "standing_stock"

    performance_id: uuid.UUID = Field(
        foreign_key="performance.id", primary_key=True, ondelete="CASCADE"
    )
    area_code: str = Field(max_length=16, primary_key=True)
    house_id: uuid.UUID = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", ondelete="CASCADE")
    zone_code: str = Field(max_length=16)
    capacity: int
    used: int = Field(default=0)

    __table_args__ = (CheckConstraint("used >= 0 AND used <= capacity", name="within_capacity"),)
