from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from ticketing.db.base import HouseOwned, TimestampField


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class PerformanceStatus(StrEnum):
    DRAFT = "draft"
    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    CANCELLED = "cancelled"


class TariffKind(StrEnum):
    BASE = "base"
    REDUCED = "reduced"
    YOUTH = "youth"  # -26
    SENIOR = "senior"  # 65+
    GROUP = "group"
    SCHOOL = "school"
    COMPLIMENTARY = "complimentary"
    UITPAS = "uitpas"  # kansentarief: the price is asked from UiTPAS at sale time


class PriceRule(StrEnum):
    PERCENT_OFF = "percent_off"  # value: percent
    AMOUNT_OFF = "amount_off"  # value: cents off the zone price
    FIXED = "fixed"  # value: cents, whatever the zone
    FREE = "free"
    UITPAS = "uitpas"  # never computed locally


class Event(HouseOwned, table=True):
    # {"nl": ..., "fr": ..., "en": ...}; nl is always present.
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    description: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    event_type_id: str = Field(max_length=32, index=True)
    age_min: int | None = Field(default=None)
    age_max: int | None = Field(default=None)
    images: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    status: str = Field(default=EventStatus.DRAFT, max_length=16, index=True)


class Performance(HouseOwned, table=True):
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    hall_id: uuid.UUID = Field(foreign_key="hall.id", index=True, ondelete="RESTRICT")
    layout_id: uuid.UUID = Field(foreign_key="seat_map_layout.id", ondelete="RESTRICT")
    starts_at: datetime = TimestampField(nullable=False)
    ends_at: datetime = TimestampField(nullable=False)
    status: str = Field(default=PerformanceStatus.DRAFT, max_length=16)
    # NULL: online sales open at once and close at the start; the box office sells until the end.
    online_sales_from: datetime | None = TimestampField(default=None, nullable=True)
    online_sales_until: datetime | None = TimestampField(default=None, nullable=True)
    box_office_sales_from: datetime | None = TimestampField(default=None, nullable=True)
    box_office_sales_until: datetime | None = TimestampField(default=None, nullable=True)
    # May a ticket leave and come back in (an exit scan, then a new entry)?
    reentry: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # The public programme: performances on sale, by cluster and date.
        Index("ix_performance_programme", "cluster_id", "starts_at"),
    )


class PerformancePrice(HouseOwned, table=True):
    __tablename__ = "performance_price"

    performance_id: uuid.UUID = Field(foreign_key="performance.id", index=True, ondelete="CASCADE")
    zone_code: str = Field(max_length=16)
    amount_cents: int = Field(ge=0)

    __table_args__ = (
        UniqueConstraint("performance_id", "zone_code"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )


class Tariff(HouseOwned, table=True):
    event_id: uuid.UUID = Field(foreign_key="event.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=16)
    name: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    kind: str = Field(max_length=16)
    rule: str = Field(max_length=16)
    value: int = Field(default=0)
    max_per_order: int | None = Field(default=None)
    # Complimentary tickets and some reductions may only be given at the counter.
    staff_only: bool = Field(default=False)
    # Reduced tariffs: the door steward checks the proof (student card, 65+, UiTPAS).
    requires_check: bool = Field(default=False)
    position: int = Field(default=0)
    # VAT on this tariff's tickets, in basis points (600: 6 %, admission to a cultural event).
    vat_rate_bp: int = Field(default=600, sa_column_kwargs={"server_default": text("600")})

    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("vat_rate_bp >= 0 AND vat_rate_bp <= 10000", name="vat_rate"),
    )
