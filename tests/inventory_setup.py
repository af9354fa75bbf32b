from __future__ import annotations

import uuid
from typing import Any

import httpx
from support import Tenant
from world import in_days, make_hall, ok

from ticketing.tenancy.roles import Role

MIXED_SPEC: dict[str, Any] = {
    "name": "Zaal met staanplaatsen",
    "price_zones": [
        {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
        {"code": "B", "name": "Rang 2", "color": "#ff7f0e"},
        {"code": "S", "name": "Staanplaats", "color": "#2ca02c"},
    ],
    "blocks": [
        {"code": "STALLS", "name": "Parterre", "rows": 3, "seats_per_row": 8, "zone": "A"},
        {"code": "BALCONY", "name": "Balkon", "rows": 1, "seats_per_row": 6, "zone": "B"},
    ],
    "standing": [{"code": "FLOOR", "name": "Vloer", "zone": "S", "capacity": 10}],
}


TARIFFS: list[dict[str, Any]] = [
    {
        "code": "U26",
        "name": {"nl": "-26"},
        "kind": "youth",
        "rule": "percent_off",
        "value": 25,
        "requires_check": True,
    },
    {
        "code": "VRIJ",
        "name": {"nl": "Vrijkaart"},
        "kind": "complimentary",
        "rule": "free",
        "max_per_order": 2,
    },
]


async def put_on_sale(
    client: httpx.AsyncClient, tenant: Tenant, spec: dict[str, Any], prices: dict[str, int]
) -> dict[str, Any]:
    """A published event with one performance on sale in a hall with this layout."""
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    _, hall = await make_hall(client, tenant, uuid.uuid4().hex[:6])
    await ok(await client.post(f"/halls/{hall['id']}/layouts/generate", headers=h, json=spec))
    event = await ok(
        await client.post(
            "/events",
            headers=h,
            json={
                "house_id": str(tenant.house.id),
                "title": {"nl": "Te koop"},
                "event_type_id": "0.50.4.0.0",
            },
        )
    )
    performance = await ok(
        await client.post(
            f"/events/{event['id']}/performances",
            headers=h,
            json={
                "hall_id": hall["id"],
                "starts_at": in_days(7),
                "ends_at": in_days(7.1),
                "prices": [{"zone": z, "amount_cents": c} for z, c in prices.items()],
            },
        )
    )
    for tariff in TARIFFS:
        await ok(await client.post(f"/events/{event['id']}/tariffs", headers=h, json=tariff))
    await ok(
        await client.patch(
            f"/performances/{performance['id']}", headers=h, json={"status": "on_sale"}
        ),
        200,
    )
    await ok(
        await client.patch(f"/events/{event['id']}", headers=h, json={"status": "published"}), 200
    )
    return performance


STAFF_TARIFF: dict[str, Any] = {
    "code": "PERS",
    "name": {"nl": "Personeel"},
    "kind": "complimentary",
    "rule": "free",
    "staff_only": True,
}


async def add_tariff(
    client: httpx.AsyncClient, tenant: Tenant, event_id: str, tariff: dict[str, Any]
) -> dict[str, Any]:
    """A tariff added by the house admin (for example STAFF_TARIFF, a free ticket only the
    house's own counter gives)."""
    return await ok(
        await client.post(
            f"/events/{event_id}/tariffs",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json=tariff,
        )
    )
