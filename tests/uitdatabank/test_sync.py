"""Publishing to UiTdatabank through the outbox, against the fake Entry API (which
refuses any body that does not validate against publiq's JSON Schemas)."""

from __future__ import annotations

import httpx
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox
from fixtures.udb_support import publish, state
from fixtures.world import World, in_days, ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlalchemy import update
from sqlmodel import select

from ticketing.db.engine import SessionMaker
from ticketing.tenancy.models import House
from ticketing.tenancy.roles import Role
from ticketing.uitdatabank.models import UitdatabankEvent


async def test_publishing_posts_once_and_keeps_the_id(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (posted,) = udb.calls("POST", "/events")
    assert posted.body is not None
    body = posted.body
    assert body["workflowStatus"] == "READY_FOR_VALIDATION"
    assert body["name"] == {"nl": "Hamlet", "fr": "Hamlet (fr)", "en": "Hamlet (en)"}
    assert body["calendarType"] == "single"
    assert body["typicalAgeRange"] == "12-"
    assert [p["category"] for p in body["priceInfo"]] == ["base", "tariff"]
    assert body["priceInfo"][0]["price"] == 18.0  # from the cheapest zone
    assert body["bookingInfo"]["urlLabel"]["nl"] == "Koop tickets"
    assert body["bookingInfo"]["phone"] == "+32 9 223 00 00"
    sub = body["subEvent"][0]
    assert (
        sub["bookingAvailability"]["capacity"]
        == sub["bookingAvailability"]["remainingCapacity"] + 1
    )  # the world sold one seat
    shown = await state(client, tenant, world)
    (location,) = shown["locations"]
    assert location["status"] == "synced"
    assert location["uitdatabank_id"] in udb.events
    assert shown["pending_changes"] == 0
    # Publishing again (a sync asked for by hand) updates; it never posts twice.
    await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )
    await run_outbox(sessionmaker)
    assert len(udb.calls("POST", "/events")) == 1
    assert len(udb.calls("PUT", "/events/")) == 1


async def test_an_edit_keeps_what_an_editor_added_in_uitdatabank(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (udb_id,) = udb.events
    udb.add_label(udb_id, "gent-jong")
    # A second night, in the same hall: one event, two sub-events.
    await ok(
        await client.post(
            f"/events/{world.event['id']}/performances",
            headers=admin,
            json={
                "hall_id": world.hall["id"],
                "starts_at": in_days(12),
                "ends_at": in_days(12.1),
                "prices": [
                    {"zone": "A", "amount_cents": 2500},
                    {"zone": "B", "amount_cents": 1800},
                ],
            },
        )
    )
    await ok(
        await client.patch(
            f"/events/{world.event['id']}", headers=admin, json={"title": {"nl": "Hamlet!"}}
        ),
        200,
    )
    await run_outbox(sessionmaker)
    methods = [(r.method, r.path.rsplit("/", 1)[0]) for r in udb.requests if r.path != "/token"]
    assert methods[-2:] == [("GET", "/events"), ("PUT", "/events")]
    stored = udb.events[udb_id]
    assert stored["name"]["nl"] == "Hamlet!"
    assert "gent-jong" in stored["labels"]
    assert stored["calendarType"] == "multiple"
    assert len(stored["subEvent"]) == 2


async def test_a_cancelled_performance_becomes_unavailable(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (udb_id,) = udb.events
    cancelled = await client.patch(
        f"/performances/{world.performance['id']}",
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"status": "cancelled"},
    )
    assert cancelled.status_code == 200, cancelled.text
    await run_outbox(sessionmaker)
    (sub,) = udb.events[udb_id]["subEvent"]
    assert sub["status"]["type"] == "Unavailable"
    assert sub["bookingAvailability"]["remainingCapacity"] == 0
    assert udb.calls("DELETE") == []


async def test_busy_down_and_expired_tokens_are_tried_again(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    udb.fail_next(429, times=1, path_prefix="/events")
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    assert len(udb.events) == 1  # after a 429, the same call again
    # Two 500s, then it works (three tries are allowed within one sync).
    udb.fail_next(500, times=2, path_prefix="/events")
    udb.expire_tokens()  # and the token ran out meanwhile: a 401 gets a new one, once
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": "Hamlet (herneming)"}},
        ),
        200,
    )
    await run_outbox(sessionmaker)
    (stored,) = udb.events.values()
    assert stored["name"]["nl"] == "Hamlet (herneming)"
    assert len([r for r in udb.requests if r.path.endswith("token")]) >= 2
    # Down for longer than the tries of one sync: the outbox keeps it for later.
    udb.fail_next(503, times=10, path_prefix="/events")
    await ok(
        await client.post(
            f"/events/{world.event['id']}/uitdatabank/sync",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        202,
    )
    assert await run_outbox_once(sessionmaker) == 0
    assert (await state(client, tenant, world))["pending_changes"] == 1


async def run_outbox_once(sessionmaker: SessionMaker) -> int:
    from ticketing.core import outbox

    return await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))


async def test_a_refused_body_is_stored_and_shown(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    # A house e-mail UiTdatabank's schema refuses (it came in before addresses were checked).
    async with sessionmaker() as session:
        await session.exec(
            update(House).where(House.id == tenant.house.id).values(email="not an address")  # type: ignore[arg-type]
        )
        await session.commit()
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    assert udb.events == {}
    shown = await state(client, tenant, world)
    (location,) = shown["locations"]
    assert location["status"] == "failed"
    assert "400" in location["last_error"]
    assert any("/bookingInfo/email" in e["jsonPointer"] for e in location["schema_errors"])
    assert shown["pending_changes"] == 0  # not tried again until the event changes
    async with sessionmaker() as session:
        (row,) = (
            await session.exec(
                select(UitdatabankEvent).where(UitdatabankEvent.event_id == world.event["id"])
            )
        ).all()
        assert row.udb_id is None
