"""What the platform knows of its events in UiTdatabank."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned, TimestampField


class SyncStatus(StrEnum):
    PENDING = "pending"  # changes wait to be sent
    SYNCED = "synced"
    FAILED = "failed"  # refused by UiTdatabank: see last_error; sent again on the next change
    # The answer to its creation was lost: UiTdatabank may hold it or not. Nothing is sent
    # until staff checked and told (PUT /events/{id}/uitdatabank/locations/{venue_id}).
    UNCERTAIN = "uncertain"


class UitdatabankEvent(HouseOwned, table=True):
    """One UiTdatabank event: an event of ours at one venue (its place)."""

    __tablename__ = "uitdatabank_event"

    event_id: uuid.UUID = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    venue_id: uuid.UUID = Field(foreign_key="venue.id", ondelete="CASCADE")
    udb_id: str | None = Field(default=None, max_length=64)
    status: str = Field(default=SyncStatus.PENDING, max_length=16)
    # The performances in the order of the sub-events UiTdatabank holds (their indexes).
    sub_events: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    # Set, in a transaction of its own, just before `POST /events` goes out; cleared when
    # its answer is stored. Still set with no udb_id: a creation's outcome is unknown.
    create_sent_at: datetime | None = TimestampField(default=None, nullable=True)
    last_attempt_at: datetime | None = TimestampField(default=None, nullable=True)
    last_success_at: datetime | None = TimestampField(default=None, nullable=True)
    last_error: str | None = Field(default=None, max_length=2000)
    schema_errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )

    __table_args__ = (UniqueConstraint("event_id", "venue_id"),)
