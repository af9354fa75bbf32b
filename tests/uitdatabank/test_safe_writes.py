"""Writes to UiTdatabank that cannot duplicate or loop: a creation whose answer is lost,
a venue UiTdatabank holds several places for, the tries of one sync, and a sub-event's
status an editor set in UiTdatabank. Against the fake Entry API (which, like publiq's
contract, finds an event only by its id)."""

from __future__ import annotations

import asyncio

import httpx
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox, sell
from fixtures.udb_support import point_sync_at, publish, state
from fixtures.world import World, build_world, ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlmodel import select

from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role
from ticketing.venues.models import Venue


async def settled(udb: FakeUitdatabank, count: int) -> None:
    """Wait until the fake has carried out a request its client gave up on."""
    for _ in range(200):
        if len(udb.events) >= count:
            return
        await asyncio.sleep(0.02)


async def link(
    client: httpx.AsyncClient, tenant: Tenant, world: World, udb_id: str | None
) -> httpx.Response:
    return await client.put(
        f"/events/{world.event['id']}/uitdatabank/locations/{world.venue['id']}",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"uitdatabank_id": udb_id},
    )


async def test_a_create_whose_answer_is_lost_never_makes_a_second_event(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    point_sync_at(udb, timeout_seconds=0.3)
    udb.delay_next(1.0, path_prefix="/events")  # carried out, but after we gave up
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    await settled(udb, 1)
    assert len(udb.events) == 1
    assert len(udb.calls("POST", "/events")) == 1  # not sent again within the sync
    shown = await state(client, tenant, world)
    (location,) = shown["locations"]
    assert location["status"] == "uncertain"
    assert location["uitdatabank_id"] is None
    assert location["last_error"].startswith("Create uncertain - check UiTdatabank")
    assert f"/shop/events/{world.event['id']}" in location["last_error"]
    assert shown["pending_changes"] == 0  # the outbox does not try it again

    # Further changes and a sync asked by hand send nothing while it is uncertain.
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": "Hamlet (herneming)"}},
        ),
        200,
    )
    await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 1
    assert len(udb.events) == 1

    # Staff found it in UiTdatabank (by its booking link) and link it: updated, not posted.
    (udb_id,) = udb.events
    assert udb.events[udb_id]["bookingInfo"]["url"].endswith(f"/shop/events/{world.event['id']}")
    linked = await ok(await link(client, tenant, world, udb_id), 200)
    assert linked["locations"][0]["status"] == "pending"
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 1
    assert len(udb.events) == 1
    assert udb.events[udb_id]["name"]["nl"] == "Hamlet (herneming)"
    (location,) = (await state(client, tenant, world))["locations"]
    assert (location["status"], location["uitdatabank_id"]) == ("synced", udb_id)
    # Once it is in UiTdatabank, "create it" is refused: never a second event.
    refused = await link(client, tenant, world, None)
    assert refused.status_code == 409, refused.text
    assert refused.json()["errors"][0]["field"] == "uitdatabank_id"


async def test_staff_confirm_a_lost_create_did_not_happen_and_it_is_created_once(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    udb.fail_next(504, path_prefix="/events")  # publiq's gateway gave up: unknown outcome
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (location,) = (await state(client, tenant, world))["locations"]
    assert location["status"] == "uncertain"
    assert udb.events == {}  # this time UiTdatabank did not make it

    await ok(await link(client, tenant, world, None), 200)
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 2  # the lost one and this one
    (udb_id,) = udb.events
    (location,) = (await state(client, tenant, world))["locations"]
    assert (location["status"], location["uitdatabank_id"]) == ("synced", udb_id)


async def test_a_create_that_could_not_be_sent_is_tried_again(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    # A 503 is an answer: UiTdatabank did not create it, so trying again is safe.
    udb.fail_next(503, times=2, path_prefix="/events")
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 3
    assert len(udb.events) == 1
    (location,) = (await state(client, tenant, world))["locations"]
    assert location["status"] == "synced"


async def test_linking_a_venue_of_another_event_or_unknown_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, world: World, udb: FakeUitdatabank
) -> None:
    missing = await link(client, tenant, world, None)  # never sent to UiTdatabank
    assert missing.status_code == 404, missing.text
    bad = await client.put(
        f"/events/{world.event['id']}/uitdatabank/locations/{world.venue['id']}",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"uitdatabank_id": "/place/?q=name"},
    )
    assert bad.status_code in (400, 422), bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "uitdatabank_id" in bad.text


async def test_several_candidate_places_ask_the_house_to_link_the_venue_and_stop(
    client: httpx.AsyncClient,
    tenant: Tenant,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    point_sync_at(udb, place_type_id="0.14.0.0.0")  # venues without a place get one made
    built = await build_world(client, tenant)
    address = {"addressCountry": "BE", "addressLocality": "Gent",
               "postalCode": "9000", "streetAddress": "Kouter 1"}  # fmt: skip
    places = [
        udb.add_place(
            {
                "mainLanguage": "nl",
                "name": {"nl": name},
                "calendarType": "permanent",
                "address": {"nl": address},
                "terms": [{"id": "0.14.0.0.0", "domain": "eventtype"}],
            }
        )
        for name in (built.venue["name"], built.venue["name"].upper())
    ]
    await publish(client, tenant, built)
    await run_outbox(sessionmaker)

    shown = await state(client, tenant, built)
    (location,) = shown["locations"]
    assert location["status"] == "failed"
    assert "several places" in location["last_error"]
    assert "uitdatabank_place_id" in location["last_error"]
    assert "search-test.uitdatabank.be" in location["last_error"]  # where to find them
    assert shown["pending_changes"] == 0  # not tried again
    assert udb.calls("POST", "/events") == []
    async with sessionmaker() as session:
        venue = (await session.exec(select(Venue).where(Venue.id == built.venue["id"]))).one()
        assert venue.uitdatabank_place_id is None  # the query is not taken for an id
    assert await run_outbox(sessionmaker) == 0
    assert len(udb.calls("POST", "/places")) == 1

    # The house links the venue to the right place and asks for a sync: published.
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    await ok(
        await client.patch(
            f"/venues/{built.venue['id']}", headers=admin, json={"uitdatabank_place_id": places[1]}
        ),
        200,
    )
    await ok(await client.post(f"/events/{built.event['id']}/uitdatabank/sync", headers=admin), 202)
    await run_outbox(sessionmaker)
    (stored,) = udb.events.values()
    assert stored["location"]["@id"].endswith(f"/places/{places[1]}")
    assert len(udb.calls("POST", "/places")) == 1


async def test_one_sync_tries_three_times_as_documented(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    before = len(udb.calls(None, "/events/"))
    udb.fail_next(500, times=3, path_prefix="/events/")
    asked = await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )
    assert asked["pending_changes"] == 1  # the answer counts the sync it just queued
    await run_outbox(sessionmaker)  # the retry waits for the outbox's backoff
    assert len(udb.calls(None, "/events/")) - before == 3  # retries = 3 tries in all
    assert (await state(client, tenant, world))["pending_changes"] == 1


async def test_availability_keeps_the_status_an_editor_set(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    point_sync_at(udb, availability_every_seconds=0)
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (udb_id,) = udb.events
    postponed = {"type": "TemporarilyUnavailable", "reason": {"nl": "Uitgesteld naar mei"}}
    udb.events[udb_id]["subEvent"][0]["status"] = postponed  # an editor, in UiTdatabank
    remaining = udb.events[udb_id]["subEvent"][0]["bookingAvailability"]["remainingCapacity"]

    await sell(client, tenant, world.performance, seats=["STALLS/2/1"])
    await run_outbox(sessionmaker)

    (patch,) = udb.calls("PATCH")
    assert [set(change) for change in patch.body] == [{"id", "bookingAvailability"}]
    (sub,) = udb.events[udb_id]["subEvent"]
    assert sub["status"] == postponed
    assert sub["bookingAvailability"]["remainingCapacity"] == remaining - 1

    # A full sync (an edit) keeps it too.
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": "Hamlet!"}},
        ),
        200,
    )
    await run_outbox(sessionmaker)
    (sub,) = udb.events[udb_id]["subEvent"]
    assert udb.events[udb_id]["name"]["nl"] == "Hamlet!"
    assert sub["status"] == postponed
