"""Request and answer bodies of the settlement statements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field, model_validator

from ticketing.core.schemas import In, Out
from ticketing.core.times import Day


class StatementIn(In):
    """A calendar month, or a period of your own (both ends inclusive)."""

    month: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}$", description="YYYY-MM: that calendar month."
    )
    period_start: Day | None = None
    period_end: Day | None = None

    @model_validator(mode="after")
    def one_way(self) -> StatementIn:
        given = self.period_start is not None or self.period_end is not None
        if self.month is not None and given:
            raise ValueError("Give a month, or period_start and period_end, not both.")
        if self.month is None and (self.period_start is None or self.period_end is None):
            raise ValueError("Give a month (YYYY-MM), or both period_start and period_end.")
        return self


class LineOut(Out):
    holder_house_id: uuid.UUID
    holder_house: str
    owner_house_id: uuid.UUID
    owner_house: str
    entries: int
    gross_cents: int
    commission_bp: int
    commission_cents: int
    owed_cents: int


class NetOut(Out):
    house_a_id: uuid.UUID
    house_b_id: uuid.UUID
    a_owes_b_cents: int
    b_owes_a_cents: int
    payer_house_id: uuid.UUID
    payee_house_id: uuid.UUID
    net_cents: int


class StatementSummaryOut(Out):
    id: uuid.UUID
    cluster_id: uuid.UUID
    period_start: date
    period_end: date
    status: str
    after_entry_id: int
    through_entry_id: int
    created_at: datetime
    updated_at: datetime
    finalised_at: datetime | None
    finalised_by_id: uuid.UUID | None


class StatementOut(StatementSummaryOut):
    lines: list[LineOut]
    nets: list[NetOut]
    totals: dict[str, int]
