"""The OpenAPI document tells the truth about every operation, in one place.

Litestar documents its own error body ({status_code, detail, extra} as application/json)
and only a 400; the API answers every error as RFC 9457 problem+json (core.errors). So a
route-receiving plugin gives each operation the problem responses it can really answer,
from what the route is: a route behind the login answers 401 and 403, a route that takes
input answers 400, 404 and 422, a write can meet a conflict (409), a JSON body can come as
the wrong media type (415). A route adds what only it knows (the selling conflicts, a 503
from the payment provider) with `responses=` on its decorator, which wins.

Public routes (opt exclude_from_auth, no security of their own) are documented with
`security: []`, and a route that reads its body itself names its media types in
opt["raw_body"]: Litestar writes neither, so such routes get an Operation that does.

Litestar also loses a string's pattern when the field is optional
(`Annotated[str, StringConstraints(pattern=...)] | None`): the schema plugin below puts
it back, so a client validating against the document refuses what the API refuses.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import (
    Components,
    Example,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.plugins import ReceiveRoutePlugin
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.routes import BaseRoute, HTTPRoute
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ticketing.core.errors import PROBLEM_BASE, PROBLEM_JSON
from ticketing.core.ratelimit import ORDER_SECRET, RATE_LIMITED

STAFF_SCHEME = "BearerToken"
DEVICE_SCHEME = "ScannerDeviceToken"

# What a handler's signature names that is not input from the caller.
_NOT_INPUT = {"request", "state", "scope", "headers", "cookies", "query", "body", "socket"}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class FieldProblem(BaseModel):
    """One field that is wrong, and why, in words a clerk understands."""

    field: str = Field(
        description="Where: a body field ('customer.email'), 'query.q', 'path.order_id' or a "
        "header ('Idempotency-Key')."
    )
    message: str
    seat: str | None = Field(default=None, description="The seat it is about, if any.")


class ProblemDetails(BaseModel):
    """An error (RFC 9457). Clients act on `type` (and `status`); they show `detail`."""

    model_config = ConfigDict(extra="allow", title="ProblemDetails")

    type: str = Field(
        description=f"{PROBLEM_BASE}<code>. Codes: validation, invalid-input, unauthorized, "
        "login-failed, forbidden, not-found, conflict, try-again, seats-taken, sold-out, "
        "sale-closed, hold-expired, payment-refused, payment-unavailable, bad-signature, "
        "internal.",
        examples=[PROBLEM_BASE + "seats-taken"],
    )
    title: str = Field(description="The same for every problem of this type.")
    status: int = Field(ge=400, le=599, description="The HTTP status, repeated.")
    detail: str = Field(description="What happened here, in words a clerk understands.")
    instance: str = Field(description="The path that was called.")
    request_id: str | None = Field(
        default=None, description="Also in the X-Request-ID header and the server's log."
    )
    errors: list[FieldProblem] | None = Field(
        default=None, description="The fields that are wrong, when the problem is about input."
    )


_WHEN = {
    400: "The request does not have the right shape: a missing or unknown field, a wrong "
    "type, JSON that does not parse. `errors` names each field.",
    401: "Not logged in, or the token has expired or was revoked (type unauthorized); a "
    "failed login (type login-failed).",
    403: "Your role in this house does not allow this (type forbidden).",
    404: "Not found, or it belongs to a house you do not work for (type not-found).",
    409: "A conflict with existing data or with the state it is in (type conflict), or many "
    "requests at the same moment: nothing was changed, try again (type try-again, with a "
    "Retry-After header).",
    415: "The body is not sent as application/json.",
    429: "Too many failed attempts from your address (or, for a login, at this account): "
    "wait the seconds the Retry-After header says, then try again.",
    422: "Well-formed but not acceptable (type invalid-input); `errors` names each field. "
    "Also an Idempotency-Key used before for a different request.",
    500: "Our fault: the body holds the request id, which the server log has with the error.",
}


# The titles of the problem types shown as examples (the errors' classes say the same;
# tests/contract/test_document.py holds them to it).
TITLES = {
    "seats-taken": "Seats just taken",
    "sold-out": "Sold out",
    "sale-closed": "Not on sale",
    "hold-expired": "Basket expired",
    "try-again": "Busy",
    "login-failed": "Login failed",
    "payment-refused": "Payment refused",
    "payment-unavailable": "Online payment is not available",
    "bad-signature": "Webhook refused",
}


def problem(status: int, description: str, *codes: str) -> ResponseSpec:
    """A problem+json answer; `codes` are the problem types worth an example."""
    examples = [
        Example(
            summary=code,
            value={
                "type": PROBLEM_BASE + code,
                "title": TITLES[code],
                "status": status,
                "detail": "…",
                "instance": "/…",
            },
        )
        for code in codes
    ]
    return ResponseSpec(
        data_container=ProblemDetails,
        description=description,
        media_type=PROBLEM_JSON,
        generate_examples=False,
        examples=examples or None,
    )


def selling_conflicts() -> dict[int, ResponseSpec]:
    """The 409s of the selling path, which the shop and the box office act on."""
    return {
        409: problem(
            409,
            "The places cannot be had: seats-taken (someone was faster; `errors` names each "
            "seat), sold-out, sale-closed (not on sale, or not any more), hold-expired (the "
            "basket's time ran out), try-again (many buyers at once; nothing was changed), "
            "conflict (another conflict with the state).",
            "seats-taken",
            "sold-out",
            "sale-closed",
            "hold-expired",
            "try-again",
        )
    }


def success(model: Any, description: str) -> ResponseSpec:
    """The body of a handler that answers a Response it builds itself (replayed answers)."""
    return ResponseSpec(data_container=model, description=description, generate_examples=False)


# A route that reads its body itself (an image, a signed webhook) names its media types
# in opt[RAW_BODY]; Litestar only documents a body bound to `data`.
RAW_BODY = "raw_body"


# A route that answers its 200 in other media types too (a report as CSV or XLSX, asked
# for with a query parameter) names them in opt[ALSO_AS]: a ResponseSpec has only one.
ALSO_AS = "also_as"


# The 429's header (a ResponseSpec cannot name headers).
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def rate_limited(handler: HTTPRouteHandler) -> bool:
    """A login, or a route that answers by an order's secret (core/ratelimit.py)."""
    return bool(handler.opt.get(RATE_LIMITED) or handler.opt.get(ORDER_SECRET))


def _operation_class(
    public: bool, raw_body: tuple[str, ...], limited: bool, also_as: tuple[str, ...] = ()
) -> type[Operation]:
    """An Operation that writes `security: []` (Litestar drops an empty list), the body a
    route reads itself, the Retry-After header of a 429 and the 200's other media types
    (files: binary strings)."""
    body = RequestBody(
        required=True,
        content={
            media_type: OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, content_media_type=media_type)
                if media_type.startswith("image/")
                else Schema(type=OpenAPIType.OBJECT)
            )
            for media_type in raw_body
        },
    )

    @dataclass
    class DocumentedOperation(Operation):
        def to_schema(self) -> dict[str, Any]:
            if raw_body and self.request_body is None:
                self.request_body = body
            schema = super().to_schema()
            ok = schema.get("responses", {}).get("200")
            if also_as and ok is not None:
                for media_type in also_as:
                    ok.setdefault("content", {})[media_type] = {
                        "schema": {"type": "string", "format": "binary"}
                    }
            if limited and "429" in schema.get("responses", {}):
                schema["responses"]["429"]["headers"] = RETRY_AFTER
            if public:
                schema["security"] = []
            return schema

    return DocumentedOperation


def is_public(handler: HTTPRouteHandler) -> bool:
    """Outside the login and with no token scheme of its own (the scanner has one)."""
    requirements = handler.resolve_security()
    return bool(handler.opt.get("exclude_from_auth")) and not any(requirements)


def takes_input(handler: HTTPRouteHandler, route: HTTPRoute) -> bool:
    dependencies = handler.resolve_dependencies()
    names = set(handler.parsed_fn_signature.parameters) - _NOT_INPUT - set(dependencies)
    return bool(names or route.path_parameters)


def problem_statuses(handler: HTTPRouteHandler, route: HTTPRoute) -> list[int]:
    statuses = [500]
    if not is_public(handler):
        statuses.append(401)
        if not handler.resolve_security():  # a staff route: roles decide (403)
            statuses.append(403)
    if takes_input(handler, route):
        statuses += [400, 404, 422]
    if handler.http_methods & _WRITES:
        statuses.append(409)
    if "data" in handler.parsed_fn_signature.parameters:
        statuses.append(415)
    if rate_limited(handler):
        statuses.append(429)
    return sorted(statuses)


def document(handler: HTTPRouteHandler, route: HTTPRoute) -> None:
    responses: dict[int, ResponseSpec] = {
        status: problem(status, _WHEN[status]) for status in problem_statuses(handler, route)
    }
    responses.update(handler.responses or {})  # what the route says of itself wins
    handler.responses = dict(sorted(responses.items()))
    raw_body = tuple(handler.opt.get(RAW_BODY, ()))
    also_as = tuple(handler.opt.get(ALSO_AS, ()))
    if is_public(handler) or raw_body or rate_limited(handler) or also_as:
        handler.operation_class = _operation_class(
            is_public(handler), raw_body, rate_limited(handler), also_as
        )


class ContractPlugin(ReceiveRoutePlugin):
    """Documents the problem responses and the security of every route as it registers."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            if handler.resolve_include_in_schema():
                document(handler, route)


def _patterns(annotation: Any) -> Iterable[str]:
    """The patterns of the string members of an optional field's union."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return
    for member in get_args(annotation):
        if get_origin(member) is not Annotated:
            continue
        for meta in member.__metadata__:
            pattern = getattr(meta, "pattern", None)
            if isinstance(meta, StringConstraints) and isinstance(pattern, str):
                yield pattern


def _restore_patterns(schema: Schema, model: type[BaseModel]) -> None:
    for name, field in model.model_fields.items():
        patterns = list(_patterns(field.annotation))
        prop = (schema.properties or {}).get(field.alias or name)
        if not patterns or not isinstance(prop, Schema):
            continue
        for member in prop.one_of or prop.any_of or []:
            if isinstance(member, Schema) and member.type == "string" and member.pattern is None:
                member.pattern = patterns[0]


class ContractSchemaPlugin(PydanticSchemaPlugin):
    """Litestar's pydantic schemas, with the patterns of optional fields kept."""

    @classmethod
    def for_pydantic_model(cls, field_definition: Any, schema_creator: Any) -> Schema:
        schema = super().for_pydantic_model(field_definition, schema_creator)
        model = field_definition.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            _restore_patterns(schema, model)
        return schema


def openapi_config(version: str, pages: Sequence[OpenAPIRenderPlugin]) -> OpenAPIConfig:
    """The document and its pages (the web package renders them: `web.api_docs`)."""
    return OpenAPIConfig(
        title="Podium API",
        version=version,
        description="Shared ticketing for Flemish culture houses. Errors are problem+json "
        "(RFC 9457, schema ProblemDetails); public routes need no token.",
        path="/schema",
        render_plugins=list(pages),
        components=Components(
            security_schemes={
                STAFF_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An access token from POST /auth/login, or an API token (pod_...).",
                ),
                DEVICE_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="A door device's token (dev_...), shown once when a house "
                    "admin registers the device.",
                ),
            }
        ),
        security=[{STAFF_SCHEME: []}],
    )


def plugins() -> list[Any]:
    return [ContractSchemaPlugin(), ContractPlugin()]


__all__ = [
    "ALSO_AS",
    "RAW_BODY",
    "ContractPlugin",
    "ContractSchemaPlugin",
    "ProblemDetails",
    "openapi_config",
    "plugins",
    "problem",
    "selling_conflicts",
    "success",
]
