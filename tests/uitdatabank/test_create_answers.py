"""What the answer to a creation leaves behind: the id of a creation that succeeded
survives a sync that fails later on; a 2xx without an id is not stored as one; and an
event staff linked keeps the sub-event statuses an editor set in UiTdatabank."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox
from fixtures.udb_support import linked_world, point_sync_at, publish, state
from fixtures.world import SMALL_SPEC, World, in_days, make_hall, ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlmodel import col, select

from ticketing.core import outbox
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.tenancy.roles import Role
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent

PRICES = [{"zone": "A", "amount_cents": 2500}, {"zone": "B", "amount_cents": 1800}]


async def add_performance(
    client: httpx.AsyncClient, tenant: Tenant, world: World, hall: dict[str, Any], days: float
) -> dict[str, Any]:
    return await ok(
        await client.post(
            f"/events/{world.event['id']}/performances",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={
                "hall_id": hall["id"],
                "starts_at": in_days(days),
                "ends_at": in_days(days + 0.1),
                "prices": PRICES,
            },
        )
    )


async def ask_sync(client: httpx.AsyncClient, tenant: Tenant, world: World) -> None:
    await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )


async def test_the_id_of_a_creation_survives_a_later_venue_failing(
    committing: tuple[httpx.AsyncClient, Tenant, str], udb: FakeUitdatabank
) -> None:
    client, tenant, database = committing
    engine = create_engine(database, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        point_sync_at(udb, place_type_id="0.14.0.0.0")  # an unlinked venue gets a place
        world = await linked_world(client, tenant, udb)
        # A later performance in a second venue, not linked to a place yet.
        venue, hall = await make_hall(client, tenant, "tweede")
        await ok(
            await client.post(
                f"/halls/{hall['id']}/layouts/generate",
                headers=tenant.staff[Role.HOUSE_ADMIN].headers,
                json=SMALL_SPEC,
            )
        )
        await add_performance(client, tenant, world, hall, 12)
        await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))
        await publish(client, tenant, world)

        # The first venue's event is created; the second venue's place is busy after
        # every try, so the sync's transaction rolls back.
        udb.fail_next(503, times=3, path_prefix="/places")
        assert await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)) == 0
        (created,) = udb.events
        assert len(udb.calls("POST", "/events")) == 1
        async with sessionmaker() as session:
            (first,) = (
                await session.exec(
                    select(UitdatabankEvent).where(
                        col(UitdatabankEvent.venue_id) == world.venue["id"]
                    )
                )
            ).all()
        assert (first.udb_id, first.create_sent_at) == (created, None)
        assert first.status != SyncStatus.UNCERTAIN

        # The next sync updates that event and creates the second: never uncertain,
        # never a second creation for the first venue.
        await ask_sync(client, tenant, world)
        await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))
        shown = await state(client, tenant, world)
        by_venue = {loc["venue_id"]: loc for loc in shown["locations"]}
        assert by_venue[world.venue["id"]]["status"] == "synced"
        assert by_venue[world.venue["id"]]["uitdatabank_id"] == created
        assert by_venue[venue["id"]]["status"] == "synced"
        assert len(udb.calls("POST", "/events")) == 2
        assert len(udb.events) == 2
        assert len(udb.calls("PUT", f"/events/{created}")) == 1
    finally:
        await engine.dispose()


async def test_a_creation_answered_without_an_id_is_held_for_staff(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    udb.answer_without_id_next()  # carried out, but the answer names no id
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    assert len(udb.events) == 1
    (location,) = (await state(client, tenant, world))["locations"]
    assert location["status"] == "uncertain"
    assert location["uitdatabank_id"] is None
    assert "without a valid id" in location["last_error"]

    await ask_sync(client, tenant, world)  # nothing is sent while it is uncertain
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 1
    assert udb.calls("GET", "/events/") == []  # no id made up to read


async def test_a_linked_event_keeps_the_status_an_editor_set(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    # Two nights; the creation's answer is lost, so the location waits for staff.
    second = await add_performance(client, tenant, world, world.hall, 12)
    point_sync_at(udb, timeout_seconds=0.3)
    udb.delay_next(1.0, path_prefix="/events")  # carried out, but after we gave up
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    for _ in range(200):
        if udb.events:
            break
        await asyncio.sleep(0.02)
    (udb_id,) = udb.events
    (location,) = (await state(client, tenant, world))["locations"]
    assert location["status"] == "uncertain"

    # An editor postpones the second night in UiTdatabank; staff then link the event.
    subs = udb.events[udb_id]["subEvent"]
    assert len(subs) == 2
    later = max(range(2), key=lambda i: subs[i]["startDate"])
    postponed = {"type": "TemporarilyUnavailable", "reason": {"nl": "Uitgesteld naar mei"}}
    subs[later]["status"] = postponed
    await ok(
        await client.put(
            f"/events/{world.event['id']}/uitdatabank/locations/{world.venue['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"uitdatabank_id": udb_id},
        ),
        200,
    )
    await run_outbox(sessionmaker)

    assert len(udb.calls("POST", "/events")) == 1
    (location,) = (await state(client, tenant, world))["locations"]
    assert (location["status"], location["uitdatabank_id"]) == ("synced", udb_id)
    subs = udb.events[udb_id]["subEvent"]
    (kept,) = [s for s in subs if s["startDate"].startswith(second["starts_at"][:16])]
    assert kept["status"] == postponed
    (other,) = [s for s in subs if s is not kept]
    assert other["status"] == {"type": "Available"}
