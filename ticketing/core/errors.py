"""Domain errors carry their HTTP status; one set of handlers renders every error as
problem+json (RFC 9457) with the fields that are wrong and a message a clerk understands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from asyncpg import PostgresError
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

log = logging.getLogger("ticketing.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://podium.example/problems/"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    seat: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"field": self.field, "message": self.message}
        if self.seat is not None:
            out["seat"] = self.seat
        return out


class DomainError(Exception):
    status_code: int = HTTP_400_BAD_REQUEST
    type_slug: str = "bad-request"
    title: str = "The request cannot be carried out"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    # Also the answer for another tenant's resource: a 403 would reveal that it exists.
    status_code = HTTP_404_NOT_FOUND
    type_slug = "not-found"
    title = "Not found"


class Forbidden(DomainError):
    status_code = HTTP_403_FORBIDDEN
    type_slug = "forbidden"
    title = "Not allowed"


class Conflict(DomainError):
    status_code = HTTP_409_CONFLICT
    type_slug = "conflict"
    title = "Conflict"


class BadRequest(DomainError):
    """The request cannot be read: not JSON, or a character that cannot be stored."""

    type_slug = "bad-request"
    title = "The request cannot be read"


class UnsupportedMediaType(DomainError):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE
    type_slug = "unsupported-media-type"
    title = "Unsupported media type"


class InvalidInput(DomainError):
    status_code = HTTP_422_UNPROCESSABLE_ENTITY
    type_slug = "invalid-input"
    title = "Some fields are not valid"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(message, errors=[FieldError(field, message)])


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    type_slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_path(parts: Sequence[str | int]) -> str:
    """The one spelling of a field in errors: dots between names, brackets around list
    positions (`lines[0].quantity`, `document.sections[1].rows[0]`)."""
    out = ""
    for part in parts:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _field_path(key: str | None, source: Any) -> str:
    # Litestar names the source with its ParamType enum, whose str() is "ParamType.QUERY".
    source = getattr(source, "value", source)
    if not key:
        return source or "body"
    key = field_path(key.split("."))
    if source in (None, "body"):
        return key
    return f"{source}.{key}"


# Errors of a well-formed request that the API cannot accept: a 422, not a 400 (see
# docs/api.md, Errors). Pydantic validators raise them with this type.
UNACCEPTABLE = frozenset({"null_not_allowed"})


def pydantic_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors of a request body, as Litestar's ValidationException carries them."""
    return [
        {
            "key": field_path([p for p in e["loc"] if isinstance(p, (str, int))]),
            "source": "body",
            "message": e["msg"],
            "type": e["type"],
        }
        for e in errors
    ]


def _humanize(message: str) -> str:
    # pydantic/msgspec say "Field required"; a clerk reads "This field is required".
    replacements = {
        "Field required": "This field is required.",
        "Extra inputs are not permitted": "This field is not expected here.",
    }
    message = re.sub(r" for path \S+", "", message)  # the caller knows which path it called
    message = message.removeprefix("Value error, ")  # pydantic's wrapping of our own messages
    return replacements.get(message, message[:1].upper() + message[1:])


def validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors: list[dict[str, str]] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = item.get("key")
        source = item.get("source")
        message = str(item.get("message", "Invalid value."))
        errors.append({"field": _field_path(key, source), "message": _humanize(message)})
    return errors


def _unacceptable(exc: ValidationException) -> bool:
    extra = exc.extra if isinstance(exc.extra, list) else []
    types = [item.get("type") for item in extra if isinstance(item, dict)]
    return bool(types) and all(t in UNACCEPTABLE for t in types)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return problem(
        request,
        status=exc.status_code,
        type_slug=exc.type_slug,
        title=exc.title,
        detail=exc.detail,
        errors=[e.as_dict() for e in exc.errors],
    )


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = validation_errors(exc)
    if errors:
        names = ", ".join(e["field"] for e in errors[:5])
        detail = f"Please check these fields: {names}."
    else:
        detail = _humanize(exc.detail or "The request is not valid.")
        missing = re.match(r"Missing required (\w+) parameter '([^']+)'", detail)
        if missing:
            source, name = missing.groups()
            errors = [{"field": f"{source}.{name}", "message": "This field is required."}]
    if _unacceptable(exc):
        return problem(
            request,
            status=InvalidInput.status_code,
            type_slug=InvalidInput.type_slug,
            title=InvalidInput.title,
            detail=detail,
            errors=errors,
        )
    return problem(
        request,
        status=HTTP_400_BAD_REQUEST,
        type_slug="validation",
        title="Some fields are not valid",
        detail=detail,
        errors=errors,
    )


def handle_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        detail = "Nothing was found at this address."
    else:
        detail = exc.detail
    slug = {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}
    return problem(
        request,
        status=status,
        type_slug=slug.get(status, "http-error"),
        title=str(exc.detail) if status >= 500 else _title_for(status),
        detail=str(detail),
        headers=exc.headers or None,
    )


def _title_for(status: int) -> str:
    return {
        400: "Bad request",
        401: "Please log in",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        413: "Request too large",
        415: "Unsupported media type",
        429: "Too many requests",
    }.get(status, "Request failed")


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    log.exception("unhandled error (request_id=%s)", request_id, exc_info=exc)
    return problem(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        type_slug="internal",
        title="Something went wrong on our side",
        detail=f"The error was logged. Quote reference {request_id} to support.",
    )


# An Idempotency-Key's record, stored with the commit of work that skips the claim (see
# core.idempotency): it collides when the key was used for another request meanwhile.
IDEMPOTENCY_RECORD = "pk_idempotency_record"
KEY_REUSED = "This Idempotency-Key was used for a different request; use a new key."


def handle_integrity(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Services translate the constraints they expect; this is the safety net for the rest,
    # so a race that hits a unique index is a clear 409, never a 500.
    if getattr(getattr(exc, "orig", exc), "sqlstate", None) == NOT_NULL_VIOLATION:
        # Never a client's conflict: a null got past the request's validation (PATCH nulls
        # are refused there, core.schemas.Patch). Saying "conflicts with existing data"
        # would send the clerk looking for a duplicate that does not exist.
        return handle_unexpected(request, exc)
    log.info("integrity error: %s", getattr(exc, "orig", exc))
    if _constraint(exc) == IDEMPOTENCY_RECORD:
        return handle_domain_error(request, InvalidInput.field("Idempotency-Key", KEY_REUSED))
    return problem(
        request,
        status=HTTP_409_CONFLICT,
        type_slug="conflict",
        title="Conflict",
        detail="This conflicts with data that already exists; nothing was changed.",
    )


def _constraint(exc: Exception) -> str | None:
    """The constraint a driver error names, through SQLAlchemy's wrapping or not."""
    error: Any = getattr(exc, "orig", exc)
    error = getattr(error, "__cause__", None) or error
    name = getattr(error, "constraint_name", None)
    return name if isinstance(name, str) else None


RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock detected, serialization failure
DATETIME_FIELD_OVERFLOW = "22008"
UNIQUE_VIOLATION = "23505"
NOT_NULL_VIOLATION = "23502"


def handle_database(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Errors from the driver, through SQLAlchemy (DBAPIError) or from the plain-SQL paths
    (asyncpg's PostgresError)."""
    sqlstate = getattr(getattr(exc, "orig", exc), "sqlstate", None)
    if sqlstate == UNIQUE_VIOLATION:
        return handle_integrity(request, exc)
    if out_of_range(exc):
        return handle_out_of_range(request, exc)
    if sqlstate in RETRYABLE_SQLSTATES:
        # Nothing was changed (the transaction rolled back); the same request may succeed.
        return problem(
            request,
            status=HTTP_409_CONFLICT,
            type_slug="try-again",
            title="Busy",
            detail="Many people are buying at this moment; nothing was changed. Please try again.",
            headers={"Retry-After": "1"},
        )
    return handle_unexpected(request, exc)


def out_of_range(exc: BaseException) -> bool:
    """A value the request carried that Python or PostgreSQL cannot represent: PostgreSQL's
    "timestamp out of range", or the driver's OverflowError converting a parameter (asyncpg
    raises its DataError from it, and SQLAlchemy wraps that in turn)."""
    error: BaseException | None = exc
    for _ in range(8):  # a chain of wrappings, never a loop
        if error is None:
            return False
        if isinstance(error, OverflowError):
            return True
        if getattr(error, "sqlstate", None) == DATETIME_FIELD_OVERFLOW:
            return True
        orig = getattr(error, "orig", None)
        error = orig if isinstance(orig, BaseException) else error.__cause__
    return False


def handle_out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # The safety net behind the request types (core.times bounds every time a request
    # carries): it cannot tell which field held the value, so it names none.
    # With the traceback: an overflow of our own making lands here too, and must be found.
    log.warning("value out of range: %r", exc, exc_info=exc)
    return problem(
        request,
        status=HTTP_400_BAD_REQUEST,
        type_slug="out-of-range",
        title="A value is out of range",
        detail="A value in the request is too large or too far away in time; nothing was changed.",
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    OverflowError: handle_out_of_range,
    DomainError: handle_domain_error,
    IntegrityError: handle_integrity,
    DBAPIError: handle_database,
    PostgresError: handle_database,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    Exception: handle_unexpected,
}

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "UnsupportedMediaType",
]
