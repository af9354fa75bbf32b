"""Tables of door scanning: the devices a house registers and every scan they report."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned, IdMixin, TimestampField, utcnow


class ScannerDevice(HouseOwned, table=True):
    """A door device (a phone, a hand-held scanner's computer) registered by a house admin.
    It signs in with its own token, for the performances and gates it was given."""

    __tablename__ = "scanner_device"

    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    performance_ids: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid), nullable=False)
    )
    gates: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    revoked_at: datetime | None = TimestampField(default=None, nullable=True)


class Scan(IdMixin, table=True):
    """Every scan a device reports, online or uploaded later from its offline queue."""

    at: datetime = TimestampField(nullable=False)  # when the device scanned
    received_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    house_id: uuid.UUID = Field(foreign_key="house.id", ondelete="CASCADE")
    performance_id: uuid.UUID | None = Field(
        default=None, foreign_key="performance.id", ondelete="CASCADE"
    )
    ticket_id: uuid.UUID | None = Field(default=None, foreign_key="ticket.id", ondelete="CASCADE")
    device_id: uuid.UUID = Field(foreign_key="scanner_device.id", ondelete="CASCADE")
    gate: str = Field(max_length=40)
    direction: str = Field(max_length=3)  # in, out
    # admitted, exited, refused, conflict (offline: let through, but the server refuses it)
    # or late (offline, older than the ticket's last change: history only).
    result: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=32)
    offline: bool = Field(default=False)
    # The device's own id for an offline scan: an upload sent twice is recorded once.
    nonce: str | None = Field(default=None, max_length=64)

    __table_args__ = (
        UniqueConstraint("device_id", "nonce"),
        Index("ix_scan_performance_result", "performance_id", "result", "gate"),
        Index("ix_scan_ticket", "ticket_id"),
    )
