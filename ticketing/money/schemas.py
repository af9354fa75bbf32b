"""The answer of a report as JSON, and the parsing of the reports' query parameters."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from ticketing import clock
from ticketing.core.errors import InvalidInput
from ticketing.core.schemas import Out
from ticketing.core.times import FIRST_DAY, LAST_DAY, RANGE

Format = Literal["json", "csv", "xlsx"]
Basis = Literal["transaction", "performance"]


class ReportColumnOut(BaseModel):
    key: str
    label: str
    kind: Literal["text", "date", "count", "cents", "rate", "running"] = Field(
        description="count and cents are summed in the totals; cents are euro cents; rate "
        "is in basis points (600: 6 %); running is a running total, not summed."
    )


class ReportOut(Out):
    """A report: its columns, a row per line (values by column key; dates as YYYY-MM-DD,
    amounts in integer cents) and the sums of its count and cents columns."""

    name: str
    title: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, int]


def today() -> date:
    return clock.local(clock.now()).date()


def day_of(field: str, value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.field(f"query.{field}", "A day is written YYYY-MM-DD.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput.field(f"query.{field}", f"Give a day {RANGE}.")
    return day


def date_range(start: str | None, end: str | None) -> tuple[date, date]:
    """from and to (YYYY-MM-DD); without them, from the first of to's month (in
    Brussels) to today."""
    last = day_of("to", end) if end else today()
    return (day_of("from", start) if start else last.replace(day=1)), last


def month_of(value: str | None) -> date:
    """YYYY-MM (this month without it)."""
    if value is None:
        return today().replace(day=1)
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        first = date(int(year), int(month), 1)
    except ValueError:
        raise InvalidInput.field("query.month", "A month is written YYYY-MM.") from None
    if not FIRST_DAY <= first <= LAST_DAY:
        raise InvalidInput.field("query.month", f"Give a month {RANGE}.")
    return first


def groups_of(value: str | None) -> list[str]:
    """performance,tariff: the names (the report service checks them)."""
    return [v.strip() for v in value.split(",")] if value else []
