"""Request guards: the checks every request passes before a handler sees its input.

One place for what holds for every route, so a new route cannot forget it:

- No NUL character in the path, the query or a header: PostgreSQL cannot store one in
  text, and a NUL that reaches it is a 500 instead of an answer.
- A JSON body is JSON: a body on a route that reads JSON must say so in its Content-Type
  (415 otherwise), must be UTF-8 and nested at most 200 levels (400 otherwise).
- No NUL character in any string of a JSON body (400, naming each field).
- Request bodies are validated strictly, as JSON: "5" is not a number and "yes" is not a
  boolean (the API's documentation promises a 400 for a wrong type).
- HEAD answers like GET, and OPTIONS lists every method of the path.

The body is read and validated once, here; the handler gets the validated model through
Litestar's per-request cache (the same one `Request.json()` fills), so nothing is parsed
twice on the selling path.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Union

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)
from litestar.utils.scope.state import ScopeState
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from ticketing.core.errors import (
    BadRequest,
    FieldError,
    UnsupportedMediaType,
    field_path,
    pydantic_errors,
)

NUL = "\x00"
NUL_MESSAGE = "This text contains a NUL character (\\u0000), which cannot be stored."
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _NoBody:
    """A handler without a `data` parameter: it reads no body."""


NO_BODY = _NoBody()


def body_type(handler: HTTPRouteHandler) -> type[BaseModel] | _NoBody | None:
    """What the handler reads its JSON body into: a pydantic model (validated here,
    strictly), None for any other type (decoded and checked here, converted by Litestar),
    or NO_BODY. (The parsed signature is cached on the handler: this is a lookup.)"""
    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return NO_BODY
    annotation = field.annotation
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is Union
    for candidate in typing.get_args(annotation) if union else (annotation,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_json(media_type: str, options: dict[str, str]) -> bool:
    charset = options.get("charset", "utf-8").lower()
    json_type = media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )
    return json_type and charset in ("utf-8", "utf8")


def _nul_fields(value: Any, path: list[str | int]) -> list[str]:
    """Paths of the strings (keys included) in a decoded JSON value that hold a NUL."""
    found: list[str] = []
    if isinstance(value, str):
        if NUL in value:
            found.append(field_path(path))
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                found.append(field_path([*path, key]))
            found.extend(_nul_fields(item, [*path, key]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_nul_fields(item, [*path, index]))
    return found


def _check_body_nul(body: bytes) -> None:
    # A NUL can only travel in JSON as the escape \u0000 (a raw control character is not
    # valid JSON): look for the escape first, and walk the document only when it is there.
    if b"\\u0000" not in body:
        return
    try:
        decoded = from_json(body)
    except ValueError:
        return  # not JSON at all: the validation below says so
    fields = _nul_fields(decoded, [])
    if fields:
        raise BadRequest(
            "Please check these fields: " + ", ".join(fields[:5]) + ".",
            errors=[FieldError(f, NUL_MESSAGE) for f in fields],
        )


def _check_request_line(scope: Scope) -> None:
    errors: list[FieldError] = []
    if NUL in scope["path"]:
        errors.append(FieldError("path", NUL_MESSAGE))
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        errors.append(FieldError("query", NUL_MESSAGE))
    for name, value in scope["headers"]:
        if b"\x00" in value:
            errors.append(FieldError(f"header.{name.decode('latin-1')}", NUL_MESSAGE))
    if errors:
        raise BadRequest(
            "The address or a header contains a NUL character, which cannot be stored.",
            errors=errors,
        )


async def _validate_body(scope: Scope, receive: Receive, model: type[BaseModel] | None) -> None:
    request: Request[Any, Any, Any] = Request(scope, receive)
    body = await request.body()
    if not body:
        return  # the handler's signature decides whether a body was needed
    media_type, options = request.content_type
    if not _is_json(media_type, options):
        raise UnsupportedMediaType(
            "This address takes a JSON body: send it with Content-Type: application/json."
        )
    _check_body_nul(body)
    try:
        if model is None:
            data = from_json(body)
        else:
            data = model.__pydantic_validator__.validate_json(body, strict=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        invalid = [e for e in errors if e["type"] == "json_invalid"]
        if invalid:
            reason = str(invalid[0].get("ctx", {}).get("error", "it cannot be read"))
            raise _not_json(reason) from exc
        raise ValidationException(
            detail="The body is not valid.", extra=pydantic_errors(errors)
        ) from exc
    except ValueError as exc:  # from_json: the same parser, without a model
        raise _not_json(str(exc)) from exc
    # Litestar reads the body from this cache (Request.json()); its decoder then passes an
    # instance of the model through unchanged.
    ScopeState.from_scope(scope).json = data


def _not_json(reason: str) -> BadRequest:
    return BadRequest(
        f"The body is not valid JSON: {reason}.",
        errors=[FieldError("body", f"Not valid JSON: {reason}.")],
    )


def _allowed_methods(scope: Scope, handler: HTTPRouteHandler) -> str | None:
    """For Litestar's own OPTIONS answer: every method of the path. (Litestar keeps the
    OPTIONS handler of the first route registered for a path, which lists only that
    route's methods.)"""
    if handler.fn.__name__ != "options_handler":
        return None
    app = scope["app"]
    methods: set[str] = set()
    for route in app.routes:
        if handler in getattr(route, "route_handlers", ()):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def request_line_guard(app: ASGIApp) -> ASGIApp:
    """Before authentication: a token or key with a NUL must not reach the database."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            _check_request_line(scope)
        await app(scope, receive, send)

    return middleware


def body_guard(app: ASGIApp) -> ASGIApp:
    """After authentication (a stranger learns nothing of a body's rules before a 401)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if isinstance(handler, HTTPRouteHandler):
            method = scope["method"]
            if method == "OPTIONS" and (allow := _allowed_methods(scope, handler)):
                start: HTTPResponseStartEvent = {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(b"allow", allow.encode())],
                }
                end: HTTPResponseBodyEvent = {
                    "type": "http.response.body",
                    "body": b"",
                    "more_body": False,
                }
                await send(start)
                await send(end)
                return
            model = body_type(handler)
            if method in BODY_METHODS and not isinstance(model, _NoBody):
                await _validate_body(scope, receive, model)
        await app(scope, receive, send)

    return middleware


def head_as_get(app: ASGIApp) -> ASGIApp:
    """HEAD answers what GET would, without the body (RFC 9110 9.3.2): Litestar answers a
    HEAD on a GET route 405."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await app({**scope, "method": "GET"}, receive, send_headers_only)

    return wrapper
