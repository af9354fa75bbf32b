"""Tenancy rule 2: walk EVERY operation of the OpenAPI schema as staff of other houses,
aimed at one house's resources, and prove nothing leaks and nothing changes.

- an operation that names the victim's resource (in the path or the body) answers 404:
  never 2xx, never 403 (which would reveal that it exists);
- a listing answers without any of the victim's ids or names;
- no answer is a 500, and afterwards the victim's data is exactly as before.
A new route without a sample body below makes this test fail until it is covered.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from fixtures.support import Staff, Tenant, make_tenant
from fixtures.world import SMALL_SPEC, World, build_world, in_days
from litestar import Litestar
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.tenancy.roles import Role

HTTP_METHODS = ("get", "post", "put", "patch", "delete")

# Path parameters that name something the victim's own cluster also holds: a house of the
# same cluster belongs to that cluster, so for it only house-level ids are foreign.
# A settlement statement is the cluster's: its houses' staff are refused it (403).
CLUSTER_LEVEL = {"cluster_id", "cluster_slug", "statement_id"}

# Operations anyone may call; they must still never show the victim's unpublished data.
PUBLIC = {"/health", "/public/event-types", "/seatmaps/schema.json"}


def sample_bodies(w: dict[str, str], victim_email: str) -> dict[tuple[str, str], Any]:
    """A valid body for every operation that takes one, naming the victim where it can."""
    layout_doc = {
        "name": "Overname",
        "width": 400,
        "height": 300,
        "price_zones": [{"code": "A", "name": "Rang 1", "color": "#336699"}],
        "sections": [
            {
                "code": "S",
                "name": "Zaal",
                "rows": [{"label": "1", "seats": [{"label": "1", "x": 50, "y": 50, "zone": "A"}]}],
            }
        ],
    }
    return {
        ("POST", "/auth/login"): {"email": victim_email, "password": "wrong password"},
        ("POST", "/auth/refresh"): {"refresh_token": "not-a-real-refresh-token"},
        ("POST", "/clusters"): {"slug": "hijack", "name": "Hijack"},
        ("PATCH", "/clusters/{cluster_id}"): {"name": "Hijacked"},
        ("POST", "/houses"): {
            "cluster_id": w["cluster_id"],
            "slug": "intruder-house",
            "name": "Intruder",
            "order_code_prefix": "INTR",
        },
        ("PATCH", "/houses/{house_id}"): {"name": "Hijacked"},
        ("POST", "/staff"): {
            "email": "intruder@example.test",
            "name": "Intruder",
            "password": "a long enough password",
            "roles": [{"role": "house_admin", "house_id": w["house_id"]}],
        },
        ("PATCH", "/staff/{user_id}"): {"name": "Hijacked"},
        ("POST", "/staff/{user_id}/roles"): {"role": "scanner", "house_id": w["house_id"]},
        ("POST", "/api-tokens"): {
            "house_id": w["house_id"],
            "name": "Intruder",
            "kind": "integration",
            "roles": ["box_office"],
        },
        ("POST", "/venues"): {
            "house_id": w["house_id"],
            "name": "Intruder venue",
            "street": "Straat 1",
            "postal_code": "9000",
            "city": "Gent",
        },
        ("PATCH", "/venues/{venue_id}"): {"name": "Hijacked"},
        ("POST", "/halls"): {"venue_id": w["venue_id"], "name": "Intruder hall"},
        ("PATCH", "/halls/{hall_id}"): {"name": "Hijacked"},
        ("POST", "/halls/{hall_id}/layouts"): layout_doc,
        ("POST", "/halls/{hall_id}/layouts/generate"): SMALL_SPEC,
        ("POST", "/seatmaps/validate"): layout_doc,
        ("POST", "/seatmaps/generate"): SMALL_SPEC,
        ("POST", "/events"): {
            "house_id": w["house_id"],
            "title": {"nl": "Intruder"},
            "event_type_id": "0.55.0.0.0",
        },
        ("PATCH", "/events/{event_id}"): {"status": "archived"},
        ("PUT", "/events/{event_id}/uitdatabank/locations/{venue_id}"): {"uitdatabank_id": None},
        ("POST", "/events/{event_id}/performances"): {
            "hall_id": w["hall_id"],
            "starts_at": in_days(5),
            "ends_at": in_days(5.1),
        },
        ("POST", "/events/{event_id}/tariffs"): {
            "code": "HACK",
            "name": {"nl": "Hack"},
            "kind": "reduced",
            "rule": "percent_off",
            "value": 100,
        },
        ("PATCH", "/performances/{performance_id}"): {"status": "cancelled"},
        ("PUT", "/performances/{performance_id}/prices"): {
            "prices": [{"zone": "A", "amount_cents": 1}]
        },
        ("PATCH", "/tariffs/{tariff_id}"): {"value": 100},
        ("POST", "/public/holds"): {"performance_id": w["performance_id"], "seats": ["STALLS/1/2"]},
        ("POST", "/public/holds/{hold_id}/items"): {
            "performance_id": w["performance_id"],
            "seats": ["STALLS/1/3"],
        },
        ("POST", "/box-office/holds"): {
            "house_id": w["house_id"],
            "performance_id": w["performance_id"],
            "seats": ["STALLS/1/4"],
        },
        ("POST", "/box-office/holds/{hold_id}/items"): {
            "performance_id": w["performance_id"],
            "seats": ["STALLS/1/5"],
        },
        ("POST", "/performances/{performance_id}/blocks"): {"seats": ["STALLS/1/6"]},
        ("POST", "/performances/{performance_id}/unblock"): {"seats": ["STALLS/1/1"]},
        ("POST", "/public/orders"): {
            "hold_id": w["hold_id"],
            "customer": {"name": "X", "email": "x@y.be"},
        },
        ("POST", "/box-office/orders"): {"hold_id": w["hold_id"], "payment": {"method": "cash"}},
        ("POST", "/orders/{order_id}/payments"): {"method": "cash"},
        ("POST", "/orders/{order_id}/cancel"): {},
        ("POST", "/orders/{order_id}/exchange"): {
            "ticket_id": w["ticket_id"],
            "hold_id": w["hold_id"],
            "payment": {"method": "cash"},
        },
        ("POST", "/till/open"): {"house_id": w["house_id"], "float_cents": 0},
        ("POST", "/clusters/{cluster_id}/settlements"): {"month": "2026-03"},
        ("POST", "/till/{till_id}/close"): {"counted_cash_cents": 0},
        ("POST", "/houses/{house_id}/scanner-devices"): {
            "name": "Intruder",
            "performance_ids": [w["performance_id"]],
        },
        # A device's routes answer a staff token 401 before reading anything; a device of
        # another house is refused the victim's tickets (tests/checkin/test_scanning.py).
        ("POST", "/scanner/scans"): {"qr": "PD1:NOTHING"},
        ("POST", "/scanner/offline-scans"): {
            "scans": [{"nonce": "intruder-1", "qr": "PD1:X", "scanned_at": "2026-01-01T00:00:00Z"}]
        },
        ("PATCH", "/customers/{customer_id}"): {
            "share_in_cluster": True,
            "newsletter": True,
            "house_id": w["house_id"],
        },
        # Routes that read their body themselves: an image, and Stripe's signed event.
        ("PUT", "/houses/{house_id}/logo"): "not an image",
        ("POST", "/webhooks/stripe"): {"id": "evt_intruder", "type": "charge.refunded"},
        # Public (the order's secret is the key); refused while test mode is off.
        ("POST", "/public/orders/{order_id}/test-payment"): {"card_number": "4242424242424242"},
    }


# A customer of the victim's house who did not agree to be found by the cluster's other
# houses: a house of the same cluster must not find it either.
VICTIM_CUSTOMER = {"name": "Victim Customer", "email": "victim.customer@example.test"}


async def add_customer(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """The world's ids plus a customer, made by a sale at the victim's counter."""
    clerk = world.tenant.staff[Role.BOX_OFFICE].headers
    hold = await client.post(
        "/box-office/holds",
        headers=clerk,
        json={
            "house_id": str(world.tenant.house.id),
            "performance_id": world.performance["id"],
            "seats": ["STALLS/3/6"],
        },
    )
    assert hold.status_code == 201, hold.text
    sale = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={
            "hold_id": hold.json()["id"],
            "payment": {"method": "cash"},
            "customer": VICTIM_CUSTOMER,
        },
    )
    assert sale.status_code == 201, sale.text
    found = await client.get("/customers", headers=clerk, params={"q": VICTIM_CUSTOMER["email"]})
    assert found.status_code == 200, found.text
    [customer] = found.json()
    return {**world.ids, "customer_id": customer["id"]}


def query_for(op: dict[str, Any], w: dict[str, str]) -> dict[str, str] | None:
    """Query parameters aimed at the victim: its house, and a search for its customer."""
    names = {p.get("name") for p in op.get("parameters", []) if p.get("in") == "query"}
    query = {}
    if "house_id" in names:
        query["house_id"] = w["house_id"]
    if "q" in names:
        query["q"] = VICTIM_CUSTOMER["email"]
    return query or None


def operations(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    schema = app.openapi_schema.to_schema()
    ops = [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]
    # Logging out ends the caller's session: do it last.
    return sorted(ops, key=lambda o: (o[1] == "/auth/logout", o[1], o[0]))


def is_public(op: dict[str, Any], path: str) -> bool:
    return op.get("security") == [] or path in PUBLIC or path.startswith("/public/")


def names_foreign(path: str, body: Any, foreign: set[str], w: dict[str, str]) -> bool:
    params = set(re.findall(r"{(\w+)}", path))
    if params & foreign:
        return True
    text = json.dumps(body) if body is not None else ""
    return any(w[key] in text for key in foreign if key.endswith("_id"))


def leaked(response: httpx.Response, secrets: list[str]) -> list[str]:
    try:
        payload = response.json()
    except ValueError:
        payload = response.text
    if isinstance(payload, dict):
        payload.pop("instance", None)  # the caller's own request path, echoed back
    text = json.dumps(payload)
    return [s for s in secrets if s in text]


async def snapshot(client: httpx.AsyncClient, world: World, w: dict[str, str]) -> dict[str, Any]:
    h = world.tenant.staff[Role.HOUSE_ADMIN].headers
    urls = [
        f"/houses/{w['house_id']}",
        f"/clusters/{w['cluster_id']}",
        f"/venues?house_id={w['house_id']}",
        f"/halls?house_id={w['house_id']}",
        f"/halls/{w['hall_id']}/layouts",
        f"/events/{w['event_id']}",
        f"/api-tokens?house_id={w['house_id']}",
        f"/staff?house_id={w['house_id']}",
        f"/performances/{w['performance_id']}/availability",
        f"/box-office/holds/{w['hold_id']}",
        f"/orders/{w['order_id']}",
        f"/orders/{w['order_id']}/history",
        f"/till/{w['till_id']}",
        f"/orders?house_id={w['house_id']}",
        f"/customers/{w['customer_id']}",
    ]
    out = {}
    for url in urls:
        response = await client.get(url, headers=h)
        assert response.status_code == 200, (url, response.text)
        out[url] = response.json()
    return out


@pytest.fixture
async def attackers(db: AsyncSession, tenant: Tenant, other_tenant: Tenant) -> dict[str, Staff]:
    same_cluster = await make_tenant(db, cluster=tenant.cluster)
    return {
        "house admin, other cluster": other_tenant.staff[Role.HOUSE_ADMIN],
        "cluster admin, other cluster": other_tenant.staff[Role.CLUSTER_ADMIN],
        "box office, other cluster": other_tenant.staff[Role.BOX_OFFICE],
        "house admin, same cluster": same_cluster.staff[Role.HOUSE_ADMIN],
        "finance, same cluster": same_cluster.staff[Role.FINANCE],
    }


async def test_every_route_hides_other_houses(
    app: Litestar,
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    attackers: dict[str, Staff],
) -> None:
    world = await build_world(client, tenant)
    w = await add_customer(client, world)
    before = await snapshot(client, world, w)
    bodies = sample_bodies(w, tenant.staff[Role.HOUSE_ADMIN].user.email)
    ops = operations(app)
    secrets = [v for k, v in w.items() if k not in CLUSTER_LEVEL] + [
        world.venue["name"],
        world.hall["name"],
        world.event["title"]["nl"],
        world.staff["email"],
        world.api_token["token_prefix"],
        VICTIM_CUSTOMER["name"],
        VICTIM_CUSTOMER["email"],
    ]

    # An API token of a house of the other cluster walks the routes too.
    token = await client.post(
        "/api-tokens",
        headers=other_tenant.staff[Role.HOUSE_ADMIN].headers,
        json={
            "house_id": str(other_tenant.house.id),
            "name": "Till",
            "kind": "integration",
            "roles": ["box_office", "finance"],
        },
    )
    assert token.status_code == 201, token.text
    callers = {name: staff.headers for name, staff in attackers.items()}
    callers["API token, other cluster"] = {"Authorization": f"Bearer {token.json()['token']}"}

    missing = [(m, p) for m, p, op in ops if "requestBody" in op and (m, p) not in bodies]
    assert not missing, f"add sample bodies for {missing}"

    walked = 0
    failures: list[str] = []
    for name, headers in callers.items():
        same_cluster = "same cluster" in name
        foreign = {k for k in w if not (same_cluster and k in CLUSTER_LEVEL)}
        for method, path, op in ops:
            url = path
            for param in re.findall(r"{(\w+)}", path):
                url = url.replace("{" + param + "}", w[param])
            query = query_for(op, w)
            body = bodies.get((method, path))
            response = await client.request(method, url, headers=headers, json=body, params=query)
            walked += 1
            label = f"{name}: {method} {path} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{label} (server error) {response.text[:200]}")
                continue
            if path == "/auth/login":
                # Wrong password for the victim's account: the same 401 as an unknown e-mail.
                if response.status_code != 401:
                    failures.append(label)
                continue
            if leaks := leaked(response, secrets):
                failures.append(f"{label} leaks {leaks}")
            if (
                not is_public(op, path)
                and names_foreign(path, body, foreign, w)
                and response.status_code != 404
            ):
                failures.append(f"{label} (expected 404)")
    assert walked == len(ops) * len(callers)
    assert not failures, "\n".join(failures)
    # Nothing of the victim changed.
    assert await snapshot(client, world, w) == before


async def test_walk_covers_every_operation(app: Litestar) -> None:
    ops = operations(app)
    paths = {p for _, p, _ in ops}
    # The schema is the source: a sanity floor so an empty schema cannot pass the walk.
    assert len(ops) >= 40
    assert {"/venues/{venue_id}", "/events/{event_id}", "/layouts/{layout_id}/svg"} <= paths


async def test_public_programme_hides_unpublished(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    assert (await client.get(f"/public/events/{world.event['id']}")).status_code == 404
    listing = await client.get(f"/public/houses/{tenant.house.slug}/programme")
    assert listing.status_code == 200
    assert listing.json() == []


async def test_role_in_own_house_is_403_not_404(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    scanner = tenant.staff[Role.SCANNER]
    read = await client.get(f"/venues/{world.venue['id']}", headers=scanner.headers)
    assert read.status_code == 200
    write = await client.patch(
        f"/venues/{world.venue['id']}", headers=scanner.headers, json={"name": "X"}
    )
    assert write.status_code == 403
    assert write.headers["content-type"].startswith("application/problem+json")
