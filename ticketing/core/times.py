"""The one time type of the API: every time and day a request carries (body or query) is
checked here, so none reaches Python's date arithmetic or PostgreSQL out of range.

A time needs its time zone (a naive one is ambiguous in Brussels twice a year, and used to
be a TypeError when compared with an aware one), and it lies in the years 2000 to 2100:
far around any performance, sale window or token a house plans, and far inside what
Python and PostgreSQL can convert (0001-01-01T00:00:00+01:00 is before year 1 in UTC).

Bodies use `Moment` and `Day` as field types. Litestar reads query parameters with msgspec,
which cannot run pydantic validators: a controller declares `datetime`/`date` there and
passes the value through `moment_query`/`day_query`, which validate it with the same type.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from pydantic import AfterValidator, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
# Compared in UTC: the first and last moments whatever the offset a caller writes.
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
AFTER_LAST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)

RANGE = f"in the years {FIRST_YEAR} to {LAST_YEAR}"
EXAMPLE = "2030-05-01T20:00:00+02:00"


def _moment(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "timezone_missing",
            "Give the time with its time zone, for example {example}.",
            {"example": EXAMPLE},
        )
    # Aware datetimes compare through their difference, which never overflows (converting
    # year 1 at +01:00 to UTC would).
    if not EARLIEST <= value < AFTER_LAST:
        raise PydanticCustomError("time_out_of_range", "Give a time {range}.", {"range": RANGE})
    return value


def _day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError("day_out_of_range", "Give a day {range}.", {"range": RANGE})
    return value


Moment = Annotated[datetime, AfterValidator(_moment)]
"""A moment in a request: with its time zone, in the years 2000 to 2100."""

Day = Annotated[date, AfterValidator(_day)]
"""A day in a request, in the years 2000 to 2100."""

_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)
_DAY: TypeAdapter[date] = TypeAdapter(Day)


def _query(adapter: TypeAdapter[Any], name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        # The same 400 as a query value Litestar cannot read (errors.handle_validation).
        raise ValidationException(
            detail=f"Please check these fields: query.{name}.",
            extra=[{"key": name, "source": "query", "message": message}],
        ) from None


def moment_query(name: str, value: datetime | None) -> datetime | None:
    """A time from the query, checked as `Moment`; a 400 naming `query.<name>` otherwise."""
    result: datetime | None = _query(_MOMENT, name, value)
    return result


def day_query(name: str, value: date | None) -> date | None:
    """A day from the query, checked as `Day`; a 400 naming `query.<name>` otherwise."""
    result: date | None = _query(_DAY, name, value)
    return result


QUERY_MOMENT = f"With its time zone ({EXAMPLE}), {RANGE}."
QUERY_DAY = f"A day (YYYY-MM-DD) {RANGE}."

# A day in the query; the handler passes it through `day_query`.
DayParam = Annotated[date | None, QueryParameter(description=QUERY_DAY)]
