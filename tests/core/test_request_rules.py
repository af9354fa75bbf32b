"""The rules every request body follows (ticketing/core/schemas.py, core/guards.py):
PATCH nulls, limits read from the columns, strict types, one spelling of field paths."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
from fixtures.support import Tenant, assert_problem
from fixtures.world import build_world
from pydantic import BaseModel

from ticketing.core.schemas import In, Patch
from ticketing.tenancy.roles import Role


async def test_null_empties_an_optional_field_and_is_refused_on_a_required_one(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    hall = f"/halls/{world.hall['id']}"
    described = await client.patch(hall, headers=h, json={"description": "Met balkon"})
    assert described.json()["description"] == "Met balkon"

    refused = await client.patch(hall, headers=h, json={"name": None, "description": None})
    problem = assert_problem(refused, 422)
    assert [e["field"] for e in problem["errors"]] == ["name"]
    # Refused as a whole: the description is still there.
    assert (await client.get(hall, headers=h)).json()["description"] == "Met balkon"

    cleared = await client.patch(hall, headers=h, json={"description": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["description"] is None
    assert cleared.json()["name"] == world.hall["name"]

    venue = f"/venues/{world.venue['id']}"
    problem = assert_problem(await client.patch(venue, headers=h, json={"postal_code": None}), 422)
    assert problem["errors"][0]["field"] == "postal_code"

    # A tariff's limit per order and an event's ages may be emptied (they were stuck before).
    tariff = f"/tariffs/{world.tariff['id']}"
    assert (await client.patch(tariff, headers=h, json={"max_per_order": 4})).status_code == 200
    emptied = await client.patch(tariff, headers=h, json={"max_per_order": None})
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["max_per_order"] is None
    event = f"/events/{world.event['id']}"
    aged = await client.patch(event, headers=h, json={"age_min": None})
    assert aged.status_code == 200, aged.text
    assert aged.json()["age_min"] is None


async def test_a_null_password_is_refused_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    response = await client.patch(
        f"/staff/{admin.user.id}", headers=admin.headers, json={"password": None}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "password"


async def test_texts_are_refused_before_they_overflow_their_column(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    world = await build_world(client, tenant, publish=True)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    venue = f"/venues/{world.venue['id']}"
    problem = assert_problem(await client.patch(venue, headers=h, json={"city": "x" * 101}), 400)
    assert problem["errors"][0]["field"] == "city"
    assert (await client.patch(venue, headers=h, json={"city": "x" * 100})).status_code == 200

    # 41 characters pass the phone pattern; the column takes 40.
    hold = await client.post(
        "/public/holds",
        json={"performance_id": world.performance["id"], "seats": ["STALLS/2/2"]},
    )
    assert hold.status_code == 201, hold.text
    customer = {"name": "Jan", "email": "jan@example.test", "phone": "0" * 41}
    order = await client.post(
        "/public/orders", json={"hold_id": hold.json()["id"], "customer": customer}
    )
    assert assert_problem(order, 400)["errors"][0]["field"] == "customer.phone"


async def test_wrong_types_are_refused_and_paths_use_brackets(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    h = tenant.staff[Role.BOX_OFFICE].headers
    response = await client.post(
        "/box-office/holds",
        headers=h,
        json={
            "house_id": str(tenant.house.id),
            "performance_id": world.performance["id"],
            "seats": ["STALLS/2/3", 4],
            "best": {"quantity": "2"},
        },
    )
    problem = assert_problem(response, 400)
    assert {e["field"] for e in problem["errors"]} == {"seats[1]", "best.quantity"}


async def test_a_thin_standing_area_is_refused_not_a_500(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    spec: dict[str, Any] = {
        "name": "Zaal",
        "price_zones": [{"code": "A", "name": "Rang 1", "color": "#111111"}],
        "standing": [{"code": "F", "name": "Vloer", "zone": "A", "capacity": 10, "height": 5e-324}],
    }
    response = await client.post(
        "/seatmaps/generate", headers=tenant.staff[Role.HOUSE_ADMIN].headers, json=spec
    )
    assert assert_problem(response, 400)["errors"][0]["field"] == "standing[0].height"


def _request_models() -> list[type[BaseModel]]:
    import ticketing.customers.schemas
    import ticketing.events.schemas
    import ticketing.inventory.schemas
    import ticketing.orders.schemas
    import ticketing.tenancy.schemas
    import ticketing.venues.schemas

    modules = [
        ticketing.customers.schemas,
        ticketing.events.schemas,
        ticketing.inventory.schemas,
        ticketing.orders.schemas,
        ticketing.tenancy.schemas,
        ticketing.venues.schemas,
    ]
    return [
        cls
        for module in modules
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, In) and cls.__module__ == module.__name__
    ]


def _unbounded(schema: Any, at: str, defs: dict[str, Any]) -> list[str]:
    if isinstance(schema, dict):
        if "$ref" in schema:
            return []  # checked as its own model
        kind = schema.get("type")
        out = []
        if kind == "string" and not (
            "maxLength" in schema or "enum" in schema or "const" in schema or "format" in schema
        ):
            out.append(at)
        if kind == "integer" and not ("maximum" in schema and "minimum" in schema):
            out.append(at)
        if kind == "array" and "maxItems" not in schema:
            out.append(at)
        for key, value in schema.items():
            if key in ("properties",):
                for name, prop in value.items():
                    out += _unbounded(prop, f"{at}.{name}", defs)
            elif key in ("anyOf", "allOf", "oneOf"):
                for item in value:
                    out += _unbounded(item, at, defs)
            elif key == "items":
                out += _unbounded(value, f"{at}[]", defs)
        return out
    return []


def test_every_request_field_is_bounded() -> None:
    """Every text, number and list a request body takes has an upper bound, so nothing
    reaches PostgreSQL that a column cannot hold (limits of texts come from the columns)."""
    unbounded: list[str] = []
    for model in _request_models():
        schema = model.model_json_schema(mode="validation")
        unbounded += _unbounded({"properties": schema.get("properties", {})}, model.__name__, {})
    assert not unbounded, unbounded


def test_every_patch_body_follows_the_null_rule() -> None:
    patches = [m for m in _request_models() if m.__name__.endswith("Patch")]
    assert patches
    assert all(issubclass(m, Patch) for m in patches), [
        m.__name__ for m in patches if not issubclass(m, Patch)
    ]


async def test_a_standing_capacity_past_the_counts_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    doc = {
        "name": "Zaal",
        "width": 400,
        "height": 300,
        "price_zones": [{"code": "A", "name": "Rang 1", "color": "#336699"}],
        "standing_areas": [
            {
                "code": "F",
                "name": "Vloer",
                "zone": "A",
                "capacity": 10**12,
                "x": 10,
                "y": 10,
                "width": 100,
                "height": 100,
            }
        ],
    }
    response = await client.post(f"/halls/{world.hall['id']}/layouts", headers=h, json=doc)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "document.standing_areas[0].capacity"
