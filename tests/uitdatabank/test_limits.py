"""UiTdatabank's limits on names (90 characters, tariffs named apart) are checked when the
house publishes or changes a published event: refused with 422 naming the field, before
anything is stored or sent."""

from __future__ import annotations

from typing import Any

import httpx
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox
from fixtures.udb_support import point_sync_at, publish, state
from fixtures.world import World, build_world, ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlalchemy import text

from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role

LONG = "Hamlet, of de tragische geschiedenis van een prins van Denemarken, in een nieuwe vertaling!"
assert len(LONG) == 91


def field_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


async def event_of(client: httpx.AsyncClient, tenant: Tenant, world: World) -> dict[str, Any]:
    return await ok(
        await client.get(
            f"/events/{world.event['id']}", headers=tenant.staff[Role.HOUSE_ADMIN].headers
        ),
        200,
    )


async def test_publishing_a_title_over_90_characters_is_refused(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    # A draft may carry the long title (the shop shows it whole) ...
    await ok(
        await client.patch(
            f"/events/{world.event['id']}", headers=admin, json={"title": {"nl": LONG}}
        ),
        200,
    )
    # ... but publishing it asks for one UiTdatabank takes.
    refused = await client.patch(
        f"/events/{world.event['id']}", headers=admin, json={"status": "published"}
    )
    assert field_of(refused) == ["title.nl"]
    assert "90" in refused.json()["errors"][0]["message"]
    assert (await event_of(client, tenant, world))["status"] != "published"
    await run_outbox(sessionmaker)
    assert udb.calls("POST", "/events") == []

    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=admin,
            json={"title": {"nl": LONG[:90]}, "status": "published"},
        ),
        200,
    )
    await run_outbox(sessionmaker)
    (posted,) = udb.calls("POST", "/events")
    assert posted.body["name"]["nl"] == LONG[:90]


async def test_a_published_event_keeps_its_title_within_the_limit(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    refused = await client.patch(
        f"/events/{world.event['id']}",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"title": {"nl": "Hamlet", "fr": LONG}},
    )
    assert field_of(refused) == ["title.fr"]
    assert (await event_of(client, tenant, world))["title"]["fr"] == "Hamlet (fr)"
    await run_outbox(sessionmaker)
    assert udb.calls("PUT") == []


async def test_tariff_names_of_a_published_event_are_checked(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    tariff = {"code": "SEN", "kind": "senior", "rule": "percent_off", "value": 10}
    too_long = await client.post(
        f"/events/{world.event['id']}/tariffs",
        headers=admin,
        json={**tariff, "name": {"nl": "65+", "en": LONG}},
    )
    assert field_of(too_long) == ["name.en"]
    same_as_base = await client.post(
        f"/events/{world.event['id']}/tariffs",
        headers=admin,
        json={**tariff, "name": {"nl": "Basistarief"}},
    )
    assert field_of(same_as_base) == ["name.nl"]
    assert "different names" in same_as_base.json()["errors"][0]["message"]
    detail = await event_of(client, tenant, world)
    assert [t["code"] for t in detail["tariffs"]] == ["BASE", "U26"]  # nothing stored
    # A staff-only tariff is not sent to UiTdatabank: its name is the house's business.
    await ok(
        await client.post(
            f"/events/{world.event['id']}/tariffs",
            headers=admin,
            json={**tariff, "staff_only": True, "name": {"nl": LONG}},
        )
    )


async def test_the_sync_never_sends_a_name_beyond_the_limit(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    # A name that came in another way (an import, an older version) is caught before sending.
    async with sessionmaker() as session:
        await (await session.connection()).execute(
            text(
                "UPDATE tariff SET name = CAST(:name AS jsonb) "
                "WHERE event_id = :event_id AND code = 'U26'"
            ),
            {"name": f'{{"nl": "{LONG}"}}', "event_id": world.event["id"]},
        )
        await session.commit()
    await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )
    await run_outbox(sessionmaker)
    assert udb.calls("PUT") == []
    (location,) = (await state(client, tenant, world))["locations"]
    assert location["status"] == "failed"
    assert "tariffs[U26].name.nl" in location["last_error"]


async def test_without_uitdatabank_nothing_is_checked(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    built = await build_world(client, tenant)
    await ok(
        await client.patch(
            f"/events/{built.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": LONG}, "status": "published"},
        ),
        200,
    )


async def test_a_venue_podium_would_create_a_place_for_needs_a_short_name(
    client: httpx.AsyncClient,
    tenant: Tenant,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    point_sync_at(udb, place_type_id="0.14.0.0.0")  # unlinked venues get a place made
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    built = await build_world(client, tenant)
    await ok(
        await client.patch(f"/venues/{built.venue['id']}", headers=admin, json={"name": LONG}),
        200,
    )
    refused = await client.patch(
        f"/events/{built.event['id']}", headers=admin, json={"status": "published"}
    )
    assert field_of(refused) == [f"venues[{built.venue['id']}].name"]
    assert "uitdatabank_place_id" in refused.json()["errors"][0]["message"]
    await run_outbox(sessionmaker)
    assert udb.calls("POST", "/places") == []
