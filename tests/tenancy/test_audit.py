"""The audit log: every staff write of the OpenAPI document leaves exactly one entry, in
the transaction of the change; the log is append-only; a house admin reads their own."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant, assert_problem, make_tenant, make_user
from fixtures.world import build_world, in_days
from litestar import Litestar
from PIL import Image
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession
from test_tenant_isolation import add_customer, is_public, operations, query_for, sample_bodies

from ticketing.tenancy.roles import Role
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent

# The door devices' own routes: a device token is not a staff principal (docs/api.md).
DEVICE_ROUTES = ("/scanner/",)
# Writes without a principal: logging in.
ANONYMOUS = {"/auth/login", "/auth/refresh"}


async def entries(db: AsyncSession, request_id: str) -> list[dict[str, Any]]:
    rows = await db.execute(
        text("SELECT * FROM audit_entry WHERE request_id = :rid"), {"rid": request_id}
    )
    return [dict(row._mapping) for row in rows]


def staff_writes(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for method, path, op in operations(app)
        if method != "GET"
        and not is_public(op, path)
        and not path.startswith(DEVICE_ROUTES)
        and path not in ANONYMOUS
    ]


class Walk:
    """Puts the victim's world in the state each write needs, so that every write of the
    walk succeeds (a basket still open, a till open, an order still to pay, ...)."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], w: dict[str, str]):
        self.client = client
        self.headers = headers
        self.w = w
        self.seats = iter(
            [f"BALCONY/1/{n}" for n in range(1, 7)] + [f"STALLS/2/{n}" for n in range(1, 7)]
        )
        self.till: str | None = None
        self.months = iter(f"2026-{m:02d}" for m in range(4, 13))

    async def post(self, url: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = await self.client.post(url, headers=self.headers, json=body)
        assert response.status_code == status, (url, response.text)
        out: dict[str, Any] = response.json()
        return out

    async def hold(self) -> None:
        hold = await self.post(
            "/box-office/holds",
            {
                "house_id": self.w["house_id"],
                "performance_id": self.w["performance_id"],
                "seats": [next(self.seats)],
            },
        )
        self.w["hold_id"], self.w["item_id"] = hold["id"], hold["items"][0]["id"]

    async def open_till(self) -> None:
        till = await self.post("/till/open", {"house_id": self.w["house_id"], "float_cents": 0})
        self.till = till["id"]

    async def close_till(self) -> None:
        await self.post(f"/till/{self.till}/close", {"counted_cash_cents": 0}, 200)

    async def order(self, **payment: Any) -> None:
        await self.hold()
        order = await self.post("/box-office/orders", {"hold_id": self.w["hold_id"], **payment})
        self.w["order_id"], self.w["ticket_id"] = order["id"], order["tickets"][0]["id"]

    async def sold_and_new_hold(self) -> None:
        await self.order(payment={"method": "cash"})
        await self.hold()

    async def reservation(self) -> None:
        await self.order(reserve_until=in_days(3))

    async def tariff(self) -> None:
        tariff = await self.post(
            f"/events/{self.w['event_id']}/tariffs",
            {
                "code": "WALK",
                "name": {"nl": "Wandeling"},
                "kind": "reduced",
                "rule": "percent_off",
                "value": 10,
            },
        )
        self.w["tariff_id"] = tariff["id"]

    async def draft(self) -> None:
        """A fresh draft statement (the world's may be final by now)."""
        statement = await self.post(
            f"/clusters/{self.w['cluster_id']}/settlements", {"month": next(self.months)}
        )
        self.w["statement_id"] = statement["id"]

    async def before(self, method: str, path: str) -> None:
        steps: dict[tuple[str, str], Any] = {
            ("POST", "/box-office/holds/{hold_id}/extend"): self.hold,
            ("POST", "/box-office/holds/{hold_id}/items"): self.hold,
            ("DELETE", "/box-office/holds/{hold_id}/items/{item_id}"): self.hold,
            ("POST", "/box-office/orders"): self.hold,
            ("POST", "/orders/{order_id}/exchange"): self.sold_and_new_hold,
            ("POST", "/orders/{order_id}/payments"): self.reservation,
            ("POST", "/till/open"): self.close_till,
            ("PATCH", "/tariffs/{tariff_id}"): self.tariff,
            ("POST", "/clusters/{cluster_id}/settlements/{statement_id}/refresh"): self.draft,
            ("POST", "/clusters/{cluster_id}/settlements/{statement_id}/finalise"): self.draft,
        }
        step = steps.get((method, path))
        if step is not None:
            await step()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


async def test_every_staff_write_leaves_one_entry(
    app: Litestar, client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    w = await add_customer(client, world)
    email = tenant.staff[Role.HOUSE_ADMIN].user.email
    admin = await make_user(db, platform_admin=True)
    # Staff settle a creation whose answer was lost: the event must have been sent once.
    db.add(
        UitdatabankEvent(
            house_id=tenant.house.id,
            cluster_id=tenant.cluster.id,
            event_id=uuid.UUID(w["event_id"]),
            venue_id=uuid.UUID(w["venue_id"]),
            status=SyncStatus.UNCERTAIN,
        )
    )
    await db.commit()
    walk = Walk(client, admin.headers, w)
    await walk.open_till()
    writes = staff_writes(app)
    assert len(writes) >= 40  # a floor, so an empty schema cannot pass

    problems: list[str] = []
    for n, (method, path, op) in enumerate(writes):
        await walk.before(method, path)
        url = path
        for param in re.findall(r"{(\w+)}", path):
            url = url.replace("{" + param + "}", w[param])
        body = OVERRIDES.get((method, path), sample_bodies(w, email).get((method, path)))
        request_id = f"audit-walk-{n}"
        response = await client.request(
            method,
            url,
            headers={**admin.headers, "X-Request-ID": request_id},
            params=query_for(op, w),
            **({"content": body} if isinstance(body, bytes) else {"json": body}),
        )
        found = await entries(db, request_id)
        label = f"{method} {path} -> {response.status_code}"
        if response.status_code >= 400:
            problems.append(f"{label} {response.text[:200]}: {len(found)} entries")
            continue
        if len(found) != 1:
            problems.append(f"{label}: {len(found)} entries")
            continue
        [entry] = found
        if entry["operation"] != f"{method} {path}" or entry["status"] != response.status_code:
            problems.append(f"{label}: entry says {entry['operation']} {entry['status']}")
        if entry["user_id"] != admin.user.id or entry["api_token_id"] is not None:
            problems.append(f"{label}: entry names {entry['user_id']}")
        if entry["resource_type"] is None:
            problems.append(f"{label}: no resource")
        house = response.json()["id"] if path == "/houses" else str(tenant.house.id)
        if path not in CLUSTER_LEVEL_WRITES and str(entry["house_id"]) != house:
            problems.append(f"{label}: entry in house {entry['house_id']}")
    assert not problems, "\n".join(problems)


# Writes whose sample (tests/test_tenant_isolation.py) would stop later writes of the walk.
OVERRIDES: dict[tuple[str, str], Any] = {
    ("PATCH", "/events/{event_id}"): {"age_min": 14},
    ("PATCH", "/performances/{performance_id}"): {"reentry": True},
    ("PUT", "/houses/{house_id}/logo"): png(),
    ("PUT", "/performances/{performance_id}/prices"): {
        "prices": [{"zone": "A", "amount_cents": 2600}, {"zone": "B", "amount_cents": 1900}]
    },
}
# Writes that belong to no house: a cluster, the platform admin's own session, a staff
# account (its roles name the houses).
CLUSTER_LEVEL_WRITES = {
    "/clusters",
    "/clusters/{cluster_id}",
    "/auth/logout",
    "/staff",
    "/staff/{user_id}",
    "/staff/{user_id}/roles",
    "/staff/{user_id}/roles/{assignment_id}",
    "/seatmaps/validate",
    "/seatmaps/generate",
    # Settlement statements are the cluster's.
    "/clusters/{cluster_id}/settlements",
    "/clusters/{cluster_id}/settlements/{statement_id}/finalise",
    "/clusters/{cluster_id}/settlements/{statement_id}/refresh",
}


async def test_entry_names_the_resource_and_api_token(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    venue = await client.post(
        "/venues",
        headers={**admin.headers, "X-Request-ID": "audit-venue"},
        json={
            "house_id": str(tenant.house.id),
            "name": "Zaal Audit",
            "street": "Kouter 1",
            "postal_code": "9000",
            "city": "Gent",
        },
    )
    assert venue.status_code == 201, venue.text
    [entry] = await entries(db, "audit-venue")
    assert entry["resource_type"] == "venue"
    assert entry["resource_id"] == venue.json()["id"]
    assert (entry["house_id"], entry["cluster_id"]) == (tenant.house.id, tenant.cluster.id)
    assert entry["operation"] == "POST /venues"
    assert entry["user_id"] == admin.user.id

    created = await client.post(
        "/api-tokens",
        headers=admin.headers,
        json={
            "house_id": str(tenant.house.id),
            "name": "Kassa-koppeling",
            "kind": "integration",
            "roles": ["box_office"],
        },
    )
    assert created.status_code == 201, created.text
    world = await build_world(client, tenant)
    hold = await client.post(
        "/box-office/holds",
        headers={"Authorization": f"Bearer {created.json()['token']}", "X-Request-ID": "tok"},
        json={
            "house_id": str(tenant.house.id),
            "performance_id": world.performance["id"],
            "seats": ["STALLS/2/1"],
        },
    )
    assert hold.status_code == 201, hold.text
    [entry] = await entries(db, "tok")
    assert entry["user_id"] is None
    assert str(entry["api_token_id"]) == created.json()["id"]
    assert entry["house_id"] == tenant.house.id
    assert (entry["resource_type"], entry["resource_id"]) == ("hold", hold.json()["id"])


async def test_a_refused_write_records_nothing(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    scanner = tenant.staff[Role.SCANNER]
    refused = await client.patch(
        f"/venues/{world.venue['id']}",
        headers={**scanner.headers, "X-Request-ID": "refused"},
        json={"name": "Niet van mij"},
    )
    assert_problem(refused, 403)
    assert await entries(db, "refused") == []


async def test_the_log_is_append_only(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    response = await client.patch(
        f"/houses/{tenant.house.id}",
        headers={**admin.headers, "X-Request-ID": "append-only"},
        json={"name": "Nieuwe naam"},
    )
    assert response.status_code == 200, response.text
    for statement in (
        "UPDATE audit_entry SET status = 500 WHERE request_id = 'append-only'",
        "DELETE FROM audit_entry WHERE request_id = 'append-only'",
        "TRUNCATE audit_entry",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.begin_nested():
                await db.execute(text(statement))
    [entry] = await entries(db, "append-only")
    assert entry["status"] == 200


async def test_a_house_admin_reads_their_house_log(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    # A second house of the cluster (made before anyone's roles are read and kept).
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    admin = tenant.staff[Role.HOUSE_ADMIN]
    clerk = tenant.staff[Role.BOX_OFFICE]
    for n in range(3):
        changed = await client.patch(
            f"/houses/{tenant.house.id}", headers=admin.headers, json={"name": f"Huis {n}"}
        )
        assert changed.status_code == 200, changed.text
    till = await client.post(
        "/till/open",
        headers=clerk.headers,
        json={"house_id": str(tenant.house.id), "float_cents": 0},
    )
    assert till.status_code == 201, till.text
    # Another house's writes stay in its own log.
    other = await client.patch(
        f"/houses/{other_tenant.house.id}",
        headers=other_tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"name": "Elders"},
    )
    assert other.status_code == 200

    url = f"/houses/{tenant.house.id}/audit"
    log = await client.get(url, headers=admin.headers)
    assert log.status_code == 200, log.text
    body = log.json()
    assert [e["operation"] for e in body] == ["POST /till/open"] + ["PATCH /houses/{house_id}"] * 3
    assert body[0]["user_email"] == clerk.user.email
    assert body[0]["resource_type"] == "till"
    assert {e["house_id"] for e in body} == {str(tenant.house.id)}
    assert all(e["request_id"] for e in body)

    # Paged, and filtered by account and by date.
    page = await client.get(url, headers=admin.headers, params={"limit": 2, "offset": 1})
    assert [e["id"] for e in page.json()] == [e["id"] for e in body[1:3]]
    mine = await client.get(url, headers=admin.headers, params={"user_id": str(admin.user.id)})
    assert len(mine.json()) == 3
    later = await client.get(url, headers=admin.headers, params={"since": body[0]["at"]})
    assert [e["id"] for e in later.json()] == [body[0]["id"]]
    earlier = await client.get(url, headers=admin.headers, params={"until": body[0]["at"]})
    assert [e["id"] for e in earlier.json()] == [e["id"] for e in body[1:]]

    # A cluster admin reads it too; the clerk may not; another house's admin finds nothing.
    cluster = await client.get(url, headers=tenant.staff[Role.CLUSTER_ADMIN].headers)
    assert [e["id"] for e in cluster.json()] == [e["id"] for e in body]
    assert_problem(await client.get(url, headers=clerk.headers), 403)
    assert_problem(await client.get(url, headers=other_tenant.staff[Role.HOUSE_ADMIN].headers), 404)
    assert_problem(await client.get(f"/houses/{uuid.uuid4()}/audit", headers=admin.headers), 404)
    assert_problem(await client.get(url, headers=admin.headers, params={"since": "gisteren"}), 400)
    # Times at the edges and without a zone are refused by name, on both logs (they were a
    # 500, or a naive time was read as if in UTC).
    for where in (url, "/audit"):
        for name, value, says in (
            ("since", "0001-01-01T00:00:00+01:00", "2000 to 2100"),
            ("until", "9999-12-31T23:59:59-10:00", "2000 to 2100"),
            ("since", "2030-01-01T00:00:00", "time zone"),
        ):
            answer = await client.get(where, headers=admin.headers, params={name: value})
            problem = assert_problem(answer, 400, f"query.{name}")
            assert says in problem["errors"][0]["message"]

    # /audit: the houses I manage; a house of the same cluster's log is not the admin's.
    moved = await client.patch(
        f"/houses/{neighbour.house.id}",
        headers=neighbour.staff[Role.HOUSE_ADMIN].headers,
        json={"name": "Buren"},
    )
    assert moved.status_code == 200
    overview = await client.get("/audit", headers=admin.headers)
    assert {e["house_id"] for e in overview.json()} == {str(tenant.house.id)}
    both = await client.get("/audit", headers=tenant.staff[Role.CLUSTER_ADMIN].headers)
    assert {e["house_id"] for e in both.json()} == {str(tenant.house.id), str(neighbour.house.id)}
