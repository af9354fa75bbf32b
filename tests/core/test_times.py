"""The one time type of requests (ticketing/core/times.py), and the safety net behind it
(ticketing/core/errors.py): a time without a time zone or outside the years 2000 to 2100
is refused by name, and a value that still overflows is a 400, never a 500."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import asyncpg
import pytest
from litestar.exceptions import ValidationException
from litestar.testing import RequestFactory
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import DBAPIError

from ticketing.core.errors import EXCEPTION_HANDLERS, handle_database, out_of_range
from ticketing.core.times import Day, Moment, day_query, moment_query


class Body(BaseModel):
    model_config = ConfigDict(strict=True)  # as the app reads JSON bodies: text for a time

    at: Moment | None = None
    day: Day | None = None


def refused(field: str, value: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate_json(json.dumps({field: value}))
    (error,) = caught.value.errors()
    return error["type"], error["msg"]


@pytest.mark.parametrize(
    "text",
    [
        "2000-01-01T00:00:00Z",
        "2000-01-01T01:00:00+01:00",  # the same first moment, written in Brussels
        "2031-05-01T19:30:00.250+02:00",
        "2100-12-31T23:59:59.999999Z",
        "2100-12-31T13:59:59-10:00",  # the last second, written in Hawaii
    ],
)
def test_a_time_with_its_zone_in_range_is_accepted(text: str) -> None:
    at = Body.model_validate_json(json.dumps({"at": text})).at
    assert at is not None
    assert at == datetime.fromisoformat(text)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: Python cannot even convert it
        "9999-12-31T23:59:59-10:00",  # after year 9999 in UTC
        "1999-12-31T23:59:59.999999Z",
        "2000-01-01T00:30:00+01:00",  # 1999 in UTC
        "2101-01-01T00:00:00Z",
        "2100-12-31T23:59:59-10:00",  # 2101 in UTC
    ],
)
def test_a_time_out_of_range_is_refused_by_name(text: str) -> None:
    kind, message = refused("at", text)
    assert kind == "time_out_of_range"
    assert message == "Give a time in the years 2000 to 2100."


@pytest.mark.parametrize("text", ["2030-01-01T00:00:00", "2030-01-01T00:00:00.5"])
def test_a_time_without_its_zone_is_refused(text: str) -> None:
    kind, message = refused("at", text)
    assert kind == "timezone_missing"
    assert "time zone" in message
    assert "+02:00" in message


def test_days_are_bounded_like_times() -> None:
    assert Body.model_validate_json('{"day": "2000-01-01"}').day == date(2000, 1, 1)
    assert Body.model_validate_json('{"day": "2100-12-31"}').day == date(2100, 12, 31)
    for text in ("1999-12-31", "2101-01-01", "9999-12-31", "0001-01-01"):
        assert refused("day", text) == ("day_out_of_range", "Give a day in the years 2000 to 2100.")


def test_query_values_are_checked_with_the_same_type() -> None:
    brussels = timezone(timedelta(hours=2))
    at = datetime(2030, 5, 1, 20, tzinfo=brussels)
    assert moment_query("since", at) == at
    assert moment_query("since", None) is None
    assert day_query("date_to", date(2030, 5, 1)) == date(2030, 5, 1)
    assert day_query("date_to", None) is None
    moments = [
        ("since", datetime(2030, 1, 1), "time zone"),  # noqa: DTZ001
        ("until", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), "2100"),
        ("until", datetime(9999, 12, 31, tzinfo=UTC), "2100"),
    ]
    for name, value, says in moments:
        with pytest.raises(ValidationException) as caught:
            moment_query(name, value)
        assert_names(caught.value, name, says)
    with pytest.raises(ValidationException) as caught:
        day_query("date_from", date(9999, 12, 31))
    assert_names(caught.value, "date_from", "2100")


def assert_names(exc: ValidationException, name: str, says: str) -> None:
    """The same 400 as a query value Litestar cannot read: the field, and why."""
    assert exc.status_code == 400
    assert isinstance(exc.extra, list)
    (error,) = exc.extra
    assert isinstance(error, dict)
    assert (error["key"], error["source"]) == (name, "query")
    assert says in error["message"]


def _driver_overflow() -> asyncpg.exceptions.DataError:
    # What asyncpg raises when it cannot convert a parameter: its DataError, from the
    # OverflowError of the conversion (SQLAlchemy wraps it once more).
    error = asyncpg.exceptions.DataError(
        "invalid input for query argument $1: datetime.datetime(1, 1, 1, 0, 0) "
        "(date value out of range)"
    )
    error.__cause__ = OverflowError("date value out of range")
    return error


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_out_of_range_is_recognised_through_the_wrappings() -> None:
    wrapped = DBAPIError("SELECT", {}, _driver_overflow())
    assert out_of_range(wrapped)
    assert out_of_range(_driver_overflow())
    assert out_of_range(OverflowError("date value out of range"))
    assert out_of_range(DBAPIError("SELECT", {}, _DriverError("22008")))  # timestamp out of range
    assert not out_of_range(DBAPIError("SELECT", {}, _DriverError("22P02")))
    assert not out_of_range(ValueError("another mistake"))


def test_the_safety_net_answers_400_naming_no_field() -> None:
    request = RequestFactory().get("/audit")
    for exc in (
        DBAPIError("SELECT", {}, _driver_overflow()),
        DBAPIError("SELECT", {}, _DriverError("22008")),
    ):
        answer = handle_database(request, exc)
        assert answer.status_code == 400
        body = answer.content
        assert isinstance(body, dict)
        assert body["type"].endswith("/out-of-range")
        assert "nothing was changed" in body["detail"]
        assert "errors" not in body  # it cannot know which field held the value
    overflow = EXCEPTION_HANDLERS[OverflowError](request, OverflowError("date value out of range"))
    assert overflow.status_code == 400
    # Any other driver error stays what it was.
    assert (
        handle_database(request, DBAPIError("SELECT", {}, _DriverError("22P02"))).status_code == 500
    )
