"""A house with one of everything, built through the API by its house admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from support import Tenant

from ticketing.tenancy.roles import Role

SMALL_SPEC: dict[str, Any] = {
    "name": "Kleine zaal",
    "price_zones": [
        {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
        {"code": "B", "name": "Rang 2", "color": "#ff7f0e"},
    ],
    "blocks": [
        {"code": "STALLS", "name": "Parterre", "rows": 3, "seats_per_row": 6, "zone": "A"},
        {"code": "BALCONY", "name": "Balkon", "rows": 1, "seats_per_row": 6, "zone": "B"},
    ],
}


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


@dataclass
class World:
    tenant: Tenant
    venue: dict[str, Any]
    hall: dict[str, Any]
    layout: dict[str, Any]
    event: dict[str, Any]
    performance: dict[str, Any]
    tariff: dict[str, Any]
    api_token: dict[str, Any]
    staff: dict[str, Any]
    hold: dict[str, Any]
    till: dict[str, Any]
    order: dict[str, Any]
    device: dict[str, Any]

    @property
    def ids(self) -> dict[str, str]:
        return {
            "cluster_id": str(self.tenant.cluster.id),
            "house_id": str(self.tenant.house.id),
            "venue_id": self.venue["id"],
            "hall_id": self.hall["id"],
            "layout_id": self.layout["id"],
            "event_id": self.event["id"],
            "performance_id": self.performance["id"],
            "tariff_id": self.tariff["id"],
            "token_id": self.api_token["id"],
            "user_id": self.staff["id"],
            "assignment_id": self.staff["roles"][0]["id"],
            "hold_id": self.hold["id"],
            "item_id": self.hold["items"][0]["id"],
            "till_id": self.till["id"],
            "order_id": self.order["id"],
            "ticket_id": self.order["tickets"][0]["id"],
            "device_id": self.device["id"],
            "cluster_slug": self.tenant.cluster.slug,
            "house_slug": self.tenant.house.slug,
        }


async def ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_hall(
    client: httpx.AsyncClient, tenant: Tenant, tag: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A venue of the tenant's house with one hall, made by its house admin."""
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    venue = await ok(
        await client.post(
            "/venues",
            headers=h,
            json={
                "house_id": str(tenant.house.id),
                "name": f"Venue {tag}",
                "street": "Kouter 1",
                "postal_code": "9000",
                "city": "Gent",
            },
        )
    )
    hall = await ok(
        await client.post(
            "/halls", headers=h, json={"venue_id": venue["id"], "name": f"Zaal {tag}"}
        )
    )
    return venue, hall


async def build_world(client: httpx.AsyncClient, tenant: Tenant, *, publish: bool = False) -> World:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    tag = uuid.uuid4().hex[:6]
    venue, hall = await make_hall(client, tenant, tag)
    layout = await ok(
        await client.post(f"/halls/{hall['id']}/layouts/generate", headers=h, json=SMALL_SPEC)
    )
    event = await ok(
        await client.post(
            "/events",
            headers=h,
            json={
                "house_id": str(tenant.house.id),
                "title": {"nl": f"Voorstelling {tag}", "en": f"Show {tag}"},
                "event_type_id": "0.55.0.0.0",
                "age_min": 12,
            },
        )
    )
    performance = await ok(
        await client.post(
            f"/events/{event['id']}/performances",
            headers=h,
            json={
                "hall_id": hall["id"],
                "starts_at": in_days(10),
                "ends_at": in_days(10.1),
                "prices": [
                    {"zone": "A", "amount_cents": 2500},
                    {"zone": "B", "amount_cents": 1800},
                ],
            },
        )
    )
    tariff = await ok(
        await client.post(
            f"/events/{event['id']}/tariffs",
            headers=h,
            json={
                "code": "U26",
                "name": {"nl": "-26"},
                "kind": "youth",
                "rule": "percent_off",
                "value": 20,
                "requires_check": True,
            },
        )
    )
    # On sale at the box office; online only once the event is published.
    await ok(
        await client.patch(
            f"/performances/{performance['id']}", headers=h, json={"status": "on_sale"}
        ),
        200,
    )
    if publish:
        await ok(
            await client.patch(f"/events/{event['id']}", headers=h, json={"status": "published"}),
            200,
        )
    api_token = await ok(
        await client.post(
            "/api-tokens",
            headers=h,
            json={
                "house_id": str(tenant.house.id),
                "name": f"Scanner {tag}",
                "kind": "scanner",
                "roles": ["scanner"],
            },
        )
    )
    staff = await ok(
        await client.post(
            "/staff",
            headers=h,
            json={
                "email": f"clerk-{tag}@example.test",
                "name": f"Clerk {tag}",
                "password": "a long enough password",
                "roles": [{"role": "box_office", "house_id": str(tenant.house.id)}],
            },
        )
    )
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/1/1"],
            },
        )
    )
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    till = await ok(
        await client.post(
            "/till/open", headers=clerk, json={"house_id": str(tenant.house.id), "float_cents": 0}
        )
    )
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "payment": {"method": "cash"}},
        )
    )
    device = await ok(
        await client.post(
            f"/houses/{tenant.house.id}/scanner-devices",
            headers=h,
            json={"name": f"Deur {tag}", "performance_ids": [performance["id"]]},
        )
    )
    return World(
        tenant,
        venue,
        hall,
        layout,
        event,
        performance,
        tariff,
        api_token,
        staff,
        hold,
        till,
        order,
        device,
    )
