from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import StringConstraints

from ticketing.core.schemas import In, Name, Out, Patch, fits
from ticketing.venues.models import Hall, Venue

PostalCode = Annotated[
    str, StringConstraints(pattern=r"^[0-9A-Za-z -]{3,10}$"), fits(Venue, "postal_code")
]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), fits(Venue, "country")]
PlaceId = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-fA-F-]{36}$"), fits(Venue, "uitdatabank_place_id")
]

VenueName = Annotated[Name, fits(Venue, "name")]
Street = Annotated[Name, fits(Venue, "street")]
City = Annotated[Name, fits(Venue, "city")]
HallName = Annotated[Name, fits(Hall, "name")]
HallDescription = Annotated[str, fits(Hall, "description")]


class VenueIn(In):
    house_id: uuid.UUID
    name: VenueName
    street: Street
    postal_code: PostalCode
    city: City
    country: Country = "BE"
    uitdatabank_place_id: PlaceId | None = None


class VenuePatch(Patch):
    table = Venue

    name: VenueName | None = None
    street: Street | None = None
    postal_code: PostalCode | None = None
    city: City | None = None
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
    name: HallName
    description: HallDescription | None = None


class HallPatch(Patch):
    table = Hall

    name: HallName | None = None
    description: HallDescription | None = None


class HallOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    venue_id: uuid.UUID
    name: str
    description: str | None
