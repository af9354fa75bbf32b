from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import StringConstraints

from ticketing.core.schemas import In, Name, Out

PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z -]{3,10}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
PlaceId = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$")]


class VenueIn(In):
    house_id: uuid.UUID
    name: Name
    street: Name
    postal_code: PostalCode
    city: Name
    country: Country = "BE"
    uitdatabank_place_id: PlaceId | None = None


class VenuePatch(In):
    name: Name | None = None
    street: Name | None = None
    postal_code: PostalCode | None = None
    city: Name | None = None
    country: Country | None = None
    uitdatabank_place_id: PlaceId | None = None


class VenueOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    uitdatabank_place_id: str | None


class HallIn(In):
    venue_id: uuid.UUID
    name: Name
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None


class HallPatch(In):
    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None


class HallOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    venue_id: uuid.UUID
    name: str
    description: str | None
