from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned


class SeatMapLayout(HouseOwned, table=True):
    """One immutable version of a hall's seat map. Saving makes a new version, so a
    performance keeps the drawing it was put on sale with."""

    __tablename__ = "seat_map_layout"

    hall_id: uuid.UUID = Field(foreign_key="hall.id", index=True, ondelete="CASCADE")
    version: int = Field(ge=1)
    name: str = Field(max_length=200)
    # The document in the published format (podium.seatmap/1), as exported.
    document: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    seat_count: int = Field(ge=0)
    standing_capacity: int = Field(ge=0)

    __table_args__ = (UniqueConstraint("hall_id", "version"),)
