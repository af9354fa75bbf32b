from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ticketing.core.schemas import In, Out, Patch, fits
from ticketing.core.times import Moment
from ticketing.events.models import (
    Event,
    EventStatus,
    Performance,
    PerformancePrice,
    PerformanceStatus,
    PriceRule,
    Tariff,
    TariffKind,
)
from ticketing.events.taxonomy import EVENT_TYPES

Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=20000)]
ZoneCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,16}$"),
    fits(PerformancePrice, "zone_code"),
]
TariffCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$"), fits(Tariff, "code")]
EventTypeId = Annotated[str, fits(Event, "event_type_id")]


class LocalizedTitle(In):
    nl: Text
    fr: Text | None = None
    en: Text | None = None


class LocalizedText(In):
    nl: LongText | None = None
    fr: LongText | None = None
    en: LongText | None = None


class Image(In):
    url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=1000)]
    alt: Annotated[str, StringConstraints(max_length=300)] | None = None
    copyright_holder: Annotated[str, StringConstraints(max_length=200)] | None = None


def _check_event_type(value: str | None) -> str | None:
    if value is not None and value not in EVENT_TYPES:
        raise ValueError("Unknown genre: pick an id from GET /public/event-types.")
    return value


def _check_ages(age_min: int | None, age_max: int | None) -> None:
    if age_min is not None and age_max is not None and age_max < age_min:
        raise ValueError("The maximum age must not be lower than the minimum age.")


class EventIn(In):
    house_id: uuid.UUID
    title: LocalizedTitle
    description: LocalizedText = LocalizedText()
    event_type_id: EventTypeId = Field(description="UiTdatabank event type id, e.g. 0.55.0.0.0.")
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    images: list[Image] = Field(default_factory=list, max_length=20)

    _type = field_validator("event_type_id")(_check_event_type)

    @field_validator("age_max")
    @classmethod
    def _ages(cls, age_max: int | None, info: ValidationInfo) -> int | None:
        # On the field, so the error names age_max (age_min is validated before it).
        _check_ages(info.data.get("age_min"), age_max)
        return age_max


class EventPatch(Patch):
    table = Event

    title: LocalizedTitle | None = None
    description: LocalizedText | None = None
    event_type_id: EventTypeId | None = None
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    images: list[Image] | None = Field(default=None, max_length=20)
    status: EventStatus | None = None

    _type = field_validator("event_type_id")(_check_event_type)


class EventTypeOut(Out):
    id: str
    nl: str
    fr: str
    en: str


class EventOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    cluster_id: uuid.UUID
    title: dict[str, str]
    description: dict[str, str]
    event_type: EventTypeOut
    age_min: int | None
    age_max: int | None
    images: list[dict[str, Any]]
    status: EventStatus
    created_at: datetime


class PriceIn(In):
    zone: ZoneCode
    amount_cents: int = Field(ge=0, le=1_000_000, description="Price in euro cents.")


class PriceOut(Out):
    zone: str
    zone_name: str
    amount_cents: int


class SaleWindows(In):
    online_sales_from: Moment | None = None
    online_sales_until: Moment | None = None
    box_office_sales_from: Moment | None = None
    box_office_sales_until: Moment | None = None


class PerformanceIn(SaleWindows):
    hall_id: uuid.UUID
    layout_id: uuid.UUID | None = Field(
        default=None, description="A layout version of the hall; default: its newest."
    )
    starts_at: Moment
    ends_at: Moment
    prices: list[PriceIn] = Field(default_factory=list, max_length=50)
    reentry: bool = Field(
        default=False, description="May a ticket leave (exit scan) and come back in?"
    )


class PerformancePatch(SaleWindows, Patch):
    table = Performance

    layout_id: uuid.UUID | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    status: PerformanceStatus | None = None
    reentry: bool | None = None


class PricesIn(In):
    prices: list[PriceIn] = Field(min_length=1, max_length=50)


class PerformanceOut(Out):
    id: uuid.UUID
    event_id: uuid.UUID
    house_id: uuid.UUID
    hall_id: uuid.UUID
    layout_id: uuid.UUID
    layout_version: int
    starts_at: datetime
    ends_at: datetime
    status: PerformanceStatus
    online_sales_from: datetime | None
    online_sales_until: datetime | None
    box_office_sales_from: datetime | None
    box_office_sales_until: datetime | None
    reentry: bool
    seat_count: int
    standing_capacity: int
    prices: list[PriceOut]


class TariffIn(In):
    code: TariffCode
    name: LocalizedTitle
    kind: TariffKind
    rule: PriceRule
    value: int = Field(default=0, ge=0, le=1_000_000)
    max_per_order: int | None = Field(default=None, ge=1, le=100)
    staff_only: bool = False
    requires_check: bool = False
    position: int = Field(default=0, ge=-1000, le=1000)
    vat_rate_bp: int = Field(
        default=600,
        ge=0,
        le=10000,
        description="VAT included in the price, in basis points (600 = 6 %, 0 to 10000).",
    )


class TariffPatch(Patch):
    table = Tariff

    name: LocalizedTitle | None = None
    rule: PriceRule | None = None
    value: int | None = Field(default=None, ge=0, le=1_000_000)
    max_per_order: int | None = Field(default=None, ge=1, le=100)
    staff_only: bool | None = None
    requires_check: bool | None = None
    position: int | None = Field(default=None, ge=-1000, le=1000)
    vat_rate_bp: int | None = Field(
        default=None,
        ge=0,
        le=10000,
        description="VAT included in the price, in basis points (600 = 6 %, 0 to 10000).",
    )


class TariffOut(Out):
    id: uuid.UUID
    event_id: uuid.UUID
    code: str
    name: dict[str, str]
    kind: TariffKind
    rule: PriceRule
    value: int
    max_per_order: int | None
    staff_only: bool
    requires_check: bool
    position: int
    vat_rate_bp: int


class EventDetail(EventOut):
    performances: list[PerformanceOut]
    tariffs: list[TariffOut]


class TariffPrice(Out):
    tariff: str
    name: dict[str, str]
    amount_cents: int | None = Field(description="None: set by UiTPAS at the sale.")
    requires_check: bool
    staff_only: bool = Field(default=False, description="Given at a counter only.")


class ZonePrices(Out):
    zone: str
    zone_name: str
    color: str
    tariffs: list[TariffPrice]


class ProgrammeItem(Out):
    """One performance in a public programme (the shop's listing)."""

    performance_id: uuid.UUID
    event_id: uuid.UUID
    house_id: uuid.UUID
    house_name: str
    house_slug: str
    title: dict[str, str]
    event_type: EventTypeOut
    venue_name: str
    city: str
    hall_name: str
    starts_at: datetime
    ends_at: datetime
    status: PerformanceStatus
    price_from_cents: int | None
    age_min: int | None
    age_max: int | None
    places_left: int = Field(description="Places on sale now, counted live.")
    last_places: bool = Field(description="Few places left: the shop shows a badge.")


class PublicPerformance(Out):
    id: uuid.UUID
    hall_name: str
    venue_name: str
    city: str
    starts_at: datetime
    ends_at: datetime
    status: PerformanceStatus
    prices: list[ZonePrices]


class PublicEvent(Out):
    id: uuid.UUID
    house_name: str
    house_slug: str
    title: dict[str, str]
    description: dict[str, str]
    event_type: EventTypeOut
    age_min: int | None
    age_max: int | None
    images: list[dict[str, Any]]
    performances: list[PublicPerformance]
