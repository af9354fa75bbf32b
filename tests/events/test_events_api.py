from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import STAFF_TARIFF, add_tariff
from fixtures.support import Tenant, assert_problem, make_tenant
from fixtures.tickets_support import sell
from fixtures.world import build_world, in_days, ok
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.inventory import programme
from ticketing.tenancy.roles import Role


async def test_event_lifecycle_and_public_programme(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    world = await build_world(client, tenant, publish=True)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    detail = await ok(await client.get(f"/events/{world.event['id']}", headers=h), 200)
    assert detail["event_type"]["nl"] == "Theatervoorstelling"
    assert [t["code"] for t in detail["tariffs"]] == ["BASE", "U26"]
    [perf] = detail["performances"]
    assert perf["status"] == "on_sale"
    assert perf["seat_count"] == 24
    assert {p["zone"]: p["amount_cents"] for p in perf["prices"]} == {"A": 2500, "B": 1800}

    # A second house of the same cluster, with its own published show.
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    concert = await build_world(client, neighbour, publish=True)
    await ok(
        await client.patch(
            f"/events/{concert.event['id']}",
            headers=neighbour.staff[Role.HOUSE_ADMIN].headers,
            json={"event_type_id": "0.50.4.0.0"},
        ),
        200,
    )

    programme = await ok(await client.get(f"/public/clusters/{tenant.cluster.slug}/programme"), 200)
    assert {item["event_id"] for item in programme} == {world.event["id"], concert.event["id"]}
    concerts = await ok(
        await client.get(
            f"/public/clusters/{tenant.cluster.slug}/programme", params={"genre": "0.50.4.0.0"}
        ),
        200,
    )
    assert [item["event_id"] for item in concerts] == [concert.event["id"]]
    one_house = await ok(
        await client.get(
            f"/public/clusters/{tenant.cluster.slug}/programme", params={"house": tenant.house.slug}
        ),
        200,
    )
    assert [item["house_slug"] for item in one_house] == [tenant.house.slug]
    assert one_house[0]["price_from_cents"] == 1800
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    nothing = await ok(
        await client.get(
            f"/public/clusters/{tenant.cluster.slug}/programme",
            params={"date_from": tomorrow, "date_to": tomorrow},
        ),
        200,
    )
    assert nothing == []

    public = await ok(await client.get(f"/public/events/{world.event['id']}"), 200)
    zone_a = next(z for z in public["performances"][0]["prices"] if z["zone"] == "A")
    prices = {t["tariff"]: t["amount_cents"] for t in zone_a["tariffs"]}
    assert prices == {"BASE": 2500, "U26": 2000}
    assert assert_problem(await client.get("/public/clusters/nowhere/programme"), 404)


async def test_performance_validation(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    world = await build_world(client, tenant)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    url = f"/events/{world.event['id']}/performances"
    base = {"hall_id": world.hall["id"], "starts_at": in_days(3), "ends_at": in_days(3.1)}

    body = assert_problem(
        await client.post(url, headers=h, json={**base, "ends_at": in_days(2)}), 422, "ends_at"
    )
    assert "end after it starts" in body["detail"]
    body = assert_problem(
        await client.post(
            url, headers=h, json={**base, "prices": [{"zone": "Q", "amount_cents": 100}]}
        ),
        422,
        "prices[0].zone",
    )
    assert "Q" in body["detail"]
    naive = {**base, "starts_at": "2030-01-01T20:00:00"}
    assert_problem(await client.post(url, headers=h, json=naive), 400, "starts_at")

    draft = await ok(await client.post(url, headers=h, json=base))
    # On sale needs a price for every zone of the seat map.
    body = assert_problem(
        await client.patch(f"/performances/{draft['id']}", headers=h, json={"status": "on_sale"}),
        422,
    )
    assert "A" in body["detail"]
    assert "B" in body["detail"]
    await ok(
        await client.put(
            f"/performances/{draft['id']}/prices",
            headers=h,
            json={
                "prices": [{"zone": "A", "amount_cents": 1000}, {"zone": "B", "amount_cents": 900}]
            },
        ),
        200,
    )
    on_sale = await ok(
        await client.patch(f"/performances/{draft['id']}", headers=h, json={"status": "on_sale"}),
        200,
    )
    assert on_sale["status"] == "on_sale"
    cancelled = await ok(
        await client.patch(f"/performances/{draft['id']}", headers=h, json={"status": "cancelled"}),
        200,
    )
    assert cancelled["status"] == "cancelled"
    # Times at the edges are refused by name and change nothing (they were a 500).
    for field in ("ends_at", "online_sales_until"):
        for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-10:00"):
            edge = await client.patch(
                f"/performances/{draft['id']}", headers=h, json={field: value}
            )
            assert "2000 to 2100" in assert_problem(edge, 400, field)["errors"][0]["message"]
    kept = await ok(await client.get(f"/performances/{draft['id']}", headers=h), 200)
    assert (kept["ends_at"], kept["online_sales_until"]) == (
        cancelled["ends_at"],
        cancelled["online_sales_until"],
    )
    assert_problem(
        await client.patch(f"/performances/{draft['id']}", headers=h, json={"status": "on_sale"}),
        409,
    )

    # A hall of another house (same cluster, visible to a cluster admin) is refused by field.
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    other = await build_world(client, neighbour)
    admin = tenant.staff[Role.CLUSTER_ADMIN].headers
    body = assert_problem(
        await client.post(url, headers=admin, json={**base, "hall_id": other.hall["id"]}),
        422,
        "hall_id",
    )


async def test_tariff_rules(client: httpx.AsyncClient, tenant: Tenant) -> None:
    world = await build_world(client, tenant)
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    url = f"/events/{world.event['id']}/tariffs"
    comp = await ok(
        await client.post(
            url,
            headers=h,
            json={
                "code": "VRIJ",
                "name": {"nl": "Vrijkaart"},
                "kind": "complimentary",
                "rule": "percent_off",
                "value": 10,
            },
        )
    )
    # Complimentary is always free and staff-only, whatever was asked.
    assert (comp["rule"], comp["value"], comp["staff_only"]) == ("free", 0, True)
    assert_problem(
        await client.post(
            url,
            headers=h,
            json={"code": "U26", "name": {"nl": "dubbel"}, "kind": "youth", "rule": "free"},
        ),
        409,
        "code",
    )
    assert_problem(
        await client.post(
            url,
            headers=h,
            json={
                "code": "X",
                "name": {"nl": "x"},
                "kind": "reduced",
                "rule": "percent_off",
                "value": 150,
            },
        ),
        422,
        "value",
    )
    detail = await ok(await client.get(f"/events/{world.event['id']}", headers=h), 200)
    base = next(t for t in detail["tariffs"] if t["code"] == "BASE")
    assert_problem(await client.delete(f"/tariffs/{base['id']}", headers=h), 409)
    assert (await client.delete(f"/tariffs/{comp['id']}", headers=h)).status_code == 204


async def test_event_validation_messages(client: httpx.AsyncClient, tenant: Tenant) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    body = assert_problem(
        await client.post(
            "/events",
            headers=h,
            json={"house_id": str(tenant.house.id), "title": {"nl": "X"}, "event_type_id": "9.9.9"},
        ),
        400,
        "event_type_id",
    )
    assert "genre" in body["errors"][0]["message"].lower()
    assert_problem(
        await client.post(
            "/events",
            headers=h,
            json={
                "house_id": str(tenant.house.id),
                "title": {"fr": "Sans néerlandais"},
                "event_type_id": "0.55.0.0.0",
            },
        ),
        400,
        "title.nl",
    )
    listing = await ok(
        await client.get("/events", headers=h, params={"q": "nothing-like-this"}), 200
    )
    assert listing == []


@pytest.fixture
def moments(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The programme cache's clock, moved by the test."""
    now = [1000.0]
    monkeypatch.setattr(programme, "monotonic", lambda: now[-1])
    programme.PROGRAMMES.clear()
    return now


async def test_the_programme_counts_places_left_and_shows_the_last_ones(
    client: httpx.AsyncClient, tenant: Tenant, moments: list[float]
) -> None:
    world = await build_world(client, tenant, publish=True)

    async def item() -> dict[str, Any]:
        listing = await ok(await client.get(f"/public/houses/{tenant.house.slug}/programme"), 200)
        (found,) = listing
        assert isinstance(found, dict)
        return found

    # 24 seats; the world sold one.
    first = await item()
    assert (first["places_left"], first["last_places"]) == (23, False)
    # A basket holds places too, as long as it has not expired.
    await ok(
        await client.post(
            "/public/holds",
            json={
                "performance_id": world.performance["id"],
                "seats": [f"BALCONY/1/{n}" for n in (1, 2, 3, 4)],
            },
        )
    )
    rows = ["STALLS/2/", "STALLS/3/"]
    await sell(
        client, tenant, world.performance, seats=[r + str(n) for r in rows for n in (1, 2, 3, 4, 5)]
    )
    # Each process reuses a listing for a second: sales do not clear it.
    assert programme.programme_seconds() > 0
    assert (await item())["places_left"] == 23
    moments.append(moments[-1] + programme.programme_seconds())
    left = await item()
    # 23 - 4 held - 10 sold: nine left, under the threshold of ten.
    assert (left["places_left"], left["last_places"]) == (9, True)
    # A change to the event through this process shows at once.
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": "Nieuwe titel"}},
        ),
        200,
    )
    assert (await item())["title"]["nl"] == "Nieuwe titel"


async def test_only_the_counter_of_the_events_house_sees_its_staff_only_tariffs(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    world = await build_world(client, tenant, publish=True)
    await add_tariff(client, tenant, world.event["id"], STAFF_TARIFF)

    def tariffs(event: dict[str, Any]) -> dict[str, int | None]:
        zone = event["performances"][0]["prices"][0]
        return {t["tariff"]: t["amount_cents"] for t in zone["tariffs"]}

    public = await ok(await client.get(f"/public/events/{world.event['id']}"), 200)
    assert "PERS" not in tariffs(public)
    neighbour = await make_tenant(db, cluster=tenant.cluster)

    async def at_counter(house: Tenant, staff: Any) -> dict[str, int | None]:
        event = await ok(
            await client.get(
                f"/box-office/events/{world.event['id']}",
                headers=staff.headers,
                params={"house_id": str(house.house.id)},
            ),
            200,
        )
        return tariffs(event)

    assert (await at_counter(tenant, tenant.staff[Role.BOX_OFFICE]))["PERS"] == 0
    # So does whoever sells for every house of the cluster, at this house's counter...
    assert (await at_counter(tenant, tenant.staff[Role.CLUSTER_ADMIN]))["PERS"] == 0
    # ...but not at a neighbour's counter (checkout refuses it there too).
    admin_next_door = await at_counter(neighbour, tenant.staff[Role.CLUSTER_ADMIN])
    assert "PERS" not in admin_next_door
    # The box office of another house of the cluster sells it too, at its public tariffs:
    # a free ticket of this house is not its neighbour's to give.
    resold = await at_counter(neighbour, neighbour.staff[Role.BOX_OFFICE])
    assert resold == tariffs(public)
    assert "PERS" not in resold
    # Another cluster, or a role that does not sell: not found.
    path = f"/box-office/events/{world.event['id']}"
    mine = {"house_id": str(tenant.house.id)}
    other = other_tenant.staff[Role.BOX_OFFICE].headers
    assert_problem(await client.get(path, headers=other, params=mine), 404)
    assert_problem(
        await client.get(path, headers=tenant.staff[Role.SCANNER].headers, params=mine), 404
    )
    # Without the counter's house the request names what is missing.
    assert_problem(
        await client.get(path, headers=tenant.staff[Role.BOX_OFFICE].headers), 400, "house_id"
    )


async def test_an_age_range_upside_down_names_the_field_in_plain_words(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = assert_problem(
        await client.post(
            "/events",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={
                "house_id": str(tenant.house.id),
                "title": {"nl": "Voor iedereen"},
                "event_type_id": "0.55.0.0.0",
                "age_min": 12,
                "age_max": 6,
            },
        ),
        400,
        "age_max",
    )
    assert body["errors"] == [
        {
            "field": "age_max",
            "message": "The maximum age must not be lower than the minimum age.",
        }
    ]
