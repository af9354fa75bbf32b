from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from ticketing.core.schemas import Email, In, Language, Name, Out, Phone, fits
from ticketing.core.times import Moment
from ticketing.orders.models import Order, Payment, Refund, Ticket

TariffCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Z0-9_-]{1,16}$"), fits(Ticket, "tariff_code")
]


class CustomerIn(In):
    """The buyer. With an e-mail address, the order also keeps the buyer as a customer of
    the cluster, with the consent choices below, once it is paid (docs/domain.md,
    Customers and consent). What is left out leaves a known customer's details as they
    are."""

    name: Annotated[Name, fits(Order, "customer_name")] | None = Field(
        default=None,
        description="Needed online. At the counter, left out or empty: an anonymous sale.",
    )
    email: Annotated[Email, fits(Order, "customer_email")] | None = None
    phone: Annotated[Phone, fits(Order, "customer_phone")] | None = None
    language: Language | None = Field(
        default=None, description="Of the tickets and mails; left out: nl."
    )
    share_in_cluster: bool | None = Field(
        default=None,
        description=(
            "Yes: the other culture houses of this cluster may find me at their box office,"
            " so they can help me faster. You can change your mind at any time. Left out:"
            " no online, not asked at the counter."
        ),
    )
    newsletter: bool | None = Field(
        default=None,
        description=(
            "Yes: the house I buy these tickets from may send me its news by e-mail."
            " You can unsubscribe at any time. Left out: no online, not asked at the counter."
        ),
    )

    @field_validator("name", mode="before")
    @classmethod
    def _empty_is_anonymous(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class LineIn(In):
    """The tariff for a place in the basket; a standing item of 3 may be split over tariffs."""

    item_id: uuid.UUID
    tariff: TariffCode = "BASE"
    quantity: int = Field(default=1, ge=1, le=20)


class OrderIn(In):
    hold_id: uuid.UUID
    customer: CustomerIn
    lines: list[LineIn] = Field(
        default_factory=list, max_length=200, description="Omitted items sell at BASE."
    )


class PaymentIn(In):
    method: Literal["cash", "card_terminal", "invoice"]
    reference: Annotated[str, fits(Payment, "reference")] | None = None


class BoxOfficeOrderIn(OrderIn):
    """Sell at the counter now (payment), or reserve until a deadline (reservation)."""

    customer: CustomerIn = Field(
        default_factory=CustomerIn, description="Left out: an anonymous sale."
    )
    payment: PaymentIn | None = None
    reserve_until: Moment | None = None
    by_phone: bool = Field(
        default=False, description="Taken on the phone: the reports show it as the phone channel."
    )

    @model_validator(mode="after")
    def _pay_or_reserve(self) -> BoxOfficeOrderIn:
        if (self.payment is None) == (self.reserve_until is None):
            raise ValueError("Give either a payment (sell now) or reserve_until (pay later).")
        return self


class TicketOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    performance_id: uuid.UUID
    seat_key: str | None
    area_code: str | None
    zone_code: str
    tariff_code: str
    price_cents: int
    requires_check: bool
    status: str
    vat_rate_bp: int = Field(description="VAT included in the price, in basis points (600 = 6 %).")
    vat_cents: int = Field(description="VAT included in the price (cents, half up per ticket).")


class VatLine(Out):
    """The VAT of an order at one rate: its lines' prices (VAT included) and their VAT,
    each line rounded on its own."""

    rate_bp: int
    gross_cents: int
    vat_cents: int
    net_cents: int


class OrderOut(Out):
    id: uuid.UUID
    code: str
    house_id: uuid.UUID
    channel: str
    status: str
    customer_name: str
    customer_email: str | None
    customer_phone: str | None
    language: str
    tickets_cents: int
    fees_cents: int
    total_cents: int
    paid_cents: int
    refunded_cents: int
    pay_before: datetime | None
    needs_attention: bool
    created_at: datetime
    tickets: list[TicketOut]
    vat: list[VatLine] = Field(
        description="VAT per rate of the order's live tickets, and of its fees while one is live."
    )


class OrderPerformance(Out):
    """What a buyer's page says of a performance in the order."""

    id: uuid.UUID
    title: dict[str, str]
    starts_at: datetime
    house_name: str
    venue_name: str
    city: str
    hall_name: str
    sections: dict[str, str] = Field(description="Section names by code (for the seats).")
    areas: dict[str, str] = Field(description="Standing area names by code.")


class BuyerOrderOut(OrderOut):
    performances: list[OrderPerformance]


class OrderCreated(OrderOut):
    secret: str = Field(description="Shown once: the key of the buyer's link to the tickets.")


class OrderEventOut(Out):
    at: datetime
    kind: str
    actor: str | None
    data: dict[str, Any]


class CancelIn(In):
    ticket_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=1000, description="Omit to cancel the whole order."
    )
    reason: Annotated[str, fits(Refund, "reason")] | None = None
    refund_method: Literal["original", "cash"] = "original"


class TillOpenIn(In):
    house_id: uuid.UUID
    float_cents: int = Field(ge=0, le=10_000_000)


class TillCloseIn(In):
    counted_cash_cents: int = Field(ge=0, le=100_000_000)


class TillOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    clerk_id: uuid.UUID
    opened_at: datetime
    float_cents: int
    closed_at: datetime | None
    counted_cash_cents: int | None
    report: dict[str, Any]


class ExchangeIn(In):
    """Swap one ticket for the place held in a box-office basket (another seat, or another
    performance); the difference is paid or refunded."""

    ticket_id: uuid.UUID
    hold_id: uuid.UUID = Field(description="A box-office basket with exactly one place.")
    tariff: TariffCode | None = Field(default=None, description="Default: the old ticket's tariff.")
    payment: PaymentIn | None = Field(
        default=None, description="Needed when the new place costs more."
    )
    refund_method: Literal["original", "cash"] = "original"
