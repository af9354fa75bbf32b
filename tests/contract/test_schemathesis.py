"""schemathesis walks every operation of the OpenAPI document against the live API, as an
anonymous caller, a house admin and a platform admin, with the seeded world's real ids in
the path and the query and, besides fuzzed bodies, a valid body per operation: so the
selling, payment, ticket and scanning routes answer for real, not only 404.

Each answer must keep the contract: no server error, a documented status, the documented
media type, a body that fits the documented schema. Fixed seed, bounded budget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
from fixtures.support import JWT_SECRET, TICKETS_SECRET
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ticketing.app import create_app
from ticketing.settings import AuthSettings, Settings, TicketSettings

from .conftest import Contract

CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SEED = 20261207
# The budget. The house admin gets schemathesis's coverage cases (boundaries, wrong types,
# missing fields, for every parameter and field) and fuzzed ones; the platform admin,
# who reaches the same code, and an anonymous caller, who is answered 401 before anything
# is read on a staff route, get fuzzed cases only. Each also sends the valid body.
COVERED = {"house admin"}
EXAMPLES = {"anonymous": 3, "house admin": 6, "platform admin": 6}
CALLERS = ("house admin", "platform admin", "anonymous")  # the owner first: it uses the places
# Run last: they end what the others need (the caller's session, the door device).
LAST = ("/revoke", "/cancel", "/auth/logout")
FIXED = ("secret", "house_id")  # query parameters given the seeded values
# The walk reaches the real work, not only refusals: these answer a 2xx at least once to
# the house admin (or the house's door device).
DONE = {
    ("POST", "/public/holds"),
    ("POST", "/box-office/holds"),
    ("GET", "/performances/{performance_id}/availability"),
    ("GET", "/public/performances/{performance_id}/availability"),
    ("POST", "/public/orders/{order_id}/payment"),
    ("GET", "/public/orders/{order_id}/tickets.pdf"),
    ("GET", "/public/orders/{order_id}/tickets/{ticket_id}/qr.png"),
    ("GET", "/orders/{order_id}/tickets.pdf"),
    ("GET", "/orders/{order_id}"),
    ("POST", "/scanner/scans"),
    ("GET", "/scanner/kit"),
    ("PUT", "/houses/{house_id}/logo"),
}


def _document() -> dict[str, Any]:
    settings = Settings(
        database_url="postgresql://unused/unused",
        auth=AuthSettings(jwt_secret=JWT_SECRET),  # type: ignore[arg-type]
        tickets=TicketSettings(secret_key=TICKETS_SECRET),  # type: ignore[arg-type]
        environment="test",
    )
    return create_app(settings).openapi_schema.to_schema()


def _operations() -> list[tuple[str, str, bool]]:
    """(method, path, called by a door device) of every operation, destructive ones last."""
    ops = []
    for path, item in _document()["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                device = op.get("security") == [{"ScannerDeviceToken": []}]
                ops.append((method.upper(), path, device))
    return sorted(ops, key=lambda o: (o[1] == "/auth/logout", o[1].endswith(LAST), o[1], o[0]))


OPERATIONS = _operations()


class ServerError(AssertionError):
    """The API answered 5xx (check not_a_server_error), and nothing else broke."""


class ContractBroken(AssertionError):
    """An answer the document does not describe: status, media type or body."""


def _params() -> list[Any]:
    return [
        pytest.param(
            caller,
            method,
            path,
            device,
            id=f"{caller}: {method} {path}",
        )
        for caller in CALLERS
        for method, path, device in OPERATIONS
    ]


def _walk(
    contract: Contract,
    method: str,
    path: str,
    caller: str,
    check: Callable[[Any], None],
) -> Callable[[], None]:
    """schemathesis's own test for one operation: its coverage cases (boundaries, wrong
    types, missing fields), then fuzzed cases, valid and not, with the seeded ids fixed."""
    operation = contract.schema[path][method]
    where = {p.name: p.location.value for p in operation.iter_parameters()}
    ids = {**contract.ids, **contract.ids_for.get((method, path), {})}
    settings = hypothesis.settings(
        max_examples=EXAMPLES[caller],
        derandomize=False,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    fixed = Override(
        path_parameters={n: ids[n] for n, at in where.items() if at == "path"},
        query={n: ids[n] for n, at in where.items() if at == "query" and n in FIXED},
    )
    test = create_test(
        operation=operation,
        test_func=check,
        config=HypothesisTestConfig(
            project=contract.schema.config,
            modes=[HypothesisTestMode.FUZZING]
            + ([HypothesisTestMode.COVERAGE] if caller in COVERED else []),
            settings=settings,
            # Given as the test's own too, so Hypothesis's `ci` profile (CI=true) cannot
            # swap the seed for its derandomized mode: the same cases everywhere.
            explicit_settings=settings,
            seed=SEED,
            override=fixed,
        ),
    )
    body = contract.bodies.get((method, path))
    if body is not None:  # a valid body, so the route does its work at least once
        valid = operation.Case(
            body=body,
            path_parameters=fixed.path_parameters,
            query=fixed.query or None,
            media_type="image/png" if isinstance(body, bytes) else None,
        )
        test = hypothesis.example(case=valid)(test)
    return test  # type: ignore[no-any-return]


@pytest.mark.parametrize(("caller", "method", "path", "device"), _params())
def test_contract(contract: Contract, caller: str, method: str, path: str, device: bool) -> None:
    headers = contract.headers[caller]
    if device and caller == "house admin":
        headers = contract.device  # the house's own door device calls the scanner routes
    failures: dict[str, str] = {}
    statuses: list[int] = []

    def check(case: Any) -> None:
        try:
            response = case.call_and_validate(
                base_url=contract.base, headers=headers, checks=CHECKS, timeout=30
            )
            statuses.append(response.status_code)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(failure.title, f"{failure}\n{case.as_curl_command()}")

    _walk(contract, method, path, caller, check)()
    if failures:
        report = "\n\n".join(f"{t}: {d}" for t, d in failures.items())
        raise (ServerError if set(failures) == {"Server error"} else ContractBroken)(report)
    if caller == "house admin" and (method, path) in DONE:
        assert any(200 <= s < 300 for s in statuses), statuses
