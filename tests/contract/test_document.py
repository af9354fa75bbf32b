"""What the OpenAPI document says of errors, media types and security, checked against
the app's routes and real answers (tests/contract/test_schemathesis.py walks the rest)."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from fixtures.support import Tenant
from litestar import Litestar

from ticketing.core.errors import PROBLEM_BASE, PROBLEM_JSON
from ticketing.core.openapi import TITLES
from ticketing.inventory.service import HoldExpired, SaleClosed, SeatsTaken, SoldOut
from ticketing.payments.controllers import BadSignature, PaymentRefused, PaymentUnavailable
from ticketing.tenancy.auth import LoginFailed
from ticketing.tenancy.roles import Role

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
    ("GET", "/health"),
    ("GET", "/seatmaps/schema.json"),
    ("POST", "/webhooks/stripe"),
}
SELLING = [
    ("POST", "/public/holds"),
    ("POST", "/public/holds/{hold_id}/items"),
    ("POST", "/public/holds/{hold_id}/extend"),
    ("POST", "/box-office/holds"),
    ("POST", "/box-office/holds/{hold_id}/items"),
    ("POST", "/box-office/holds/{hold_id}/extend"),
    ("POST", "/public/orders"),
    ("POST", "/box-office/orders"),
    ("POST", "/orders/{order_id}/exchange"),
]


@pytest.fixture
def document(app: Litestar) -> dict[str, Any]:
    return app.openapi_schema.to_schema()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def test_every_error_is_documented_as_problem_json(document: dict[str, Any]) -> None:
    ops = operations(document)
    assert len(ops) >= 100
    for method, path, op in ops:
        errors = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
        assert 500 in errors, (method, path)
        for status, response in errors.items():
            content = response["content"]
            assert list(content) == [PROBLEM_JSON], (method, path, status)
            ref = content[PROBLEM_JSON]["schema"]["$ref"]
            assert ref == "#/components/schemas/ProblemDetails", (method, path, status)


def test_problem_details_names_the_members_the_api_sends(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["ProblemDetails"]
    assert set(schema["required"]) == {"type", "title", "status", "detail", "instance"}
    assert {"request_id", "errors"} <= set(schema["properties"])
    field = document["components"]["schemas"]["FieldProblem"]
    assert set(field["required"]) == {"field", "message"}
    assert "seat" in field["properties"]


def test_public_routes_need_no_token_and_staff_routes_say_401_and_403(
    document: dict[str, Any],
) -> None:
    for method, path, op in operations(document):
        public = path.startswith("/public/") or (method, path) in PUBLIC
        statuses = set(op["responses"])
        if public:
            assert op.get("security") == [], (method, path)
            assert "403" not in statuses, (method, path)
        elif path.startswith("/scanner/"):
            assert op["security"] == [{"ScannerDeviceToken": []}], (method, path)
            assert "401" in statuses
        else:
            assert "security" not in op, (method, path)  # the document's default: a token
            assert {"401", "403"} <= statuses, (method, path)
    assert document["security"] == [{"BearerToken": []}]
    assert set(document["components"]["securitySchemes"]) == {"BearerToken", "ScannerDeviceToken"}


def test_a_failed_login_is_a_documented_401(document: dict[str, Any]) -> None:
    for path in ("/auth/login", "/auth/refresh"):
        assert "401" in document["paths"][path]["post"]["responses"]


# The rate-limited routes (core/ratelimit.py): a login, and the routes of an order's secret.
RATE_LIMITED = [
    ("POST", "/auth/login"),
    ("GET", "/public/orders/{order_id}"),
    ("GET", "/public/orders/{order_id}/tickets.pdf"),
    ("GET", "/public/orders/{order_id}/tickets/{ticket_id}/qr.png"),
    ("POST", "/public/orders/{order_id}/payment"),
    ("POST", "/public/orders/{order_id}/test-payment"),
]


def test_rate_limited_routes_document_429_with_retry_after(document: dict[str, Any]) -> None:
    limited = []
    for method, path, op in operations(document):
        answer = op["responses"].get("429")
        if answer is None:
            continue
        limited.append((method, path))
        assert PROBLEM_JSON in answer["content"], (method, path)
        header = answer["headers"]["Retry-After"]
        assert header["required"], (method, path)
        assert header["schema"]["type"] == "integer", (method, path)
    assert sorted(limited) == sorted(RATE_LIMITED)


def test_selling_routes_name_the_conflicts_the_shop_acts_on(document: dict[str, Any]) -> None:
    for method, path in SELLING:
        conflict = document["paths"][path][method.lower()]["responses"]["409"]
        examples = conflict["content"][PROBLEM_JSON]["examples"].values()
        types = {e["value"]["type"] for e in examples}
        assert {PROBLEM_BASE + "seats-taken", PROBLEM_BASE + "sold-out"} <= types, path
        assert "seats-taken" in conflict["description"], path


def test_example_titles_are_the_errors_own() -> None:
    for error in (
        SeatsTaken,
        SoldOut,
        SaleClosed,
        HoldExpired,
        LoginFailed,
        PaymentRefused,
        PaymentUnavailable,
        BadSignature,
    ):
        assert TITLES[error.type_slug] == error.title, error
    assert TITLES["try-again"] == "Busy"  # core.errors.handle_database


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/public/orders/{order_id}/tickets.pdf", "application/pdf"),
        ("/orders/{order_id}/tickets.pdf", "application/pdf"),
        ("/public/orders/{order_id}/tickets/{ticket_id}/qr.png", "image/png"),
        ("/layouts/{layout_id}/svg", "image/svg+xml"),
        ("/public/performances/{performance_id}/seatmap.svg", "image/svg+xml"),
    ],
)
def test_binary_answers_say_their_media_type(
    document: dict[str, Any], path: str, media_type: str
) -> None:
    assert list(document["paths"][path]["get"]["responses"]["200"]["content"]) == [media_type]


REPORTS = [
    "/houses/{house_id}/reports/daily-sales",
    "/houses/{house_id}/reports/vat",
    "/houses/{house_id}/reports/performances",
    "/houses/{house_id}/reports/payments",
    "/performances/{performance_id}/reports/cumulative",
    "/clusters/{cluster_id}/reports/daily-sales",
]


@pytest.mark.parametrize("path", REPORTS)
def test_reports_say_they_come_as_json_csv_or_xlsx(document: dict[str, Any], path: str) -> None:
    """A report is JSON, or (format=csv|xlsx) a file: each media type of the 200 is said,
    the files as binary strings; its refusals are problem+json."""
    operation = document["paths"][path]["get"]
    content = operation["responses"]["200"]["content"]
    assert list(content) == [
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert content["text/csv"]["schema"] == {"type": "string", "format": "binary"}
    assert "$ref" in content["application/json"]["schema"]
    for status in ("400", "401", "403", "404", "422"):
        assert list(operation["responses"][status]["content"]) == ["application/problem+json"]
    formats = next(p for p in operation["parameters"] if p["name"] == "format")
    assert formats["schema"]["enum"] == ["json", "csv", "xlsx"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/orders/{order_id}/payments", "200"),
        ("post", "/orders/{order_id}/cancel", "200"),
        ("post", "/orders/{order_id}/exchange", "200"),
        ("post", "/public/orders/{order_id}/payment", "200"),
        ("post", "/webhooks/stripe", "200"),
        ("post", "/public/orders", "201"),
        ("post", "/box-office/orders", "201"),
    ],
)
def test_success_status_and_body_are_what_the_route_answers(
    document: dict[str, Any], method: str, path: str, status: str
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert [s for s in responses if s.startswith("2")] == [status]


def test_bodies_read_by_the_route_itself_are_documented(document: dict[str, Any]) -> None:
    logo = document["paths"]["/houses/{house_id}/logo"]["put"]["requestBody"]
    assert set(logo["content"]) == {"image/png", "image/jpeg"}
    webhook = document["paths"]["/webhooks/stripe"]["post"]["requestBody"]
    assert set(webhook["content"]) == {"application/json"}


def test_optional_fields_keep_their_patterns(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]

    def string_member(model: str, field: str) -> dict[str, Any]:
        prop = schemas[model]["properties"][field]
        [member] = [m for m in prop["oneOf"] if m.get("type") == "string"]
        return dict(member)

    assert string_member("HousePatch", "phone")["pattern"] == r"^\+?[0-9 ./()-]{6,40}$"
    assert string_member("HousePatch", "website")["pattern"] == "^https?://"
    assert string_member("CustomerIn", "email")["pattern"] == r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    assert string_member("VenuePatch", "country")["pattern"] == "^[A-Z]{2}$"
    assert string_member("BestRequest", "zone")["pattern"] == "^[A-Za-z0-9_-]{1,16}$"


async def test_real_problems_fit_the_documented_schema(
    client: httpx.AsyncClient, tenant: Tenant, document: dict[str, Any]
) -> None:
    schema = {"$ref": "#/components/schemas/ProblemDetails", "components": document["components"]}
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    answers = [
        await client.get("/venues/00000000-0000-0000-0000-000000000000", headers=admin),
        await client.post("/venues", headers=admin, json={"name": ""}),
        await client.get("/auth/me"),
        await client.post("/auth/login", json={"email": "nobody@example.test", "password": "x"}),
        await client.patch(
            f"/houses/{tenant.house.id}",
            headers=tenant.staff[Role.SCANNER].headers,
            json={"name": "X"},
        ),
    ]
    assert [a.status_code for a in answers] == [404, 400, 401, 401, 403]
    for answer in answers:
        assert answer.headers["content-type"].startswith(PROBLEM_JSON)
        jsonschema.validate(answer.json(), schema)
        assert answer.json()["status"] == answer.status_code
