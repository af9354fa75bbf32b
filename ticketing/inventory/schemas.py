from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from ticketing.core.schemas import In, Out, fits
from ticketing.inventory.models import Allocation

SeatKey = Annotated[str, StringConstraints(min_length=3), fits(Allocation, "seat_key")]
AreaCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,16}$"), fits(Allocation, "area_code")
]
ZoneCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,16}$"), fits(Allocation, "zone_code")
]


class StandingRequest(In):
    area: AreaCode
    quantity: int = Field(ge=1, le=20)


class BestRequest(In):
    quantity: int = Field(ge=1, le=20)
    zone: ZoneCode | None = None
    accessible: bool = Field(
        default=False, description="One wheelchair space and seats next to it."
    )


class HoldItemsIn(In):
    """What to hold for one performance: chosen seats, standing places, or the best
    available seats. Everything or nothing is held."""

    performance_id: uuid.UUID
    seats: list[SeatKey] = Field(default_factory=list, max_length=20)
    standing: list[StandingRequest] = Field(default_factory=list, max_length=10)
    best: BestRequest | None = None

    @model_validator(mode="after")
    def _something(self) -> HoldItemsIn:
        if not self.seats and not self.standing and self.best is None:
            raise ValueError("Choose seats, standing places or best available seats.")
        if len(set(self.seats)) != len(self.seats):
            raise ValueError("A seat is listed twice.")
        return self


class BoxOfficeHoldIn(HoldItemsIn):
    house_id: uuid.UUID = Field(description="The house whose counter sells.")


class HoldItemOut(Out):
    id: uuid.UUID
    performance_id: uuid.UUID
    house_id: uuid.UUID
    seat_key: str | None
    area_code: str | None
    zone_code: str
    quantity: int
    status: str


class HoldOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    channel: str
    status: str
    expires_at: datetime
    extended: bool
    items: list[HoldItemOut]
    fee_per_ticket_cents: int | None = Field(
        default=None,
        description="The online service fee the order adds per paid ticket (GET of a shop"
        " basket; not read for every hold).",
    )
    house_name: str | None = Field(
        default=None,
        description="The selling house, whose news the checkout asks for (GET of a shop basket).",
    )


class BlockIn(In):
    seats: list[SeatKey] = Field(min_length=1, max_length=2000)


class ZoneAvailability(Out):
    zone: str
    name: str
    color: str
    price_cents: int | None
    seats_total: int
    seats_available: int


class StandingAvailability(Out):
    area: str
    name: str
    zone: str
    capacity: int
    available: int


class AvailabilityOut(Out):
    performance_id: uuid.UUID
    status: str
    layout_id: uuid.UUID
    zones: list[ZoneAvailability]
    standing: list[StandingAvailability]
    held: list[str] = Field(description="Seat keys held in someone's basket right now.")
    sold: list[str]
    blocked: list[str]
