"""The programme listing on a busy night: places left count only what can be sold, and
each process serves the last listing while one request reads it again."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant, assert_problem
from fixtures.tickets_support import sell
from fixtures.world import build_world, in_days, ok

from ticketing.inventory import programme
from ticketing.tenancy.roles import Role


@pytest.fixture
def moments(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(programme, "monotonic", lambda: now[-1])
    programme.PROGRAMMES.clear()
    return now


async def listing(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await ok(
        await client.get(f"/public/houses/{tenant.house.slug}/programme"), 200
    )
    return found


async def test_seats_the_layout_blocks_are_not_places_left(
    client: httpx.AsyncClient, tenant: Tenant, moments: list[float]
) -> None:
    world = await build_world(client, tenant, publish=True)
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    # A new version of the hall with two seats taken out of sale (a camera platform).
    document = await ok(
        await client.get(f"/layouts/{world.layout['id']}/export", headers=admin), 200
    )
    blocked = ["BALCONY/1/5", "BALCONY/1/6"]
    for section in document["sections"]:
        for row in section["rows"]:
            for seat in row["seats"]:
                if f"{section['code']}/{row['label']}/{seat['label']}" in blocked:
                    seat["flags"] = ["blocked"]
    await ok(await client.post(f"/halls/{world.hall['id']}/layouts", headers=admin, json=document))
    performance = await ok(
        await client.post(
            f"/events/{world.event['id']}/performances",
            headers=admin,
            json={
                "hall_id": world.hall["id"],
                "starts_at": in_days(20),
                "ends_at": in_days(20.1),
                "prices": [
                    {"zone": "A", "amount_cents": 2500},
                    {"zone": "B", "amount_cents": 1800},
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
    # Staff cannot block them again for this night (they would count twice).
    assert_problem(
        await client.post(
            f"/performances/{performance['id']}/blocks",
            headers=admin,
            json={"seats": ["STALLS/1/1", "BALCONY/1/5"]},
        ),
        422,
        "seats[1]",
    )
    seats = [f"STALLS/{r}/{n}" for r in (1, 2, 3) for n in range(1, 7)]
    seats += [f"BALCONY/1/{n}" for n in (1, 2, 3, 4)]
    await sell(client, tenant, performance, seats=seats[:11])
    await sell(client, tenant, performance, seats=seats[11:])
    item = next(
        i for i in await listing(client, tenant) if i["performance_id"] == performance["id"]
    )
    # 24 seats, 2 blocked by the layout, 22 sold: nothing left.
    assert (item["places_left"], item["last_places"]) == (0, False)


async def test_one_request_reads_an_expired_listing_while_the_others_get_the_last_one(
    client: httpx.AsyncClient, tenant: Tenant, moments: list[float]
) -> None:
    world = await build_world(client, tenant, publish=True)
    key = (None, tenant.house.slug, None, None, None, None, 50, 0)
    assert (await listing(client, tenant))[0]["places_left"] == 23
    await sell(client, tenant, world.performance, seats=["STALLS/2/1"])
    moments.append(moments[-1] + programme.programme_seconds())
    # Another request is reading it again right now: this one gets the last listing.
    programme._REFRESHING.add(key)
    try:
        assert (await listing(client, tenant))[0]["places_left"] == 23
        # ...but not one that expired long ago.
        moments.append(moments[-1] + (programme.STALE_FACTOR + 1) * programme.programme_seconds())
        assert (await listing(client, tenant))[0]["places_left"] == 22
    finally:
        programme._REFRESHING.discard(key)


async def test_a_cancelled_reader_leaves_the_listing_to_the_next_request(
    client: httpx.AsyncClient, tenant: Tenant, moments: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    await build_world(client, tenant, publish=True)
    key = (None, tenant.house.slug, None, None, None, None, 50, 0)
    await listing(client, tenant)
    moments.append(moments[-1] + programme.programme_seconds())
    started = asyncio.Event()
    read = programme._programme

    async def slow_read(*args: Any, **kwargs: Any) -> Any:
        started.set()
        await asyncio.sleep(30)
        return await read(*args, **kwargs)

    monkeypatch.setattr(programme, "_programme", slow_read)
    reader = asyncio.create_task(listing(client, tenant))
    await started.wait()
    assert key in programme._REFRESHING
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert key not in programme._REFRESHING
    monkeypatch.setattr(programme, "_programme", read)
    assert len(await listing(client, tenant)) == 1


async def test_the_programme_is_searched_by_words_of_the_title_in_any_language(
    client: httpx.AsyncClient, tenant: Tenant, moments: list[float]
) -> None:
    world = await build_world(client, tenant, publish=True)
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"title": {"nl": "De Storm", "fr": "La Tempête", "en": "The Tempest"}},
        ),
        200,
    )
    url = f"/public/houses/{tenant.house.slug}/programme"

    async def found(q: str) -> int:
        return len(await ok(await client.get(url, params={"q": q}), 200))

    assert await found("storm") == 1
    assert await found("TEMPÊTE") == 1
    assert await found("storm tempest") == 1
    assert await found("storm hamlet") == 0
    assert await found("50%") == 0  # typed as text, not as a pattern
    assert await found("nl") == 0  # the titles are searched, not their JSON
    # Searches are not kept: they cannot push the listings out of the cache.
    assert all(key[5] is None for key in programme.PROGRAMMES._entries)
    assert_problem(await client.get(url, params={"q": "s"}), 400, "q")
