"""Errors are answers: walk EVERY operation of the OpenAPI document and send it each kind of
malformed input a fuzzer found, anonymously and as the house admin. Every answer must be a
4xx problem+json with a title and a detail: never a 5xx, never a 2xx that stored it.

The classes: a body that is not UTF-8, JSON nested a thousand levels deep, a NUL character
in a body string, in the query and in the path, a huge offset and huge integers, a body
sent with another Content-Type, numeric strings and "yes" where the body takes numbers and
booleans, explicit nulls, and times (body and query) without a time zone or at year 1 and
9999. A new route is walked as soon as it is in the document; its
body comes from the sample bodies of the tenant-isolation walk (which fails until a new
route has one).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant
from fixtures.world import build_world
from litestar import Litestar
from test_tenant_isolation import add_customer, operations, query_for, sample_bodies

from ticketing.core.errors import field_path
from ticketing.tenancy.roles import Role

PROBLEM = "application/problem+json"
HUGE = 99999999999999999999  # past PostgreSQL's bigint


def fill(path: str, ids: dict[str, str], value: str | None = None) -> str:
    for param in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + param + "}", value if value is not None else ids[param])
    return path


def leaves(body: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) of a JSON body that is not a container."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from leaves(value, (*at, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from leaves(value, (*at, index))
    else:
        yield at, body


def replaced(body: Any, at: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(body)
    target = out
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = value
    return out


def body_variants(body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, httpx request arguments) of each malformed body built from a valid one."""
    yield "invalid UTF-8", {"content": b'{"name": "\xff\xfe"}', "headers": JSON}
    yield "deep nesting", {"content": b'{"a":' * 1000 + b"1" + b"}" * 1000, "headers": JSON}
    yield "deep array", {"content": b"[" * 1000 + b"]" * 1000, "headers": JSON}
    yield "wrong Content-Type", {"content": json.dumps(body).encode(), "headers": TEXT}
    yield "form body", {"data": {"a": "b"}}
    for at, value in leaves(body):
        if not at:
            continue  # a body that is one value (the logo's raw bytes): nothing to replace in
        name = ".".join(map(str, at))
        if isinstance(value, str):
            yield f"NUL in {name}", {"json": replaced(body, at, value + "\u0000")}
        elif isinstance(value, bool):
            yield f"'yes' for {name}", {"json": replaced(body, at, "yes")}
        elif isinstance(value, int):
            yield f"string for {name}", {"json": replaced(body, at, str(value))}
            yield f"huge {name}", {"json": replaced(body, at, HUGE)}
    if isinstance(body, dict):
        for key in body:
            yield f"null {key}", {"json": {**body, key: None}}
        yield "NUL in a key", {"json": {**body, "x\u0000": 1}}


JSON = {"content-type": "application/json"}

# Times at the edges of what Python and PostgreSQL can hold (year 1 at +01:00 is before year
# 1 in UTC), and a time without its zone: each was a 500 once (core.times bounds them).
EDGE_TIMES = {
    "date-time": [
        ("no time zone", "2030-01-01T00:00:00"),
        ("year 1", "0001-01-01T00:00:00+01:00"),
        ("year 9999", "9999-12-31T23:59:59-10:00"),
    ],
    "date": [("year 1", "0001-01-01"), ("year 9999", "9999-12-31")],
}


def time_fields(
    schema: dict[str, Any], components: dict[str, Any], at: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, format) of every time and day a body schema takes, its optional ones too and
    those inside lists (at their first item)."""
    if len(at) > 8:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        yield from time_fields(components[ref.rsplit("/", 1)[1]], components, at)
        return
    if schema.get("type") == "string" and schema.get("format") in EDGE_TIMES:
        yield at, schema["format"]
        return
    for key in ("oneOf", "anyOf", "allOf"):
        for option in schema.get(key, []):
            yield from time_fields(option, components, at)
    for name, prop in schema.get("properties", {}).items():
        yield from time_fields(prop, components, (*at, name))
    if isinstance(schema.get("items"), dict):
        yield from time_fields(schema["items"], components, (*at, 0))


def placed(body: Any, at: tuple[Any, ...], value: Any) -> Any | None:
    """The body with `value` at `at`, filling in objects left out; None when `at` lies
    in a list the body has no item of."""
    out = copy.deepcopy(body)
    target = out
    for key, following in zip(at, (*at[1:], None), strict=True):
        if following is None:
            break
        if isinstance(key, int):
            if not isinstance(target, list) or len(target) <= key:
                return None
        elif not isinstance(target, dict):
            return None
        elif key not in target:
            target[key] = [] if isinstance(following, int) else {}
        target = target[key]
    if isinstance(at[-1], int) and (not isinstance(target, list) or len(target) <= at[-1]):
        return None
    target[at[-1]] = value
    return out


def time_variants(
    op: dict[str, Any], components: dict[str, Any], body: Any
) -> Iterator[tuple[str, str, Any]]:
    """(label, field, body) with each time of the operation's body at each edge."""
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return
    for at, fmt in dict(time_fields(content["schema"], components)).items():
        for edge, value in EDGE_TIMES[fmt]:
            changed = placed(body, at, value)
            if changed is not None:
                yield f"{edge} in {field_path(at)}", field_path(at), changed


TEXT = {"content-type": "text/plain"}


def reads_json(op: dict[str, Any]) -> bool:
    """A JSON body: the body rules apply. A route that reads its own body (the house logo,
    Stripe's webhook) documents its media types instead and is tested with its own."""
    return "application/json" in op.get("requestBody", {}).get("content", {})


def query_variants(op: dict[str, Any], ids: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
    base = query_for(op, ids) or {}
    for p in params:
        name = p["name"]
        yield f"NUL in ?{name}", {**base, name: "a\u0000b"}
        kind = json.dumps(p.get("schema", {}))
        for fmt, edges in EDGE_TIMES.items():
            if f'"{fmt}"' in kind:
                for edge, value in edges:
                    yield f"{edge} ?{name}", {**base, name: value}
        if '"integer"' in kind:
            yield f"huge ?{name}", {**base, name: str(HUGE)}
            yield f"negative ?{name}", {**base, name: str(-HUGE)}


def check(
    failures: list[str],
    label: str,
    response: httpx.Response,
    *,
    allow_ok: Callable[[httpx.Response], bool] = lambda r: False,
) -> None:
    status = response.status_code
    if status >= 500:
        failures.append(f"{label} -> {status} {response.text[:160]}")
        return
    if status < 400:
        if not allow_ok(response):
            failures.append(f"{label} -> {status} (accepted) {response.text[:160]}")
        return
    if not response.headers.get("content-type", "").startswith(PROBLEM):
        failures.append(f"{label} -> {status} not problem+json")
        return
    problem = response.json()
    if not problem.get("title") or not problem.get("detail"):
        failures.append(f"{label} -> {status} without title/detail")


@pytest.fixture
async def walk(
    app: Litestar, client: httpx.AsyncClient, tenant: Tenant
) -> tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]]:
    world = await build_world(client, tenant)
    ids = await add_customer(client, world)
    bodies = sample_bodies(ids, tenant.staff[Role.HOUSE_ADMIN].user.email)
    # The seat-map routes get a document with every kind of part, so each number of it
    # (a standing area's capacity too) is sent huge and as a string.
    for route in (("POST", "/halls/{hall_id}/layouts"), ("POST", "/seatmaps/validate")):
        bodies[route] = {**bodies[route], "standing_areas": [STANDING], "seat_size": 20}
    ops = [o for o in operations(app) if o[1] != "/auth/logout"]
    return ops, ids, bodies


CALLERS = ["anonymous", "house admin"]
STANDING = {
    "code": "F",
    "name": "Vloer",
    "zone": "A",
    "capacity": 50,
    "x": 200,
    "y": 150,
    "width": 100,
    "height": 100,
}


@pytest.mark.parametrize("caller", CALLERS)
async def test_malformed_bodies_get_a_4xx_problem(
    client: httpx.AsyncClient,
    tenant: Tenant,
    walk: tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]],
    caller: str,
) -> None:
    ops, ids, bodies = walk
    headers = tenant.staff[Role.HOUSE_ADMIN].headers if caller == "house admin" else {}
    failures: list[str] = []
    sent = 0
    for method, path, op in ops:
        if not reads_json(op):
            continue
        url = fill(path, ids)
        for label, request in body_variants(bodies[(method, path)]):
            extra = request.pop("headers", {})
            response = await client.request(
                method, url, headers={**headers, **extra}, params=query_for(op, ids), **request
            )
            sent += 1
            # A null on a field that may be empty is valid (it empties it, or leaves it
            # out), and a huge number is valid where the body takes a float (a drawing's
            # size): those may succeed; they must still never be a 5xx.
            check(
                failures,
                f"{caller}: {method} {path}: {label}",
                response,
                allow_ok=lambda r, label=label: label.startswith(("null ", "huge ")),
            )
    assert sent > 500
    assert not failures, "\n".join(failures)


async def test_edge_and_naive_times_in_bodies_are_refused_by_name(
    app: Litestar,
    client: httpx.AsyncClient,
    tenant: Tenant,
    walk: tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]],
) -> None:
    """Every time a body takes, sent without its zone or at year 1 or 9999 by the house
    admin: a 400 naming that field, before anything is read or stored (a caller the route
    turns away before reading its body gets its 401/403)."""
    ops, ids, bodies = walk
    components = app.openapi_schema.to_schema()["components"]["schemas"]
    headers = tenant.staff[Role.HOUSE_ADMIN].headers
    failures: list[str] = []
    walked: set[tuple[str, str]] = set()
    for method, path, op in ops:
        if "requestBody" not in op:
            continue
        for label, field, body in time_variants(op, components, bodies[(method, path)]):
            walked.add((method, path))
            response = await client.request(
                method, fill(path, ids), headers=headers, json=body, params=query_for(op, ids)
            )
            label = f"{method} {path}: {label}"
            check(failures, label, response)
            if response.status_code in (401, 403):
                continue
            fields = [e.get("field") for e in response.json().get("errors", [])]
            if response.status_code != 400 or field not in fields:
                failures.append(f"{label} -> {response.status_code} {fields}, not 400 {field}")
    # The routes of the review (and any other route that takes a time) were walked.
    assert {
        ("POST", "/api-tokens"),
        ("POST", "/box-office/orders"),
        ("POST", "/events/{event_id}/performances"),
        ("PATCH", "/performances/{performance_id}"),
        ("POST", "/scanner/offline-scans"),
    } <= walked, walked
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("caller", CALLERS)
async def test_malformed_addresses_get_a_4xx_problem(
    client: httpx.AsyncClient,
    tenant: Tenant,
    walk: tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]],
    caller: str,
) -> None:
    ops, ids, bodies = walk
    headers = tenant.staff[Role.HOUSE_ADMIN].headers if caller == "house admin" else {}
    failures: list[str] = []
    timed: set[str] = set()
    for method, path, op in ops:
        body = bodies.get((method, path))
        for label, query in query_variants(op, ids):
            response = await client.request(
                method, fill(path, ids), headers=headers, params=query, json=body
            )
            check(failures, f"{caller}: {method} {path}: {label}", response)
            if label.startswith(("no time zone ", "year ")):
                timed.add(path)
        if "{" in path:
            for label, value in (("NUL in the path", "%00"), ("huge id in the path", str(HUGE))):
                response = await client.request(
                    method, fill(path, ids, value), headers=headers, json=body
                )
                check(failures, f"{caller}: {method} {path}: {label}", response)
        response = await client.request(
            method, fill(path, ids), headers={**headers, "Idempotency-Key": "k\u0000"}, json=body
        )
        # The header's NUL is refused before anything reads it; a route that ignores the
        # header would otherwise answer as usual.
        check(failures, f"{caller}: {method} {path}: NUL in a header", response)
    # Every query that takes a time or a day got the edges (the audit's were a 500 once).
    assert {
        "/audit",
        "/houses/{house_id}/audit",
        "/public/clusters/{cluster_slug}/programme",
        "/public/houses/{house_slug}/programme",
    } <= timed, timed
    assert not failures, "\n".join(failures)


async def test_valid_bodies_pass_the_strict_checks(
    client: httpx.AsyncClient,
    tenant: Tenant,
    walk: tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]],
) -> None:
    """The other side of strictness: each operation's sample body, sent as JSON by the
    house admin, is never refused as malformed (400 validation, 415); a time, an id or an
    enumeration written as JSON text is what the documentation asks for."""
    ops, ids, bodies = walk
    headers = tenant.staff[Role.HOUSE_ADMIN].headers
    refused: list[str] = []
    # A PATCH of a performance's times (the type a "before" validator once broke), before
    # the walk's own PATCH cancels the performance.
    moved = await client.patch(
        fill("/performances/{performance_id}", ids),
        headers=headers,
        json={"starts_at": "2031-05-01T19:30:00.250+02:00", "ends_at": "2031-05-01T22:00:00Z"},
    )
    if moved.status_code != 200:
        refused.append(f"PATCH /performances times -> {moved.status_code} {moved.text[:200]}")
    for method, path, op in ops:
        if not reads_json(op):
            continue
        response = await client.request(
            method,
            fill(path, ids),
            headers=headers,
            json=bodies[(method, path)],
            params=query_for(op, ids),
        )
        if response.status_code == 415 or (
            response.status_code == 400
            and "/validation" in response.json().get("type", "")
            # (a query parameter the walk does not send, such as a buyer's secret)
            and not all(e["field"].startswith("query.") for e in response.json().get("errors", []))
        ):
            refused.append(f"{method} {path} -> {response.status_code} {response.text[:200]}")
    assert not refused, "\n".join(refused)


async def test_head_and_options_answer_like_get(
    client: httpx.AsyncClient,
    walk: tuple[list[tuple[str, str, dict[str, Any]]], dict[str, str], dict[tuple[str, str], Any]],
) -> None:
    ops, ids, _ = walk
    methods: dict[str, set[str]] = {}
    for method, path, _op in ops:
        methods.setdefault(path, set()).add(method)
    failures: list[str] = []
    for path, expected in methods.items():
        url = fill(path, ids)
        allow = (await client.options(url)).headers.get("allow", "")
        listed = {m.strip() for m in allow.split(",")}
        if not expected <= listed:
            failures.append(f"OPTIONS {path}: Allow {allow!r}, expected {sorted(expected)}")
        if "GET" in expected:
            get = await client.get(url)
            head = await client.head(url)
            if head.status_code != get.status_code or head.content:
                failures.append(f"HEAD {path}: {head.status_code} (GET {get.status_code})")
    assert not failures, "\n".join(failures)
