"""Remaining places in UiTdatabank during sales: coalesced per performance, sold out at
once, back on sale after a cancellation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox, sell
from fixtures.udb_support import publish
from fixtures.world import World, in_days, ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlmodel import col, select

from ticketing import clock
from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role
from ticketing.uitdatabank.availability import AVAILABILITY_TOPIC

EVERY = timedelta(seconds=5)  # availability_every_seconds of the fake's settings
STANDING, SEATS = 44, 4

FLOOR_SPEC: dict[str, Any] = {
    "name": "Zaal met staanplaatsen",
    "price_zones": [
        {"code": "S", "name": "Staan", "color": "#2ca02c"},
        {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
    ],
    "standing": [{"code": "FLOOR", "name": "Vloer", "zone": "S", "capacity": STANDING}],
    "blocks": [{"code": "BAR", "name": "Bar", "rows": 1, "seats_per_row": SEATS, "zone": "A"}],
}


@pytest.fixture
def frozen() -> Iterator[list[datetime]]:
    """The platform's clock stands still at the time in the list (tests move it)."""
    now = [clock.now()]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


@pytest.fixture
async def floor(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> dict[str, Any]:
    """A second performance of the published event, in a hall of the same venue with 44
    standing places and 4 seats, on sale and in UiTdatabank as the second sub-event."""
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    hall = await ok(
        await client.post(
            "/halls", headers=admin, json={"venue_id": world.venue["id"], "name": "Zaal 2"}
        )
    )
    await ok(
        await client.post(f"/halls/{hall['id']}/layouts/generate", headers=admin, json=FLOOR_SPEC)
    )
    performance = await ok(
        await client.post(
            f"/events/{world.event['id']}/performances",
            headers=admin,
            json={
                "hall_id": hall["id"],
                "starts_at": in_days(11),
                "ends_at": in_days(11.1),
                "prices": [
                    {"zone": "S", "amount_cents": 1500},
                    {"zone": "A", "amount_cents": 2200},
                ],
            },
        )
    )
    await ok(
        await client.patch(
            f"/performances/{performance['id']}", headers=admin, json={"status": "on_sale"}
        ),
        200,
    )
    await publish(client, tenant, world)
    await run_outbox(sessionmaker)
    (stored,) = udb.events.values()
    assert [s["bookingAvailability"]["remainingCapacity"] for s in stored["subEvent"]] == [
        23,  # the world's performance: 24 seats, one sold
        STANDING + SEATS,
    ]
    return performance


async def sweep(sessionmaker: SessionMaker) -> int:
    """What the worker's sweep of coalesced messages does (every second)."""
    return await outbox.process_all(
        sessionmaker, await outbox.due(sessionmaker, coalesced_only=True)
    )


def floor_sub_event(udb: FakeUitdatabank) -> dict[str, Any]:
    (stored,) = udb.events.values()
    sub: dict[str, Any] = stored["subEvent"][1]
    return sub


async def waiting(sessionmaker: SessionMaker) -> list[outbox.OutboxMessage]:
    async with sessionmaker() as session:
        stmt = select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.topic == AVAILABILITY_TOPIC,
            col(outbox.OutboxMessage.processed_at).is_(None),
        )
        return list((await session.exec(stmt)).all())


async def test_a_burst_of_sales_is_one_update_with_the_count_when_it_goes(
    client: httpx.AsyncClient,
    tenant: Tenant,
    floor: dict[str, Any],
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
    frozen: list[datetime],
) -> None:
    start = frozen[0]
    for _ in range(40):  # forty sales within the same second
        await sell(client, tenant, floor, seats=[], standing=1)
    (message,) = await waiting(sessionmaker)
    assert message.available_at == start + EVERY
    assert await sweep(sessionmaker) == 0  # not due yet
    assert udb.calls("PATCH") == []

    frozen[0] = start + EVERY
    assert await sweep(sessionmaker) == 1
    (patch,) = udb.calls("PATCH")
    assert patch.path.endswith("/sub-events")
    assert patch.body == [
        {
            "id": 1,
            "bookingAvailability": {
                "capacity": STANDING + SEATS,
                "remainingCapacity": STANDING + SEATS - 40,
            },
        }
    ]
    assert floor_sub_event(udb)["bookingAvailability"]["remainingCapacity"] == 8

    # A sale right after the update waits for its own turn: one update per five seconds.
    frozen[0] = start + EVERY + timedelta(seconds=0.5)
    await sell(client, tenant, floor, seats=[], standing=1)
    frozen[0] = start + EVERY + timedelta(seconds=4)
    assert await sweep(sessionmaker) == 0
    frozen[0] = start + 2 * EVERY + timedelta(seconds=0.5)
    assert await sweep(sessionmaker) == 1
    assert len(udb.calls("PATCH")) == 2
    assert floor_sub_event(udb)["bookingAvailability"]["remainingCapacity"] == 7
    assert await waiting(sessionmaker) == []


async def test_sold_out_goes_at_once_and_a_cancellation_puts_it_back(
    client: httpx.AsyncClient,
    tenant: Tenant,
    floor: dict[str, Any],
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
    frozen: list[datetime],
) -> None:
    start = frozen[0]
    for quantity in (20, 20, STANDING - 42):  # coalesced: in 5 s
        await sell(client, tenant, floor, seats=[], standing=quantity)
    last = await sell(client, tenant, floor, seats=[f"BAR/1/{n}" for n in range(1, 5)], standing=2)
    # The last places: due now, under a key of its own, next to the coalesced one.
    assert sorted(m.available_at for m in await waiting(sessionmaker)) == [start, start + EVERY]
    assert await sweep(sessionmaker) == 1
    (patch,) = udb.calls("PATCH")
    assert patch.body[0]["bookingAvailability"] == {
        "capacity": STANDING + SEATS,
        "remainingCapacity": 0,
    }
    assert floor_sub_event(udb)["bookingAvailability"] == {
        "type": "Unavailable",
        "capacity": STANDING + SEATS,
        "remainingCapacity": 0,
    }

    # Cancelling the last order gives its six places back: UiTdatabank hears it with the
    # next update of this performance (the coalesced one already waiting).
    await ok(
        await client.post(
            f"/orders/{last['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"refund_method": "cash"},
        ),
        200,
    )
    assert len(await waiting(sessionmaker)) == 1
    frozen[0] = start + EVERY
    assert await sweep(sessionmaker) == 1
    assert floor_sub_event(udb)["bookingAvailability"] == {
        "type": "Available",
        "capacity": STANDING + SEATS,
        "remainingCapacity": 6,
    }
    assert len(udb.calls("PATCH")) == 2


async def test_places_of_an_event_not_in_uitdatabank_send_nothing(
    client: httpx.AsyncClient,
    tenant: Tenant,
    world: World,
    udb: FakeUitdatabank,
    sessionmaker: SessionMaker,
) -> None:
    # The world's event is not published: its sales are nobody's business in UiTdatabank.
    await sell(client, tenant, world.performance, seats=["STALLS/2/1"])
    assert await waiting(sessionmaker) == []
    assert udb.calls("PATCH") == []
