from __future__ import annotations

import uuid

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from ticketing.db.base import HouseOwned


class Venue(HouseOwned, table=True):
    name: str = Field(max_length=200)
    street: str = Field(max_length=200)
    postal_code: str = Field(max_length=10)
    city: str = Field(max_length=100)
    country: str = Field(default="BE", max_length=2)
    uitdatabank_place_id: str | None = Field(default=None, max_length=64)


class Hall(HouseOwned, table=True):
    venue_id: uuid.UUID = Field(foreign_key="venue.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)

    __table_args__ = (UniqueConstraint("venue_id", "name"),)
